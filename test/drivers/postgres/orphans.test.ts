// An embedded PostgreSQL whose pipebench and watchdog were both SIGKILLed (the whole tree killed,
// the OOM killer) is stopped and its temp dir removed by the next embedded start's sweep — and the
// sweep touches nothing else: not a live pipebench's dir, not a dir without an owner, not a process
// a stale postmaster.pid happens to name.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { removeOrphans } from "../../../src/drivers/postgres/embedded.js";
import { currentOwner, processAlive } from "../../../src/store/run-owner.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-orphans-"));
chmodSync(dir, 0o755); // as root the server runs as the OS user postgres, which must reach inside
const tmp = join(dir, "tmp");
mkdirSync(tmp);
chmodSync(tmp, 0o1777);
const started: ChildProcess[] = [];
after(() => {
  for (const c of started) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const START = `
import { startEmbeddedPostgres } from ${JSON.stringify(new URL("../../../src/drivers/postgres/embedded.ts", import.meta.url).pathname)};
const pg = await startEmbeddedPostgres({ target: "orphan" });
process.stdout.write(JSON.stringify({ dir: pg.dir }) + "\\n");
setInterval(() => {}, 1000);
`;

/** Direct children of `pid` whose command line matches. */
function childrenMatching(pid: number, re: RegExp): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid && re.test(readFileSync(`/proc/${e}/cmdline`, "utf8"));
      } catch {
        return false;
      }
    })
    .map(Number);
}

test("a server orphaned with its watchdog is stopped and removed; nothing else is touched", { timeout: 40_000 }, async () => {
  // A process that starts an embedded server, then is SIGKILLed together with its watchdog.
  const owner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", START], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ["ignore", "pipe", "inherit"],
  });
  started.push(owner);
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    owner.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
    });
    owner.on("exit", (code) => reject(new Error(`the owner exited ${code} before the server was up`)));
  });
  const orphanDir = (JSON.parse(line) as { dir: string }).dir;
  const server = Number(readFileSync(join(orphanDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  const watchdogs = childrenMatching(owner.pid ?? -1, /pipebench-pg-watchdog/);
  assert.equal(watchdogs.length, 1);
  for (const pid of watchdogs) process.kill(pid, "SIGKILL");
  owner.kill("SIGKILL");
  await new Promise((resolve) => owner.once("close", resolve));
  assert.ok(processAlive(server), "the server outlived its pipebench: an orphan");

  // Decoys. A live pipebench's dir (this process's); a dir with no owner file; a dead owner's dir
  // whose stale postmaster.pid names an unrelated live process.
  const live = join(tmp, "pipebench-pg-live");
  mkdirSync(live);
  writeFileSync(join(live, "owner.json"), JSON.stringify(currentOwner()));
  const ownerless = join(tmp, "pipebench-pg-ownerless");
  mkdirSync(ownerless);
  const stale = join(tmp, "pipebench-pg-stale");
  mkdirSync(join(stale, "data"), { recursive: true });
  writeFileSync(join(stale, "owner.json"), JSON.stringify({ pid: owner.pid, host: hostname() }));
  const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
  started.push(bystander);
  writeFileSync(join(stale, "data", "postmaster.pid"), `${bystander.pid}\n`);

  const removed = await removeOrphans(tmp);
  assert.deepEqual(removed, [orphanDir]);
  assert.equal(processAlive(server), false, "the orphaned server was stopped");
  assert.equal(existsSync(orphanDir), false);
  assert.ok(existsSync(live) && existsSync(ownerless) && existsSync(stale), "the decoys are kept");
  assert.ok(processAlive(bystander.pid ?? -1), "the process a stale pid file names was not signalled");
});
