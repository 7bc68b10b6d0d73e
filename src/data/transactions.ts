// Seed 001's card transactions: a fraud-detection pipeline's input. About 2% are fraud, and fraud
// looks different (larger amounts, riskier categories, night hours) so that queries on `is_fraud`
// and the indexes seed 001 recommends have realistic selectivity. Timestamps fall in the 7 days
// before the base time (seed 001 queries `timestamp >= current_date - interval '7 days'`).
import type { Column, CreateOptions, Generator, RowSource, RowValue } from "./generator.js";
import { IsoTimestamps } from "./iso-time.js";
import { RowRandom, seedKey } from "./random.js";

const DAY_MS = 86_400_000;
const NIGHT_MS = 6 * 3_600_000;
const WINDOW_MS = 7 * DAY_MS;
const CUSTOMERS = 100_000;
const MERCHANTS = 5_000;
const FRAUD_RATE = 0.02;

/** Weighted by repetition: a pick is one uniform index. */
const CURRENCIES = ["USD", "USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP", "JPY", "CAD", "AUD"];
const CATEGORIES = ["grocery", "dining", "fuel", "retail", "electronics", "travel", "entertainment", "healthcare", "utilities", "online"];
const RISKY_CATEGORIES = ["electronics", "travel", "online", "online", "retail"];

const columns: readonly Column[] = [
  { name: "transaction_id", sqlType: "uuid", duckType: "UUID" },
  { name: "timestamp", sqlType: "timestamptz", duckType: "TIMESTAMPTZ" },
  { name: "customer_id", sqlType: "integer", duckType: "INTEGER" },
  { name: "merchant_id", sqlType: "integer", duckType: "INTEGER" },
  { name: "amount", sqlType: "numeric(12,2)", duckType: "DECIMAL(12,2)" },
  { name: "currency", sqlType: "text", duckType: "VARCHAR" },
  { name: "category", sqlType: "text", duckType: "VARCHAR" },
  { name: "is_fraud", sqlType: "boolean", duckType: "BOOLEAN" },
];

/** "0000" … "ffff", built on first use (64 Ki strings, a few ms): a uuid is then eight lookups. */
let hex4: readonly string[] | undefined;

function hex4Table(): readonly string[] {
  hex4 ??= Array.from({ length: 65536 }, (_, n) => n.toString(16).padStart(4, "0"));
  return hex4;
}

/**
 * A version-4-shaped UUID whose first 32 bits are the row key, a bijection of the row index: ids
 * are unique for the first 2^32 rows of a seed, not merely unlikely to collide.
 */
function uuid(h: readonly string[], a: number, b: number, c: number, d: number): string {
  const version4 = (b & 0x0fff) | 0x4000;
  const variant = ((c >>> 16) & 0x3fff) | 0x8000;
  // Plain `+`: on V8 it builds this faster than a template literal does.
  return `${h[a >>> 16]}` + h[a & 0xffff] + "-" + h[b >>> 16] + "-" + h[version4] + "-" + h[variant] + "-" + h[c & 0xffff] + h[d >>> 16] + h[d & 0xffff];
}

function create(seed: number, options: CreateOptions = {}): RowSource {
  const base = options.baseTime ?? Date.now();
  const rng = new RowRandom(seedKey(seed, 0x7a5c));
  const iso = new IsoTimestamps();
  const hex = hex4Table();

  function fields(i: number) {
    rng.at(i);
    const id = uuid(hex, rng.rowKey, rng.uint32(), rng.uint32(), rng.uint32());
    const fraud = rng.next() < FRAUD_RATE;
    let time = base - rng.int(WINDOW_MS);
    // Fraud clusters at night: half of it is moved to 00:00–06:00 UTC of its day (the next day
    // when that would leave the window).
    if (fraud && rng.next() < 0.5) {
      const timeOfDay = time % DAY_MS;
      time += (timeOfDay % NIGHT_MS) - timeOfDay;
      if (time < base - WINDOW_MS) time += DAY_MS;
    }
    const customer = 1 + rng.int(CUSTOMERS);
    const merchant = 1 + rng.int(MERCHANTS);
    // Log-normal amounts (median ≈ 33); fraud ≈ 5× larger.
    const amount = Math.exp(3.5 + 1.1 * rng.normal()) * (fraud ? 5 : 1);
    const category = fraud ? RISKY_CATEGORIES[rng.int(RISKY_CATEGORIES.length)] : CATEGORIES[rng.int(CATEGORIES.length)];
    return {
      id,
      time: iso.format(time),
      customer,
      merchant,
      amount: Math.max(0.01, Math.round(Math.min(amount, 9_999_999_999) * 100) / 100),
      currency: CURRENCIES[rng.int(CURRENCIES.length)] ?? "USD",
      category: category ?? "online",
      fraud,
    };
  }

  return {
    row(i): readonly RowValue[] {
      const f = fields(i);
      return [f.id, f.time, f.customer, f.merchant, f.amount, f.currency, f.category, f.fraud];
    },
    object(i) {
      const f = fields(i);
      return {
        transaction_id: f.id,
        timestamp: f.time,
        customer_id: f.customer,
        merchant_id: f.merchant,
        amount: f.amount,
        currency: f.currency,
        category: f.category,
        is_fraud: f.fraud,
      };
    },
  };
}

export const transactions: Generator = {
  name: "transactions",
  description: "seed 001's card transactions: uuid ids, log-normal amounts, ~2% fraud, last 7 days",
  columns,
  create,
};
