import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { z } from "zod";
import { PostgresTargetSchema, PostgresWorkloadSchema } from "../../../src/drivers/postgres/schema.js";

function issues(result: z.ZodSafeParseResult<unknown>): { path: string; message: string; fix?: unknown }[] {
  if (result.success) return [];
  return result.error.issues.map((i) => ({
    path: i.path.join("."),
    message: i.message,
    ...("params" in i && i.params !== undefined ? { fix: (i.params as { fix?: unknown }).fix } : {}),
  }));
}

describe("postgres target schema", () => {
  test("a url target gets the defaults", () => {
    const target = PostgresTargetSchema.parse({ kind: "postgres", url: "postgres://u:p@db:5432/x" });
    assert.deepEqual(target, { kind: "postgres", url: "postgres://u:p@db:5432/x", pool: 10, setup: [], queries: {} });
  });

  test("embedded: true, or embedded options, need no url", () => {
    assert.ok(PostgresTargetSchema.safeParse({ kind: "postgres", embedded: true }).success);
    const parsed = PostgresTargetSchema.parse({ kind: "postgres", embedded: { version: 18, settings: { work_mem: "64MB", max_connections: 200 } } });
    assert.deepEqual(parsed.embedded, { version: "18", settings: { work_mem: "64MB", max_connections: 200 } });
  });

  const bad: [string, unknown, string, RegExp][] = [
    ["neither url nor embedded", { kind: "postgres" }, "url", /url.*embedded/],
    ["embedded: false and no url", { kind: "postgres", embedded: false }, "url", /url.*embedded/],
    ["both url and embedded", { kind: "postgres", url: "postgres://h/db", embedded: true }, "embedded", /not both/],
    ["a url of another scheme", { kind: "postgres", url: "mysql://h/db" }, "url", /not a postgres:\/\/ URL/],
  ];
  for (const [name, input, path, message] of bad) {
    test(`${name}: one issue at ${path}, with a fix`, () => {
      const found = issues(PostgresTargetSchema.safeParse(input));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.path, path);
      assert.match(found[0]?.message ?? "", message);
      assert.equal(typeof found[0]?.fix, "string");
    });
  }

  test("unknown keys are errors", () => {
    const found = issues(PostgresTargetSchema.safeParse({ kind: "postgres", embedded: true, pools: 3 }));
    assert.ok(found.some((i) => /pools/.test(i.message)), JSON.stringify(found));
  });
});

describe("postgres workload schema", () => {
  test("insert defaults: copy, batches of 1000, seed 1, create the table", () => {
    const w = PostgresWorkloadSchema.parse({ type: "insert", table: "metrics_hot", generator: "server-metrics" });
    assert.deepEqual(w, { type: "insert", table: "metrics_hot", method: "copy", batchSize: 1000, generator: "server-metrics", seed: 1, createTable: true });
  });

  test("an unknown generator lists the known ones", () => {
    const found = issues(PostgresWorkloadSchema.safeParse({ type: "insert", table: "t", generator: "nope" }));
    assert.equal(found[0]?.path, "generator");
    assert.match(found[0]?.message ?? "", /server-metrics/);
  });

  test("a table name that is not a plain identifier is refused with a fix", () => {
    const found = issues(PostgresWorkloadSchema.safeParse({ type: "insert", table: "t; drop table x", generator: "transactions" }));
    assert.equal(found[0]?.path, "table");
    assert.equal(typeof found[0]?.fix, "string");
  });

  const queries: [string, unknown, boolean][] = [
    ["a named query", { type: "query", query: "hot" }, true],
    ["inline SQL with params", { type: "query", sql: "select $1::int", params: [1] }, true],
    ["both query and sql", { type: "query", query: "hot", sql: "select 1" }, false],
    ["neither query nor sql", { type: "query" }, false],
  ];
  for (const [name, input, ok] of queries) {
    test(`query workload, ${name}: ${ok ? "accepted" : "refused"}`, () => {
      assert.equal(PostgresWorkloadSchema.safeParse(input).success, ok);
    });
  }
});
