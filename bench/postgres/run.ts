// bench/postgres: pipebench's COPY insert against `psql \copy` of the same rows into the same
// server (an embedded PostgreSQL started here), run side by side, interleaved, several rounds.
// Both are timed as whole processes from the outside; pipebench's own measured throughput is
// printed beside it. Usage: npx tsx bench/postgres/run.ts [--rows 1000000] [--rounds 3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeCopyBatch, generators } from "../../src/data/index.js";
import { startEmbeddedPostgres } from "../../src/drivers/postgres/embedded.js";
import { median } from "../stats.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, rounds: { type: "string", default: "3" } } });
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const BATCH = 10_000;
if (rows % BATCH !== 0) throw new Error(`--rows must be a multiple of ${BATCH}`);

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(command, args, { env, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), "pipebench-bench-pg-"));
const server = await startEmbeddedPostgres({ log: () => undefined });
try {
  const url = server.url;
  const psql = (sql: string): void => void timed("psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]);
  const columns = generators["server-metrics"].columns;
  const ddl = columns.map((c) => `${c.name} ${c.sqlType}`).join(", ");
  psql(`create table bench_metrics (${ddl})`);

  // The same generator and seed pipebench uses, encoded by the same COPY text encoder.
  const file = join(work, "rows.tsv");
  const source = generators["server-metrics"].create(1);
  const parts: Buffer[] = [];
  for (let first = 0; first < rows; first += BATCH) parts.push(encodeCopyBatch(source, first, BATCH));
  const data = Buffer.concat(parts);
  writeFileSync(file, data);

  const psqlRates: number[] = [];
  const pbRates: number[] = [];
  const pbSelfRates: number[] = [];
  const store = join(work, "results.db");
  console.log(`${rows.toLocaleString("en-US")} server-metrics rows (${(data.length / 1e6).toFixed(1)} MB of COPY text), one connection, PostgreSQL ${server.version}`);
  for (let round = 1; round <= rounds; round++) {
    psql("truncate bench_metrics");
    const p = timed("psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy bench_metrics from '${file}'`]);
    psqlRates.push(rows / (p.ms / 1000));

    psql("truncate bench_metrics");
    const pb = timed(
      process.execPath,
      ["bin/pipebench.js", "run", "bench/postgres/suite.yaml", "--set", `scenarios.copy.load.iterations=${rows / BATCH}`, "--store", store, "--format", "json"],
      { ...process.env, PIPEBENCH_BENCH_PG_URL: url },
    );
    const result = JSON.parse(pb.stdout) as { scenarioResults: { result: { records: number; throughput: number } }[] };
    const scenario = result.scenarioResults[0]?.result;
    if (scenario?.records !== rows) throw new Error(`pipebench wrote ${scenario?.records} rows, expected ${rows}`);
    pbRates.push(rows / (pb.ms / 1000));
    pbSelfRates.push(scenario.throughput);
    console.log(
      `round ${round}: psql \\copy ${Math.round(psqlRates.at(-1) ?? 0).toLocaleString("en-US")} rows/s · ` +
        `pipebench ${Math.round(pbRates.at(-1) ?? 0).toLocaleString("en-US")} rows/s (whole process; ` +
        `${Math.round(scenario.throughput).toLocaleString("en-US")} rows/s as it measures itself)`,
    );
  }
  const psqlMedian = median(psqlRates);
  console.log("");
  console.log(`median psql \\copy:             ${Math.round(psqlMedian).toLocaleString("en-US")} rows/s (whole process)`);
  console.log(`median pipebench, measured:    ${Math.round(median(pbSelfRates)).toLocaleString("en-US")} rows/s (the scenario's own throughput)`);
  console.log(`median pipebench, whole run:   ${Math.round(median(pbRates)).toLocaleString("en-US")} rows/s (node start, module load, connect, store included)`);
  console.log(`ratio pipebench / psql: ${(median(pbSelfRates) / psqlMedian).toFixed(2)} measured, ${(median(pbRates) / psqlMedian).toFixed(2)} whole process (goal ≥ 0.95)`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
