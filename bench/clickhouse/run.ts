// bench/clickhouse: pipebench's ClickHouse insert against `clickhouse-client --query "INSERT …
// FORMAT TSV"` reading the same rows from a file (same generator and seed, same TSV encoder), into
// the same server (scripts/clickhouse-local, started here), interleaved, several rounds, medians.
// Both are timed as whole processes from the outside; pipebench's own measured throughput is
// printed beside it. Usage: npx tsx bench/clickhouse/run.ts [--rows 1000000] [--rounds 3]
// [--set scenarios.insert.workload.format=RowBinary …] (passed to pipebench run: its variants).
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generators } from "../../src/data/index.js";
import { encoderFor } from "../../src/drivers/clickhouse/encode.js";
import { featuresOf, parseVersion } from "../../src/drivers/clickhouse/server-features.js";
import { clickHouseColumn, createTableSql } from "../../src/drivers/clickhouse/table.js";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, rounds: { type: "string", default: "3" }, set: { type: "string", multiple: true, default: [] } },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const BATCH = 100_000;
if (rows % BATCH !== 0) throw new Error(`--rows must be a multiple of ${BATCH}`);
const LOCAL = "scripts/clickhouse-local";

function timed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdinFile?: string } = {}): { ms: number; stdout: string } {
  const stdin = options.stdinFile === undefined ? "ignore" : openSync(options.stdinFile, "r");
  const start = performance.now();
  const r = spawnSync(command, args, { env: options.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20, stdio: [stdin, "pipe", "pipe"] });
  const ms = performance.now() - start;
  if (typeof stdin === "number") closeSync(stdin);
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), "pipebench-bench-ch-"));
const started = timed(LOCAL, ["start", "--owner-pid", String(process.pid)]).stdout;
const match = /^url=(\S+) dir=(\S+) pid=(\d+)$/m.exec(started);
if (!match) throw new Error(`${LOCAL} start printed no url line: ${started}`);
const [, url = "", dir = "", pid = ""] = match;
const tcpPort = readFileSync(join(dir, "tcp.port"), "utf8").trim();
try {
  const client = (sql: string, stdinFile?: string): number =>
    timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", sql], stdinFile === undefined ? {} : { stdinFile }).ms;
  const version = timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", "SELECT version()"]).stdout.trim();
  const columns = generators["market-ticks"].columns.map((c) => clickHouseColumn(c, featuresOf(parseVersion(version), undefined)));
  client(createTableSql("bench_ticks", columns, {}));

  // The same generator and seed pipebench uses, encoded by the same TSV encoder.
  const file = join(work, "rows.tsv");
  const encode = encoderFor("TSV", columns);
  const source = generators["market-ticks"].create(1);
  const parts: Buffer[] = [];
  for (let first = 0; first < rows; first += BATCH) parts.push(encode(source, first, BATCH));
  const data = Buffer.concat(parts);
  writeFileSync(file, data);

  const nativeRates: number[] = [];
  const pbRates: number[] = [];
  const pbSelfRates: number[] = [];
  const store = join(work, "results.db");
  console.log(`${rows.toLocaleString("en-US")} market-ticks rows (${(data.length / 1e6).toFixed(1)} MB of TSV), one connection, ClickHouse ${version}`);
  for (let round = 1; round <= rounds; round++) {
    client("TRUNCATE TABLE bench_ticks");
    const ms = client("INSERT INTO bench_ticks FORMAT TSV", file);
    nativeRates.push(rows / (ms / 1000));

    client("TRUNCATE TABLE bench_ticks");
    const pb = timed(
      process.execPath,
      ["bin/pipebench.js", "run", "bench/clickhouse/suite.yaml", "--set", `scenarios.insert.load.iterations=${rows / BATCH}`, ...values.set.flatMap((v) => ["--set", v]), "--store", store, "--format", "json", "--allow-invalid"],
      { env: { ...process.env, PIPEBENCH_BENCH_CH_URL: url } },
    );
    const result = JSON.parse(pb.stdout) as { scenarioResults: { result: { records: number; throughput: number } }[] };
    const scenario = result.scenarioResults[0]?.result;
    if (scenario?.records !== rows) throw new Error(`pipebench wrote ${scenario?.records} rows, expected ${rows}`);
    const stored = Number(timed("clickhouse-client", ["--host", "127.0.0.1", "--port", tcpPort, "--query", "SELECT count() FROM bench_ticks"]).stdout.trim());
    if (stored !== rows) throw new Error(`the table holds ${stored} rows after pipebench's run, expected ${rows}`);
    pbRates.push(rows / (pb.ms / 1000));
    pbSelfRates.push(scenario.throughput);
    console.log(
      `round ${round}: clickhouse-client ${Math.round(nativeRates.at(-1) ?? 0).toLocaleString("en-US")} rows/s · ` +
        `pipebench ${Math.round(pbRates.at(-1) ?? 0).toLocaleString("en-US")} rows/s (whole process; ` +
        `${Math.round(scenario.throughput).toLocaleString("en-US")} rows/s as it measures itself)`,
    );
  }
  const nativeMedian = median(nativeRates);
  console.log("");
  console.log(`median clickhouse-client:      ${Math.round(nativeMedian).toLocaleString("en-US")} rows/s (whole process)`);
  console.log(`median pipebench, measured:    ${Math.round(median(pbSelfRates)).toLocaleString("en-US")} rows/s (the scenario's own throughput)`);
  console.log(`median pipebench, whole run:   ${Math.round(median(pbRates)).toLocaleString("en-US")} rows/s (node start, module load, connect, store included)`);
  console.log(`ratio pipebench / clickhouse-client: ${(median(pbSelfRates) / nativeMedian).toFixed(2)} measured, ${(median(pbRates) / nativeMedian).toFixed(2)} whole process (goal ≥ 1.0)`);
} finally {
  spawnSync(LOCAL, ["stop", pid], { stdio: "inherit" });
  rmSync(work, { recursive: true, force: true });
}
