// The postgres-stats probe on a real server reads the indexes of the tables the statements name
// (columns in index order), keeps its own catalog reads out of the statements, and the literals the
// diagnosis inlines read back as the values node-postgres sends as parameters.
import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { sqlLiteral } from "../../src/probes/postgres-sql-text.js";
import { postgresStatsProbe } from "../../src/probes/postgres-stats.js";
import type { JsonValue } from "../../src/probes/probe.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";

const db = useEmbeddedPostgres();

test("the probe reads the indexes of the tables the statements touch, in column order", async () => {
  await db.sql(`create schema app;
    create table app.readings (time timestamptz not null, metric_name text, host text, value float8);
    create index readings_metric_time on app.readings (metric_name, time desc);
    create index readings_host_lower on app.readings (lower(host)) where value > 0;
    create table untouched (id int primary key)`);
  const probe = postgresStatsProbe({ url: db.url });
  try {
    const before = await probe.read();
    await db.sql("select count(*) from app.readings where metric_name = $1 and host = $2", ["cpu", "h1"]);
    const after = await probe.read();
    const reading = probe.summarize(before, after);
    const details = reading.details as { indexes?: { table: string; relation: string; name: string; columns: string[]; partial: boolean }[]; top_statements?: { query: string }[] };
    const indexes = (details.indexes ?? []).filter((i) => i.relation === "app.readings");
    assert.deepEqual(
      indexes.map((i) => [i.table, i.name, i.columns, i.partial]),
      [
        ["app.readings", "readings_host_lower", ["lower(host)"], true],
        ["app.readings", "readings_metric_time", ["metric_name", '"time"'], false],
      ],
    );
    assert.ok(!(details.indexes ?? []).some((i) => i.relation === "public.untouched"), "a table no statement names is not read");
    // The probe's own reads are not statements of the workload.
    const own = (details.top_statements ?? []).filter((s) => /pg_index|pg_extension/.test(s.query));
    assert.deepEqual(own, []);
  } finally {
    await probe.close();
  }
});

test("an inlined literal is the value node-postgres sends as a parameter", async () => {
  const values: JsonValue[] = ["it's", "back\\slash", "", 0.25, -3, true, null, ["a", 'b"c', null], { k: "v'" }];
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const v of values) {
      const sent = await c.query<{ v: string | null }>("select $1::text as v", [v]);
      const inlined = await c.query<{ v: string | null }>(`select ${sqlLiteral(v)}::text as v`);
      assert.equal(inlined.rows[0]?.v, sent.rows[0]?.v, JSON.stringify(v));
    }
  } finally {
    await c.end();
  }
});
