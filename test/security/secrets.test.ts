// Secrets never leave pipebench (issue 5): unique passwords planted in a URL, a `password:`
// setting, an environment variable used through ${…} and a `passwordFile:`, on a real embedded
// PostgreSQL (each its own role), through successful runs and failing ones (a wrong password, an
// unreachable server). Then every output is searched for them: stdout and stderr of every command,
// the --out directory, --format json, `pipebench show`, `pipebench runs`, and every byte of the
// SQLite store (the database and any -wal / -shm file beside it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ResultsStore } from "../../src/store/results-store.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";
import { pipebench, type CliResult } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-secrets-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pg = useEmbeddedPostgres();

const tag = randomBytes(6).toString("hex");
/** Each secret is unique to this test run, so any match is a leak, never a coincidence. */
const SECRETS = {
  url: `pbUrl${tag}Secret`,
  setting: `pbSetting${tag}Secret`,
  env: `pbEnv${tag}Secret`,
  // Characters a URL must encode: the file's password reaches pg percent-encoded.
  file: `pb/File@${tag}:Secret%`,
  wrong: `pbWrong${tag}Secret`,
  unreachable: `pbUnreachable${tag}Secret`,
  // Quoted back by error messages about the value: a URL with a typo, a password that YAML reads
  // as a number, a password given with --set.
  typo: `pbTypo${tag}Secret`,
  number: String(parseInt(tag, 16)).padStart(15, "7"),
  setFlag: `pbSetFlag${tag}Secret`,
  // HTTP: a bearer token written in a header, and a token from the environment in another header.
  bearer: `pbBearer${tag}Secret`,
  headerEnv: `pbHeaderEnv${tag}Secret`,
} as const;

const store = join(dir, "results.db");
const out = join(dir, "out");
const outputs: { what: string; text: string }[] = [];
let port = 0;

async function cli(what: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await pipebench(args, { PB_SECRET_ENV: SECRETS.env, PB_TRACE_TOKEN: SECRETS.headerEnv, ...env }, 120_000);
  outputs.push({ what: `${what}: stdout`, text: r.stdout }, { what: `${what}: stderr`, text: r.stderr });
  return r;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Answers 200 only to requests carrying both secret headers: the run proves they were sent. */
async function httpService(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${SECRETS.bearer}` && req.headers["x-trace"] === SECRETS.headerEnv;
    res.writeHead(ok ? 200 : 401).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: p } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${p}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A postgres target in flow style, with a scenario and a stats probe on it. */
function suite(targets: Record<string, string>, http?: string): string {
  const names = Object.keys(targets);
  return [
    "name: secrets",
    "targets:",
    ...names.map((n) => `  ${n}: ${targets[n]}`),
    "probes:",
    ...names.map((n) => `  - { kind: postgres-stats, target: ${n} }`),
    "scenarios:",
    ...names.flatMap((n) => [
      `  q-${n}:`,
      `    target: ${n}`,
      "    workload: { type: query, sql: select current_user }",
      "    load: { executor: closed, workers: 1, iterations: 20 }",
      '    thresholds: ["p99 < 10s"]',
    ]),
    ...(http === undefined
      ? []
      : [
          "  q-api:",
          "    target: api",
          "    workload: { type: request, path: /ingest }",
          "    load: { executor: constant-rate, rate: 20, duration: 1s }",
          '    thresholds: ["error_rate == 0"]',
        ]),
    "",
  ].join("\n").replace("probes:\n", http === undefined ? "probes:\n" : `  api: ${http}\nprobes:\n`);
}

/** Roles and the password file; in the first test, as the server starts in a `before` of its own. */
let prepared: Promise<void> | undefined;
const prepare = (): Promise<void> => (prepared ??= setUp());
/** Held open across the runs: the last connection to close would checkpoint and delete the -wal
 * file, and the WAL is where the newest pages are, so it must be there to be searched. */
let keeper: ResultsStore | undefined;
after(() => keeper?.close());

async function setUp(): Promise<void> {
  keeper = await ResultsStore.open(store);
  port = Number(new URL(pg.url).port);
  for (const [role, secret] of Object.entries({ r_url: SECRETS.url, r_setting: SECRETS.setting, r_env: SECRETS.env, r_file: SECRETS.file })) {
    // Superuser so that the postgres-stats probe may read pg_stat_statements.
    await pg.sql(`create role ${role} login superuser password '${secret.replaceAll("'", "''")}'`);
  }
  // pg_stat_statements now holds the statements above, passwords and all: a probe that stored
  // query texts would carry them into the store. Reset it so that a leak found is pipebench's.
  await pg.sql("select pg_stat_statements_reset()");
  writeFileSync(join(dir, "pw.txt"), `${SECRETS.file}\n`);
}

test("a successful run with all four kinds of secret, then show, runs and json: no secret anywhere", async (t) => {
  await prepare();
  const api = await httpService();
  t.after(() => api.close());
  const file = join(dir, "ok.yaml");
  writeFileSync(
    file,
    suite({
      "pg-url": `{ kind: postgres, url: "postgres://r_url:${SECRETS.url}@127.0.0.1:${port}/postgres" }`,
      "pg-setting": `{ kind: postgres, url: "postgres://r_setting@127.0.0.1:${port}/postgres", password: "${SECRETS.setting}" }`,
      // The variable's value also lands in a field that is not a password: masked there too.
      "pg-env": `{ kind: postgres, url: "postgres://r_env:\${PB_SECRET_ENV}@127.0.0.1:${port}/postgres", setup: ["select length('\${PB_SECRET_ENV}')"] }`,
      "pg-file": `{ kind: postgres, url: "postgres://r_file@127.0.0.1:${port}/postgres", passwordFile: pw.txt }`,
    },
    `{ kind: http, url: "${api.url}", headers: { Authorization: "Bearer ${SECRETS.bearer}", X-Trace: "\${PB_TRACE_TOKEN}" } }`),
  );
  const run = await cli("run --out", ["run", "--allow-invalid", file, "--store", store, "--out", out]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  // Where the load goes, before it goes there: host:port of each target, no user, no password.
  const targets = run.stderr.split("\n").findIndex((l) => l.startsWith("targets: "));
  const firstScenario = run.stderr.split("\n").findIndex((l) => /q-pg-url/.test(l));
  assert.ok(targets >= 0 && targets < firstScenario, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`^targets: pg-url → 127\\.0\\.0\\.1:${port} · pg-setting → 127\\.0\\.0\\.1:${port} · pg-env → 127\\.0\\.0\\.1:${port} · pg-file → 127\\.0\\.0\\.1:${port} · api → 127\\.0\\.0\\.1:\\d+$`, "m"),
  );
  // Each scenario ran as its own role: the password really was used.
  const json = await cli("run --format json", ["run", "--allow-invalid", file, "--store", store, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stdout, /"name": "q-pg-file"/);
  for (const args of [
    ["show", "1"],
    ["show", "2", "--format", "json"],
    ["show", "latest", "--format", "kafka-perf"],
    ["runs"],
    ["runs", "--format", "json"],
    ["report", "2", "--vs", "1", "--out", join(out, "report")],
    ["compare", "1", "2"],
    ["diagnose", "2"],
  ]) {
    const r = await cli(args.join(" "), [...args, "--store", store]);
    // compare and diagnose may exit 1 (a regression, a finding): what matters here is what they print.
    assert.ok(r.code === 0 || r.code === 1, `${args.join(" ")}: exit ${r.code} ${r.stderr}`);
  }
  assert.ok(existsSync(join(out, "report", "report.html")), `the report was written: ${JSON.stringify(outputs.filter((o) => o.what.startsWith("report")))}`);
});

test("failing runs: a wrong password and an unreachable server exit 3 without printing the password", async () => {
  await prepare();
  const wrong = join(dir, "wrong.yaml");
  writeFileSync(wrong, suite({ pg: `{ kind: postgres, url: "postgres://r_url:${SECRETS.wrong}@127.0.0.1:${port}/postgres" }` }));
  const w = await cli("run wrong password", ["run", wrong, "--store", store, "--out", out]);
  assert.equal(w.code, 3, w.stderr);
  assert.match(w.stderr, /rejected the password of user "r_url"/);

  const closed = await closedPort();
  const unreachable = join(dir, "unreachable.yaml");
  writeFileSync(unreachable, suite({ pg: `{ kind: postgres, url: "postgres://r_url:${SECRETS.unreachable}@127.0.0.1:${closed}/postgres" }` }));
  const u = await cli("run unreachable", ["run", unreachable, "--store", store, "--verbose"]);
  assert.equal(u.code, 3, u.stderr);
  assert.match(u.stderr, new RegExp(`127\\.0\\.0\\.1:${closed}`));

  // A setup statement that fails is quoted in the error's hint: with the substituted secret masked.
  const setup = join(dir, "setup.yaml");
  writeFileSync(
    setup,
    suite({ pg: `{ kind: postgres, url: "postgres://r_env:\${PB_SECRET_ENV}@127.0.0.1:${port}/postgres", setup: ["select * from no_such_table where note = '\${PB_SECRET_ENV}'"] }` }),
  );
  const st = await cli("run failing setup", ["run", setup, "--store", store]);
  assert.equal(st.code, 3, st.stderr);
  assert.match(st.stderr, /targets\.pg\.setup\[0\] failed: relation "no_such_table" does not exist/);
  assert.match(st.stderr, /where note = '\*\*\*'/);

  // A passwordFile that is not there is bad input, named by field and path.
  const missing = join(dir, "missing-file.yaml");
  writeFileSync(missing, suite({ pg: `{ kind: postgres, url: "postgres://r_file@127.0.0.1:${port}/postgres", passwordFile: nope.txt }` }));
  const m = await cli("run missing passwordFile", ["run", missing, "--store", store]);
  assert.equal(m.code, 2, m.stderr);
  assert.match(m.stderr, /targets\.pg\.passwordFile: cannot read .*nope\.txt \(ENOENT\)/);
});

test("bad input that quotes the value never quotes a password", async () => {
  const typo = join(dir, "typo.yaml");
  writeFileSync(typo, suite({ pg: `{ kind: postgres, url: "postgresql//r_url:${SECRETS.typo}@127.0.0.1:${port}/postgres" }` }));
  const t = await cli("run url typo", ["run", typo, "--store", store]);
  assert.equal(t.code, 2, t.stderr);
  assert.match(t.stderr, /targets\.pg\.url: "postgresql\/\/r_url:\*\*\*@127\.0\.0\.1:\d+\/postgres" is not a postgres:\/\/ URL/);

  const numeric = join(dir, "numeric.yaml");
  writeFileSync(numeric, suite({ pg: `{ kind: postgres, url: "postgres://r_setting@127.0.0.1:${port}/postgres", password: ${SECRETS.number} }` }));
  const n = await cli("run numeric password", ["run", numeric, "--store", store]);
  assert.equal(n.code, 2, n.stderr);
  assert.match(n.stderr, /targets\.pg\.password: expected a string, got number \*\*\*/);

  const flag = await cli("run --set password", [
    "run", numeric, "--store", store, "--set", `targets.pg.password=[${SECRETS.setFlag}]`, "--set", `targets.pg.url=postgres://x:${SECRETS.setFlag}@h:bad`,
  ]);
  assert.equal(flag.code, 2, flag.stderr);
  assert.match(flag.stderr, /from --set targets\.pg\.password=\*\*\*/);

  // A secret-named variable substituted where it does not belong is masked in the message about it.
  const misplaced = join(dir, "misplaced.yaml");
  writeFileSync(misplaced, suite({ pg: `{ kind: postgres, url: "postgres://r_env@127.0.0.1:${port}/postgres", pool: "\${PB_SECRET_ENV}" }` }));
  const mp = await cli("run misplaced env secret", ["run", misplaced, "--store", store]);
  assert.equal(mp.code, 2, mp.stderr);
  assert.match(mp.stderr, /targets\.pg\.pool: expected a (whole )?number, got string "\*\*\*"/);
});

test("no planted secret is in any output, any --out file or any byte of the store", () => {
  const haystacks: { what: string; bytes: Buffer }[] = outputs.map((o) => ({ what: o.what, bytes: Buffer.from(o.text) }));
  // --out and the report directory, every file at any depth.
  for (const name of readdirSync(out, { recursive: true }).map(String)) {
    const path = join(out, name);
    if (statSync(path).isFile()) haystacks.push({ what: `--out ${name}`, bytes: readFileSync(path) });
  }
  const storeFiles = readdirSync(dir).filter((n) => n.startsWith("results.db"));
  assert.ok(storeFiles.includes("results.db"));
  assert.ok(storeFiles.includes("results.db-wal") && statSync(`${store}-wal`).size > 0, `the WAL is there to search: ${storeFiles.join(", ")}`);
  for (const name of storeFiles) haystacks.push({ what: `store ${name}`, bytes: readFileSync(join(dir, name)) });
  assert.ok(haystacks.length >= 20, `${haystacks.length} outputs searched`);
  const storeBytes = storeFiles.reduce((n, name) => n + statSync(join(dir, name)).size, 0);
  assert.ok(storeBytes > 10_000, `the store holds the runs: ${storeBytes} bytes`);

  const leaks: string[] = [];
  for (const [kind, secret] of Object.entries(SECRETS)) {
    // As written, percent-encoded (as in a URL), and in JSON's escaping.
    const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
    for (const h of haystacks) {
      for (const form of forms) if (h.bytes.includes(Buffer.from(form))) leaks.push(`${kind} secret in ${h.what}`);
    }
  }
  assert.deepEqual(leaks, []);
  // The searches can fail: the stored suite really holds the targets, with the secrets masked.
  const shown = outputs.find((o) => o.what === "show 2 --format json: stdout")?.text ?? "";
  assert.match(shown, /r_url:\*\*\*@127\.0\.0\.1/);
  assert.match(shown, /"password": "\*\*\*"/);
  assert.match(shown, /"passwordFile": "pw\.txt"/);
  assert.match(shown, /"Authorization": "\*\*\*"/);
  assert.match(shown, /"X-Trace": "\*\*\*"/);
  assert.match(shown, /select length\('\*\*\*'\)/);
  assert.ok(existsSync(join(out, "results.json")));
});
