// The quickstart's ingest service, end to end as the quickstart runs it: an embedded PostgreSQL,
// the service started by the http driver (`start:` with DATABASE_URL = {{targets.pg.url}}), and
// generated transactions posted to it.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { generators } from "../../../src/data/index.js";
import type { Connection, OpContext } from "../../../src/drivers/driver.js";
import { http, HttpTargetSchema, HttpWorkloadSchema, type HttpWorkload } from "../../../src/drivers/http/index.js";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../../src/drivers/postgres/embedded.js";
import { parseTransaction } from "../../../src/quickstart/ingest-app.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

function op(seq: number): OpContext {
  return { signal: new AbortController().signal, seq, worker: 0, sent() {} };
}

describe("quickstart ingest service", () => {
  let database: EmbeddedPostgres;
  let service: Connection<HttpWorkload>;

  before(async () => {
    database = await startEmbeddedPostgres({ target: "pg" });
    const target = HttpTargetSchema.parse({
      kind: "http",
      start: {
        // The source through tsx; the quickstart suite runs the compiled dist/quickstart/ingest-service.js.
        command: ["node", "--import", "tsx", "src/quickstart/ingest-service.ts"],
        env: { DATABASE_URL: "{{targets.pg.url}}" },
        ready: "/health",
      },
    });
    service = await http.connect(target, {
      name: "ingest",
      suiteDir: repo,
      log: () => undefined,
      resolveRef: (ref) => (ref === "targets.pg.url" ? database.url : undefined),
    });
  });
  after(async () => {
    await service?.close();
    await database?.stop();
  });

  it("stores the transactions posted to it", async () => {
    const ingest = await service.prepare(
      HttpWorkloadSchema.parse({ type: "request", method: "POST", path: "/ingest", body: { generator: "transactions", seed: 5 }, expect: { status: 201 } }),
      "ingest",
    );
    const posts = 60;
    // Ten at a time, as a closed-loop executor with 10 workers would.
    for (let start = 0; start < posts; start += 10) {
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, k) => ingest.run(op(start + k))));
      for (const outcome of outcomes) assert.equal(outcome?.records, 1);
    }

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string; fraud: string }>("SELECT count(*) AS n, count(*) FILTER (WHERE is_fraud) AS fraud FROM transactions");
      assert.equal(Number(rows[0]?.n), posts);
      const expected = generators.transactions.create(5).object(17);
      const stored = await client.query("SELECT transaction_id, customer_id, amount::float8 AS amount, currency, category FROM transactions WHERE transaction_id = $1", [expected.transaction_id]);
      assert.deepEqual(stored.rows[0], {
        transaction_id: expected.transaction_id,
        customer_id: expected.customer_id,
        amount: expected.amount,
        currency: expected.currency,
        category: expected.category,
      });
    } finally {
      await client.end();
    }
  });

  it("answers 400 to bad JSON and to a transaction without an amount", async () => {
    const post = (body: string) =>
      service.prepare(HttpWorkloadSchema.parse({ type: "request", method: "POST", path: "/ingest", body }), "bad");
    await assert.rejects((await post("{not json")).run(op(0)), { code: "HTTP_400", message: /the body is not valid JSON/ });
    await assert.rejects((await post('{"currency":"USD"}')).run(op(0)), { code: "HTTP_400", message: /amount is required/ });
    const health = await service.prepare(HttpWorkloadSchema.parse({ type: "request", path: "/health" }), "health");
    assert.equal((await health.run(op(0)))?.records, 1);
  });
});

describe("ingest service validation", () => {
  it("accepts a generated transaction and fills in what is optional", () => {
    const generated = generators.transactions.create(1).object(0);
    assert.deepEqual(parseTransaction(generated), { ok: true, value: generated });
    const minimal = parseTransaction({ amount: 12.5 });
    assert.ok(minimal.ok);
    assert.equal(minimal.value.currency, "USD");
    assert.match(minimal.value.transaction_id, /^[0-9a-f-]{36}$/);
  });

  it("names the field that is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ amount: "12" }, /amount/],
      [{ amount: -1 }, /amount/],
      [{ amount: 1, transaction_id: "x" }, /transaction_id/],
      [{ amount: 1, timestamp: "yesterday" }, /timestamp/],
      [{ amount: 1, customer_id: 1.5 }, /customer_id/],
      [{ amount: 1, currency: "usd" }, /currency/],
      [{ amount: 1, is_fraud: "no" }, /is_fraud/],
    ];
    for (const [body, field] of cases) {
      const parsed = parseTransaction(body);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, field);
    }
  });
});
