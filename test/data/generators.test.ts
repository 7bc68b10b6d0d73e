import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GENERATOR_NAMES, generators, type RowSource } from "../../src/data/index.js";

const BASE = Date.UTC(2024, 4, 1, 12, 0, 0);
const rows = (source: RowSource, from: number, count: number) => Array.from({ length: count }, (_, k) => source.row(from + k));

describe("every generator", () => {
  for (const name of GENERATOR_NAMES) {
    const generator = generators[name];

    test(`${name}: the same seed gives the same rows`, () => {
      const a = generator.create(7, { baseTime: BASE });
      const b = generator.create(7, { baseTime: BASE });
      assert.deepEqual(rows(a, 0, 200), rows(b, 0, 200));
      assert.deepEqual(a.object(123), b.object(123));
    });

    test(`${name}: another seed gives other rows`, () => {
      const a = generator.create(7, { baseTime: BASE });
      const b = generator.create(8, { baseTime: BASE });
      assert.notDeepEqual(rows(a, 0, 50), rows(b, 0, 50));
    });

    test(`${name}: row i depends only on (seed, i), not on what was generated before`, () => {
      const inOrder = generator.create(3, { baseTime: BASE });
      const expected = rows(inOrder, 0, 100);
      const scattered = generator.create(3, { baseTime: BASE });
      for (const i of [99, 0, 57, 3, 1_000_000, 42]) {
        const row = scattered.row(i);
        if (i < 100) assert.deepEqual(row, expected[i]);
      }
    });

    test(`${name}: rows follow the columns, and object() keys them by column name`, () => {
      const source = generator.create(1, { baseTime: BASE });
      for (const i of [0, 1, 999, 123_456]) {
        assert.equal(source.row(i).length, generator.columns.length);
        assert.deepEqual(Object.keys(source.object(i)), generator.columns.map((c) => c.name));
      }
    });

    test(`${name}: object() is JSON with the same scalar values as row()`, () => {
      const source = generator.create(1, { baseTime: BASE });
      const object = JSON.parse(JSON.stringify(source.object(5))) as Record<string, unknown>;
      const row = source.row(5);
      generator.columns.forEach((c, k) => {
        const value = row[k];
        if (c.sqlType === "jsonb") assert.deepEqual(object[c.name], JSON.parse(String(value)));
        else assert.equal(object[c.name], value);
      });
    });
  }
});

describe("server-metrics", () => {
  const source = generators["server-metrics"].create(1, { baseTime: BASE });
  const batch = rows(source, 0, 1000);

  test("one batch of 1000 holds what seed 004's queries look for", () => {
    assert.ok(batch.some((r) => r[1] === "cpu_usage_percent" && r[4] === "server-000001"));
    assert.ok(batch.every((r) => /^server-0000\d\d$/.test(String(r[4]))), "the first 1000 rows are hosts 0–99");
  });

  test("timestamps fall in the hour before the base time", () => {
    for (const r of batch) {
      const t = Date.parse(String(r[0]));
      assert.ok(t <= BASE && t > BASE - 3_600_000, String(r[0]));
    }
  });

  test("labels carry host, region, environment and service, consistent with the columns", () => {
    for (const r of batch.slice(0, 50)) {
      const labels = JSON.parse(String(r[3])) as Record<string, string>;
      assert.deepEqual(Object.keys(labels), ["host", "region", "environment", "service"]);
      assert.equal(labels.host, r[4]);
      assert.equal(labels.region, r[5]);
      assert.equal(labels.environment, r[6]);
      assert.match(String(labels.region), /^region-[0-4]$/);
    }
  });

  test("percentages stay within 0–100", () => {
    for (const r of rows(source, 0, 5000)) if (String(r[1]).endsWith("_percent")) assert.ok(Number(r[2]) >= 0 && Number(r[2]) <= 100);
  });
});

describe("transactions", () => {
  const source = generators.transactions.create(1, { baseTime: BASE });
  const batch = rows(source, 0, 20_000);

  test("about 2% are fraud", () => {
    const fraud = batch.filter((r) => r[7] === true).length / batch.length;
    assert.ok(fraud > 0.015 && fraud < 0.025, `fraud share ${fraud}`);
  });

  test("transaction ids are unique version-4-shaped uuids", () => {
    const ids = new Set(batch.map((r) => String(r[0])));
    assert.equal(ids.size, batch.length);
    for (const id of [...ids].slice(0, 100)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("amounts are positive with at most 2 decimals; timestamps in the last 7 days", () => {
    for (const r of batch) {
      const amount = Number(r[4]);
      assert.ok(amount > 0 && Math.round(amount * 100) / 100 === amount);
      const t = Date.parse(String(r[1]));
      assert.ok(t <= BASE && t >= BASE - 7 * 86_400_000);
    }
  });
});

describe("market-ticks", () => {
  const source = generators["market-ticks"].create(1, { baseTime: BASE });

  test("each instrument's price moves in small steps from tick to tick (a walk, not noise)", () => {
    const aapl = Array.from({ length: 2000 }, (_, tick) => Number(source.row(tick * 20)[1]));
    assert.ok(aapl.every((p, k) => k === 0 || Math.abs(p / (aapl[k - 1] ?? p) - 1) < 0.002));
    assert.ok(new Set(aapl).size > 100, "the price moves");
    assert.ok(aapl.every((p) => p > 100 && p < 400), "AAPL stays plausible");
  });

  test("timestamps advance with the tick", () => {
    assert.equal(source.row(0)[3], "2024-05-01T12:00:00.000Z");
    assert.equal(source.row(20)[3], "2024-05-01T12:00:00.050Z");
  });
});

describe("commodity-prices", () => {
  const source = generators["commodity-prices"].create(1, { baseTime: BASE });
  const batch = rows(source, 0, 20_000);

  test("10 commodities over the 90 days before the base time", () => {
    assert.equal(new Set(batch.map((r) => r[0])).size, 10);
    const times = batch.map((r) => Date.parse(String(r[1])));
    assert.ok(Math.min(...times) >= BASE - 90 * 86_400_000 && Math.max(...times) <= BASE);
    assert.ok(Math.max(...times) - Math.min(...times) > 85 * 86_400_000, "spread over the window");
  });

  test("gold trades near its base level", () => {
    const gold = batch.filter((r) => r[0] === "gold").map((r) => Number(r[2]));
    assert.ok(gold.every((p) => p > 1000 && p < 5000));
  });
});
