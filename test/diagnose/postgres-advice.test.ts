// The PostgreSQL advice runs as printed. A real server with small settings (128kB shared_buffers,
// 64kB work_mem, max_connections 12) is driven through the CLI by a suite whose statements are slow
// in the ways the rules know, with literals, a parameter holding a quote and a comment in the SQL.
// Every SQL statement the postgres findings print is then taken from the finding's text and pasted
// into that server: EXPLAINs run, CREATE INDEX CONCURRENTLY runs (and the index is there after),
// ALTER SYSTEM runs and is reset. An index the table already has is not advised again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import type { Finding } from "../../src/diagnose/diagnose.js";
import { POSTGRES_RULES } from "../../src/diagnose/rules/postgres.js";
import { ResultsStore } from "../../src/store/results-store.js";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";

const db = useEmbeddedPostgres({ settings: { shared_buffers: "128kB", work_mem: "64kB", max_connections: 12, max_wal_senders: 0 } });
const dir = mkdtempSync(join(tmpdir(), "pipebench-pg-advice-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const suite = join(dir, "advice.yaml");

/**
 * The SQL statements a finding's text holds, as a user would copy them: each from its leading
 * keyword (written in capitals by the rules, prose is not) to the semicolon that ends it outside
 * quotes. A `-- ` comment (a statement pipebench could not match, shown for reference) runs to the
 * next numbered item and is not a command.
 */
export function printedSql(text: string): string[] {
  const withoutComments = text.replace(/ -- .*?(?= \(\d+\) |$)/g, "");
  const out: string[] = [];
  const start = /\b(EXPLAIN \(|CREATE INDEX|ALTER SYSTEM|SELECT pg_reload_conf|BEGIN;|ROLLBACK;)/g;
  for (let m = start.exec(withoutComments); m !== null; m = start.exec(withoutComments)) {
    let quoted = false;
    let end = m.index;
    for (; end < withoutComments.length; end++) {
      const ch = withoutComments[end];
      if (ch === "'") quoted = !quoted;
      else if (ch === ";" && !quoted) break;
    }
    assert.ok(end < withoutComments.length, `no ; ends the statement at ${withoutComments.slice(m.index, m.index + 80)}`);
    out.push(withoutComments.slice(m.index, end + 1));
    start.lastIndex = end + 1;
  }
  return out;
}

let run: StoredRun;
let printed: Finding[];
let ran: Promise<void> | undefined;

/** The suite run once, the first test that needs it (the server is up by then), then diagnosed. */
const ready = (): Promise<void> => (ran ??= runSuite());

async function runSuite(): Promise<void> {
  writeFileSync(
    suite,
    `name: pg-advice
targets:
  pg:
    kind: postgres
    url: ${db.url}
    pool: 8
    setup:
      - drop table if exists metrics_hot
      - create table metrics_hot (time timestamptz not null, metric_name text not null, value double precision, host text)
      - >-
        insert into metrics_hot
        select now() - g * interval '100 milliseconds', case when g % 10 = 0 then 'mem' else 'cpu' end, random(), 'server-' || (g % 40)
        from generate_series(1, 400000) g
      - create index metrics_hot_metric_time on metrics_hot (metric_name, time desc)
      - analyze metrics_hot
    queries:
      # Literals, as the quickstart writes them: pg_stat_statements shows them as $1, $2, $3.
      last-day: >-
        select date_trunc('hour', time) as hour, avg(value) as avg_cpu
        from metrics_hot
        where metric_name = 'cpu' and time > now() - interval '24 hours'
        group by hour order by hour
probes:
  - { kind: postgres-stats, target: pg, every: 200ms }
scenarios:
  last-day:
    target: pg
    workload: { type: query, query: last-day }
    load: { executor: closed, workers: 1, iterations: 8 }
  by-host:
    target: pg
    workload:
      type: query
      sql: |
        select count(*), max(value) -- the host's busy readings
        from metrics_hot
        where host = $1 and value > $2
      params: ["server-7's", 0.25]
    load: { executor: closed, workers: 8, iterations: 48 }
  spill:
    target: pg
    workload: { type: query, sql: "select host, value from metrics_hot order by value desc limit 5 offset 100000" }
    load: { executor: closed, workers: 1, iterations: 4 }
`,
  );
  const r = await pipebench(["run", "--allow-invalid", suite, "--store", store]);
  assert.ok(r.code === 0 || r.code === 1, `${r.code} ${r.stderr}`);
  const d = await pipebench(["diagnose", "latest", "--store", store, "--format", "json"]);
  assert.equal(d.code, 0, d.stderr);
  printed = (JSON.parse(d.stdout) as { findings: Finding[] }).findings.filter((f) => f.area === "postgres");
  const s = await ResultsStore.open(store, { create: false });
  try {
    const stored = await s.getRun("latest");
    assert.ok(stored);
    run = stored;
  } finally {
    await s.close();
  }
}

/** Every postgres finding of every scenario (diagnose prints a rule once, for its worst scenario). */
async function everyScenarioFinding(): Promise<{ scenario: string; id: string; text: string }[]> {
  await ready();
  return everyScenarioFindingNow();
}

function everyScenarioFindingNow(): { scenario: string; id: string; text: string }[] {
  return run.scenarioResults.flatMap((scenario) =>
    POSTGRES_RULES.flatMap((rule) => {
      const e = rule.evaluate({ run, scenario });
      return e === undefined ? [] : [{ scenario: scenario.name, id: rule.id, text: `${e.body.recommendation}` }];
    }),
  );
}

async function withClient<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

test("the run shows the four postgres findings, each citing its runbook and the manual", async () => {
  await ready();
  const ids = printed.map((f) => f.id).sort();
  for (const id of ["postgres.cache-hit-low", "postgres.connections-high", "postgres.slow-statements", "postgres.temp-files"]) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);
  for (const f of printed) {
    assert.match(f.runbook, /^docs\/runbooks\/postgres-[\w-]+\.md · /, f.id);
    assert.match(f.runbook, /https:\/\/www\.postgresql\.org\/docs\/current\/[\w-]+\.html/, f.id);
    assert.doesNotMatch(f.runbook, /seed \d|DESIGN principle/, f.id);
  }
});

test("slow statements: each is matched to the suite's SQL and its EXPLAIN carries the suite's literals and params", async () => {
  const slow = (await everyScenarioFinding()).filter((f) => f.id === "postgres.slow-statements");
  const of = (scenario: string) => slow.find((f) => f.scenario === scenario)?.text ?? "";
  // pg_stat_statements' $n never reach a command.
  for (const f of slow) for (const sql of printedSql(f.text)) assert.doesNotMatch(sql, /\$\d/, sql);
  assert.match(of("last-day"), /EXPLAIN \(ANALYZE, BUFFERS\) select date_trunc\('hour', time\) as hour, avg\(value\) as avg_cpu from metrics_hot where metric_name = 'cpu' and time > now\(\) - interval '24 hours' group by hour order by hour;/);
  // The parameter with a quote in it is a quoted literal; the comment in the SQL is gone.
  assert.match(of("by-host"), /EXPLAIN \(ANALYZE, BUFFERS\) select count\(\*\), max\(value\) from metrics_hot where host = 'server-7''s' and value > '0\.25';/);
});

test("an index the table has is named, not advised again; one it lacks is advised", async () => {
  const slow = (await everyScenarioFinding()).filter((f) => f.id === "postgres.slow-statements");
  const lastDay = slow.find((f) => f.scenario === "last-day")?.text ?? "";
  assert.doesNotMatch(lastDay, /CREATE INDEX/);
  assert.match(lastDay, /metrics_hot already has index metrics_hot_metric_time \(metric_name, "?time"?\)/);
  const byHost = slow.find((f) => f.scenario === "by-host")?.text ?? "";
  assert.match(byHost, /CREATE INDEX CONCURRENTLY ON metrics_hot \(host, value\);/);
});

test("every SQL statement the postgres findings print runs on the real server", async () => {
  const texts = [...(await everyScenarioFinding()), ...printed.map((f) => ({ id: f.id, text: f.recommendation }))];
  const statements = [...new Set(texts.flatMap((t) => printedSql(t.text)))];
  assert.ok(statements.some((s) => s.startsWith("EXPLAIN")), statements.join("\n"));
  assert.ok(statements.some((s) => s.startsWith("CREATE INDEX")), statements.join("\n"));
  assert.ok(statements.some((s) => s.startsWith("ALTER SYSTEM SET shared_buffers")), statements.join("\n"));
  assert.ok(statements.some((s) => s.startsWith("ALTER SYSTEM SET work_mem")), statements.join("\n"));
  await withClient(async (c) => {
    for (const sql of statements) {
      if (sql === "BEGIN;" || sql === "ROLLBACK;") continue;
      if (sql.startsWith("EXPLAIN")) {
        // EXPLAIN ANALYZE runs the statement: in a transaction rolled back, whatever it is.
        await c.query("begin");
        try {
          const plan = await c.query(sql);
          assert.ok(plan.rows.length > 0, sql);
        } finally {
          await c.query("rollback");
        }
      } else if (sql.startsWith("CREATE INDEX CONCURRENTLY")) {
        // Cannot run in a transaction: it runs, the index is there, and is dropped again.
        const names = async () => (await c.query<{ indexname: string }>("select indexname from pg_indexes where tablename = 'metrics_hot'")).rows.map((r) => r.indexname);
        const had = await names();
        await c.query(sql);
        const made = (await names()).filter((n) => !had.includes(n));
        assert.equal(made.length, 1, sql);
        for (const name of made) await c.query(`drop index ${c.escapeIdentifier(name)}`);
      } else if (sql.startsWith("ALTER SYSTEM SET")) {
        // Cannot run in a transaction either: it writes postgresql.auto.conf, which is then reset.
        const name = /^ALTER SYSTEM SET (\w+)/.exec(sql)?.[1] ?? "";
        await c.query(sql);
        const auto = await c.query<{ setting: string }>("select setting from pg_file_settings where name = $1 and sourcefile like '%postgresql.auto.conf'", [name]);
        assert.equal(auto.rows.length, 1, `${sql} is in postgresql.auto.conf`);
        await c.query(`ALTER SYSTEM RESET ${name}`);
      } else {
        await c.query(sql);
      }
    }
  });
});
