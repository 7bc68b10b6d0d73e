// The bad-input battery (issue 5): the built CLI on every kind of bad input a person (or a broken
// pipeline) hands it. Each must end in one clear message that names where (file:line:column and
// the field, or host:port) and how to fix it, exit 2 (bad input) or 3 (unreachable), no stack
// trace, and no run in the store. bad-input.test.ts and test/suite/load-suite.test.ts hold the
// finer cases of the suite loader; this file is the breadth, run as a user runs pipebench.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { useEmbeddedPostgres } from "../helpers/postgres.js";
import { pipebench, type CliResult } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-battery-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const pg = useEmbeddedPostgres();

/** Runs in the store; a store that was never created holds none. */
function storedRuns(store: string): number {
  if (!existsSync(store)) return 0;
  const db = new Database(store, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("select count(*) as n from runs").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const DUCK = "targets:\n  duck: { kind: duckdb }\n";
/** A suite with one scenario `q` on DuckDB (in-process: a valid one would run in a second). */
function duckSuite(load: string, extra = ""): string {
  return `${DUCK}scenarios:\n  q:\n    target: duck\n    workload: { type: query, sql: select 1 }\n    load: ${load}\n${extra}`;
}

interface Case {
  name: string;
  /** File content, or a function that makes the input and returns its path. */
  input: string | Buffer | ((file: string) => string);
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  exit: 2 | 3;
  /** Where: matched against stderr (file:line:column and the field, or host:port). */
  where: RegExp;
  /** How to fix it: matched against stderr. */
  fix: RegExp;
}

/** Every input tried, counted for the closing note. */
let tried = 0;

/** At most this many CLIs at once: each is a Node process loading pipebench, CPU-bound. */
const PARALLEL = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, "-");
}

async function run(c: Case): Promise<{ r: CliResult; store: string }> {
  const file = join(dir, `${slug(c.name)}.yaml`);
  const path = typeof c.input === "function" ? c.input(file) : (writeFileSync(file, c.input), file);
  const store = join(dir, `${slug(c.name)}.db`);
  const r = await limited(() => pipebench(["run", path, "--store", store, ...(c.args ?? [])], c.env ?? {}, 60_000));
  tried++;
  return { r, store };
}

function check(c: Case, { r, store }: { r: CliResult; store: string }): void {
  const out = `exit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
  assert.equal(r.code, c.exit, out);
  assert.match(r.stderr, c.where, out);
  assert.match(r.stderr, c.fix, out);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `no stack trace, no internal error\n${out}`);
  // One message: one problem for a suite, one error line (and its hint) for a target or a flag.
  if (c.exit === 2 && c.args === undefined) assert.match(r.stderr, /^1 problem in /m, out);
  assert.ok(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length <= 1, out);
  assert.ok(r.stderr.length < 2000, `short: ${r.stderr.length} characters\n${out}`);
  assert.equal(r.stdout.trim(), "", `nothing on stdout\n${out}`);
  assert.equal(storedRuns(store), 0, `nothing stored\n${out}`);
}

async function attempt(c: Case): Promise<CliResult> {
  const ran = await run(c);
  check(c, ran);
  return ran.r;
}

/** Starts every case of the group at once (a few CLIs at a time); each test checks its own. */
function battery(cases: readonly Case[]): void {
  const results = new Map<Case, Promise<{ r: CliResult; store: string }>>();
  before(() => {
    for (const c of cases) {
      const p = run(c);
      p.catch(() => undefined); // awaited by its test; not an unhandled rejection meanwhile
      results.set(c, p);
    }
  });
  for (const c of cases) {
    test(c.name, async () => {
      const ran = results.get(c);
      assert.ok(ran !== undefined);
      check(c, await ran);
    });
  }
}

describe("YAML and files that are not suites", () => {
  battery([
    {
      name: "malformed YAML: an unclosed {",
      input: "targets:\n  duck: { kind: duckdb\nscenarios:\n  q: 1\n",
      exit: 2,
      where: /unclosed-.*\.yaml:3:1\s+YAML:/,
      fix: /close the \{ or \[/,
    },
    {
      name: "malformed YAML: bad indentation",
      input: `${DUCK}scenarios:\n  q:\n    target: duck\n   workload: { type: query, sql: select 1 }\n`,
      exit: 2,
      where: /indentation\.yaml:6:\d+\s+YAML:/,
      fix: /indent|same column/,
    },
    {
      name: "malformed YAML: a tab for indentation",
      input: `${DUCK}scenarios:\n  q:\n\ttarget: duck\n`,
      exit: 2,
      where: /indentation\.yaml:5:\d+\s+YAML:/,
      fix: /spaces/,
    },
    {
      name: "a duplicate key",
      input: duckSuite("{ executor: closed, workers: 1, iterations: 1 }").replace("    target: duck\n", "    target: duck\n    target: duck\n"),
      exit: 2,
      where: /duplicate-key\.yaml:6:5\s+YAML: Map keys must be unique/,
      fix: /a key may appear once per map/,
    },
    {
      name: "an empty file",
      input: "",
      exit: 2,
      where: /an-empty-file\.yaml\s+the suite is empty/,
      fix: /start from suites\/quickstart\.yaml/,
    },
    {
      name: "only comments",
      input: "# TODO: write the suite\n",
      exit: 2,
      where: /only-comments\.yaml\s+the suite is empty/,
      fix: /start from suites\/quickstart\.yaml/,
    },
    {
      name: "a list instead of a map",
      input: "- targets\n- scenarios\n",
      exit: 2,
      where: /a-list-instead-of-a-map\.yaml:1:1\s+a suite is a map/,
      fix: /start from suites\/quickstart\.yaml/,
    },
    {
      name: "binary garbage",
      // Deterministic bytes: a PNG header, NULs, bytes that are not UTF-8.
      input: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe, 0xc3, 0x28, ...Buffer.from("IHDR")]),
      exit: 2,
      where: /binary-garbage\.yaml:1:\d+\s+not a text file/,
      fix: /YAML text file in UTF-8/,
    },
    {
      name: "a suite saved as UTF-16",
      input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(duckSuite("{ executor: closed, workers: 1, iterations: 1 }"), "utf16le")]),
      exit: 2,
      where: /UTF-16\.yaml:1:\d+\s+not a text file/,
      fix: /save it as UTF-8/,
    },
    {
      name: "a 10 MB suite",
      input: (file) => {
        const one = "  q{i}:\n    target: duck\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n";
        const n = Math.ceil((10 * 1024 * 1024) / one.length);
        writeFileSync(file, `${DUCK}scenarios:\n${Array.from({ length: n }, (_, i) => one.replace("{i}", String(i))).join("")}`);
        return file;
      },
      exit: 2,
      where: /10-MB-suite\.yaml\s+the file is 10\.\d MB; a suite may be at most 1 MB/,
      fix: /split or trim/,
    },
    {
      name: "an alias bomb (billion laughs)",
      input: [
        "a: &a [x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
        "",
      ].join("\n"),
      exit: 2,
      where: /alias-bomb.*\.yaml\s+YAML: .*aliases/,
      fix: /fewer nested aliases/,
    },
    {
      name: "a directory instead of a file",
      input: (file) => {
        mkdirSync(file);
        return file;
      },
      exit: 2,
      where: /a-directory-instead-of-a-file\.yaml\s+cannot read the suite: it is a directory/,
      fix: /check the path/,
    },
    {
      name: "a file that is not there",
      input: (file) => `${file}.missing`,
      exit: 2,
      where: /\.yaml\.missing\s+cannot read the suite: no such file/,
      fix: /check the path/,
    },
  ]);
});

describe("values of the wrong kind", () => {
  battery([
    {
      name: "wrong type: a word for a number",
      input: duckSuite("{ executor: closed, workers: many, iterations: 1 }"),
      exit: 2,
      where: /word-for-a-number\.yaml:7:\d+\s+scenarios\.q\.load\.workers: expected a (whole )?number, got string "many"/,
      fix: /write a (whole )?number/,
    },
    {
      name: "wrong type: a string where a list belongs",
      input: duckSuite("{ executor: closed, workers: 1, iterations: 1 }", "    thresholds: p95 < 5ms\n"),
      exit: 2,
      where: /list-belongs\.yaml:8:\d+\s+scenarios\.q\.thresholds: expected a list, got string/,
      fix: /write a list: \["p95 < 5ms"\]/,
    },
    {
      name: "a negative rate",
      input: duckSuite("{ executor: constant-rate, rate: -5, duration: 1s }"),
      exit: 2,
      where: /negative-rate\.yaml:7:\d+\s+scenarios\.q\.load\.rate: "-5" is not a positive rate/,
      fix: /write operations per second/,
    },
    {
      name: "a zero rate",
      input: duckSuite("{ executor: constant-rate, rate: 0, duration: 1s }"),
      exit: 2,
      where: /zero-rate\.yaml:7:\d+\s+scenarios\.q\.load\.rate: "0" is not a positive rate/,
      fix: /write operations per second/,
    },
    {
      name: "a zero rate in a ramp",
      input: duckSuite("{ executor: ramp, from: 0, to: 10, duration: 1s }"),
      exit: 2,
      where: /ramp\.yaml:7:\d+\s+scenarios\.q\.load\.from: "0" is not a positive rate/,
      fix: /write operations per second/,
    },
    {
      name: "a rate of 400 digits",
      input: duckSuite(`{ executor: constant-rate, rate: "${"9".repeat(400)}", duration: 1s }`),
      exit: 2,
      where: /400-digits\.yaml:7:\d+\s+scenarios\.q\.load\.rate: .* is not a positive rate/,
      fix: /write operations per second/,
    },
    {
      name: "a duration of 0",
      input: duckSuite("{ executor: constant-rate, rate: 10, duration: 0s }"),
      exit: 2,
      where: /duration-of-0\.yaml:7:\d+\s+scenarios\.q\.load\.duration: a duration of 0 runs nothing/,
      fix: /write how long to run/,
    },
    {
      name: "a negative duration",
      input: duckSuite("{ executor: closed, workers: 1, duration: -5s }"),
      exit: 2,
      where: /negative-duration\.yaml:7:\d+\s+scenarios\.q\.load\.duration: "-5s" is not a duration/,
      fix: /a number with a unit/,
    },
    {
      name: "zero iterations",
      input: duckSuite("{ executor: closed, workers: 1, iterations: 0 }"),
      exit: 2,
      where: /zero-iterations\.yaml:7:\d+\s+scenarios\.q\.load\.iterations: must be more than 0/,
      fix: /more than 0/,
    },
    {
      name: "an unknown executor",
      input: duckSuite("{ executor: constant, rate: 10, duration: 1s }"),
      exit: 2,
      where: /unknown-executor\.yaml:7:\d+\s+scenarios\.q\.load\.executor: unknown executor "constant"/,
      fix: /did you mean "constant-rate"\?/,
    },
    {
      name: "an unknown driver",
      input: "targets:\n  mongo: { kind: mongodb, url: mongodb://127.0.0.1 }\nscenarios:\n  q:\n    target: mongo\n    workload: { type: query }\n    load: { executor: closed, workers: 1, iterations: 1 }\n",
      exit: 2,
      where: /unknown-driver\.yaml:2:\d+\s+targets\.mongo\.kind: unknown kind "mongodb"/,
      fix: /use one of postgres, duckdb, http, kafka/,
    },
    {
      name: "a missing environment variable",
      input: "targets:\n  pg: { kind: postgres, url: \"postgres://app:${PIPEBENCH_BATTERY_UNSET}@127.0.0.1:5432/db\" }\nscenarios:\n  q:\n    target: pg\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n",
      env: { PIPEBENCH_BATTERY_UNSET: undefined },
      exit: 2,
      where: /environment-variable\.yaml:2:\d+\s+targets\.pg\.url: environment variable PIPEBENCH_BATTERY_UNSET is not set/,
      fix: /set PIPEBENCH_BATTERY_UNSET or write \$\{PIPEBENCH_BATTERY_UNSET:-default\}/,
    },
  ]);
});

describe("loads that would not end", () => {
  battery([
    {
      name: "constant-rate with a rate and no duration",
      input: duckSuite("{ executor: constant-rate, rate: 100 }"),
      exit: 2,
      where: /no-duration\.yaml:7:\d+\s+scenarios\.q\.load\.duration: required, but missing: without it the load would never end/,
      fix: /add duration: "60s"/,
    },
    {
      name: "a ramp with no duration",
      input: duckSuite("{ executor: ramp, from: 10, to: 100 }"),
      exit: 2,
      where: /ramp-with-no-duration\.yaml:7:\d+\s+scenarios\.q\.load\.duration: required, but missing/,
      fix: /add duration: "60s"/,
    },
    {
      name: "a step with no duration",
      input: duckSuite("{ executor: steps, steps: [{ rate: 10, duration: 1s }, { rate: 20 }] }"),
      exit: 2,
      where: /step-with-no-duration\.yaml:7:\d+\s+scenarios\.q\.load\.steps\[1\]\.duration: required, but missing/,
      fix: /add duration: "60s"/,
    },
    {
      name: "closed with neither duration nor iterations",
      input: duckSuite("{ executor: closed, workers: 4 }"),
      exit: 2,
      where: /nor-iterations\.yaml:7:\d+\s+scenarios\.q\.load: closed needs duration or iterations/,
      fix: /add `duration: "60s"`.*or `iterations: 10000`/,
    },
    {
      name: "max with neither duration nor iterations",
      input: duckSuite("{ executor: max }"),
      exit: 2,
      where: /max-with-neither.*\.yaml:7:\d+\s+scenarios\.q\.load: max needs duration or iterations/,
      fix: /add `duration: "60s"`/,
    },
    {
      name: "--duration 0 on the command line",
      input: duckSuite("{ executor: constant-rate, rate: 10, duration: 1s }"),
      args: ["--duration", "0"],
      exit: 2,
      where: /command-line\.yaml:7:\d+\s+scenarios\.q\.load\.duration: a duration of 0 runs nothing \(from --duration\)/,
      fix: /write how long to run/,
    },
    {
      name: "--max-rate below what a scenario asks",
      input: duckSuite("{ executor: constant-rate, rate: 500, duration: 1s }"),
      args: ["--max-rate", "100"],
      exit: 2,
      where: /error: --max-rate 100\/s: scenario q asks 500\/s \(constant-rate\); nothing was run/,
      fix: /hint: lower the rate in the suite/,
    },
    {
      name: "--max-rate below a ramp's peak, raised by --rate",
      input: duckSuite("{ executor: ramp, from: 10, to: 50, duration: 1s }"),
      args: ["--rate", "2k", "--max-rate", "1k"],
      exit: 2,
      where: /error: --max-rate 1,000\/s: scenario q asks 2,000\/s \(ramp\)/,
      fix: /hint: lower the rate/,
    },
    {
      name: "--max-rate below a sweep's rates",
      input: duckSuite("{ executor: constant-rate, rate: 50, duration: 1s }"),
      args: ["--max-rate", "100", "--sweep", "load.rate=50,150,300"],
      exit: 2,
      where: /error: --max-rate 100\/s: 2 scenarios: q\[rate=150\] asks 150\/s \(constant-rate\), q\[rate=300\] asks 300\/s/,
      fix: /hint: lower the rate/,
    },
    {
      name: "--find-max starting above --max-rate",
      input: duckSuite("{ executor: constant-rate, rate: 50, duration: 1s }"),
      args: ["--max-rate", "100", "--find-max", "--start-rate", "500"],
      exit: 2,
      where: /error: --start-rate 500\/s is above --max-rate 100\/s/,
      fix: /hint: the search never asks more than --max-rate/,
    },
    {
      name: "--max-rate that is not a rate",
      input: duckSuite("{ executor: constant-rate, rate: 10, duration: 1s }"),
      args: ["--max-rate", "lots"],
      exit: 2,
      where: /error: --max-rate lots is not a rate/,
      fix: /hint: write operations per second, e\.g\. --max-rate 1000/,
    },
    {
      name: "--set into Object.prototype",
      input: duckSuite("{ executor: closed, workers: 1, iterations: 1 }"),
      args: ["--set", "targets.duck.__proto__.polluted=yes"],
      exit: 2,
      where: /error: --set targets\.duck\.__proto__\.polluted=yes: "__proto__" is not a key of a suite/,
      fix: /hint: name a field the suite has/,
    },
    {
      name: "--rate 0 on the command line",
      input: duckSuite("{ executor: constant-rate, rate: 10, duration: 1s }"),
      args: ["--rate", "0"],
      exit: 2,
      where: /--rate 0 is not a rate/,
      fix: /hint: write operations per second/,
    },
  ]);
});

describe("thresholds", () => {
  const withThreshold = (t: string): string => duckSuite("{ executor: closed, workers: 1, iterations: 1 }", `    thresholds: ["${t}"]\n`);
  battery([
    {
      name: "a threshold on an unknown metric",
      input: withThreshold("latencyy < 5ms"),
      exit: 2,
      where: /unknown-metric\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "latencyy < 5ms": latencyy is not a scenario metric/,
      fix: /scenario metrics are p50/,
    },
    {
      name: "a threshold on a habit name",
      input: withThreshold("latency < 5ms"),
      exit: 2,
      where: /habit-name\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "latency < 5ms": "latency" is not a metric pipebench records/,
      fix: /did you mean p95\?/,
    },
    {
      name: "a threshold on a percentile that is not recorded",
      input: withThreshold("p97 < 5ms"),
      exit: 2,
      where: /not-recorded\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "p97 < 5ms": p97 is not a recorded percentile/,
      fix: /use one of min, mean, p50/,
    },
    {
      name: "a latency threshold in percent",
      input: withThreshold("p95 < 5%"),
      exit: 2,
      where: /in-percent\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "p95 < 5%": p95 is a duration; "%" does not fit it/,
      fix: /write "p95 < 5ms"/,
    },
    {
      name: "a throughput threshold in milliseconds",
      input: withThreshold("throughput > 5ms"),
      exit: 2,
      where: /in-milliseconds\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "throughput > 5ms": throughput is a rate per second; "ms" does not fit it/,
      fix: /write "throughput > 5\/s"/,
    },
    {
      name: "a threshold with an infinite value",
      input: withThreshold("p95 < 1e400ms"),
      exit: 2,
      where: /infinite-value\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "p95 < 1e400ms": "1e400" is too large to be a number/,
      fix: /write an ordinary number/,
    },
    {
      name: "k6's spelling of a percentile",
      input: withThreshold("p(95) < 5ms"),
      exit: 2,
      where: /spelling-of-a-percentile\.yaml:8:\d+\s+scenarios\.q\.thresholds\[0\]: threshold "p\(95\) < 5ms": "p\(95\)" is k6's spelling/,
      fix: /write p95/,
    },
  ]);
});

describe("targets that cannot be reached", () => {
  test("PostgreSQL on a closed loopback port: host and port, exit 3", async () => {
    const port = await closedPort();
    await attempt({
      name: "unreachable postgres",
      input: `targets:\n  pg: { kind: postgres, url: "postgres://app:pw@127.0.0.1:${port}/app" }\nscenarios:\n  q:\n    target: pg\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n`,
      exit: 3,
      where: new RegExp(`error: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
      fix: /hint: start the server, or set embedded: true/,
    });
  });

  test("an HTTP service on a closed loopback port: host and port, exit 3", async () => {
    const port = await closedPort();
    await attempt({
      name: "unreachable http",
      input: `targets:\n  api: { kind: http, url: "http://127.0.0.1:${port}" }\nscenarios:\n  q:\n    target: api\n    workload: { type: request, path: /x }\n    load: { executor: constant-rate, rate: 10, duration: 1s }\n`,
      exit: 3,
      where: new RegExp(`error: cannot reach http target "api" at 127\\.0\\.0\\.1:${port}: connection refused`),
      fix: new RegExp(`hint: check that the service is running and listening on 127\\.0\\.0\\.1:${port}`),
    });
  });

  test("a Kafka broker on a closed loopback port: host and port, exit 3", async () => {
    const port = await closedPort();
    await attempt({
      name: "unreachable kafka",
      input: `targets:\n  k: { kind: kafka, brokers: ["127.0.0.1:${port}"] }\nscenarios:\n  q:\n    target: k\n    workload: { type: produce, topic: t, recordSize: 10 }\n    load: { executor: constant-rate, rate: 10, duration: 1s }\n`,
      exit: 3,
      where: new RegExp(`error: cannot reach Kafka at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
      fix: /hint: start the broker/,
    });
  });

  test("a real PostgreSQL given the wrong password: names user, host and port, never the password", async () => {
    const url = new URL(pg.url);
    url.password = "wrong-battery-password";
    const r = await attempt({
      name: "wrong password",
      input: `targets:\n  pg: { kind: postgres, url: "${url.toString()}" }\nscenarios:\n  q:\n    target: pg\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n`,
      exit: 3,
      where: new RegExp(`error: PostgreSQL at 127\\.0\\.0\\.1:${url.port} rejected the password of user "postgres" \\(28P01\\)`),
      fix: /check the user and password in targets\.pg\.url/,
    });
    assert.doesNotMatch(r.stderr + r.stdout, /wrong-battery-password/);
  });

  test("a real PostgreSQL without the database named: says how to create it, exit 3", async () => {
    const url = new URL(pg.urlFor("no_such_db"));
    await attempt({
      name: "missing database",
      input: `targets:\n  pg: { kind: postgres, url: "${url.toString()}" }\nscenarios:\n  q:\n    target: pg\n    workload: { type: query, sql: select 1 }\n    load: { executor: closed, workers: 1, iterations: 1 }\n`,
      exit: 3,
      where: new RegExp(`error: PostgreSQL at 127\\.0\\.0\\.1:${url.port} has no database "no_such_db" \\(3D000\\)`),
      fix: /hint: e\.g\. createdb/,
    });
  });
});

test("inputs tried", () => {
  // Printed for the closing note; the battery above is the count.
  process.stdout.write(`# bad inputs tried: ${tried}\n`);
  assert.ok(tried >= 45, `${tried} inputs`);
});
