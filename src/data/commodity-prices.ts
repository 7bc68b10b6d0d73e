// Seed 000's `commodity_prices`: quotes for 10 commodities spread over the 90 days before the base
// time. A commodity's log-price is a random walk over the minute of its timestamp (the same minute
// gives the same level in one seed), so seed 000's per-day avg/stddev/min/max aggregate shows
// trends rather than white noise.
import type { Column, CreateOptions, Generator, RowSource, RowValue } from "./generator.js";
import { IsoTimestamps } from "./iso-time.js";
import { RandomWalk, RowRandom, seedKey } from "./random.js";

const WINDOW_MS = 90 * 86_400_000;
/** Log-price change per minute; over a day that is about 2%. */
const MINUTE_VOLATILITY = 0.0005;
/** Quote-to-quote noise around the path (bid/ask bounce), as a fraction of the price. */
const SPREAD = 0.002;

const COMMODITIES: readonly { readonly name: string; readonly price: number }[] = [
  { name: "gold", price: 2300 },
  { name: "silver", price: 28 },
  { name: "copper", price: 4.3 },
  { name: "crude_oil", price: 78 },
  { name: "brent_crude", price: 82 },
  { name: "natural_gas", price: 2.6 },
  { name: "wheat", price: 6.2 },
  { name: "corn", price: 4.5 },
  { name: "soybeans", price: 12 },
  { name: "coffee", price: 2.2 },
];

const columns: readonly Column[] = [
  { name: "commodity", sqlType: "text", duckType: "VARCHAR" },
  { name: "timestamp", sqlType: "timestamptz", duckType: "TIMESTAMPTZ" },
  { name: "price", sqlType: "numeric(12,4)", duckType: "DECIMAL(12,4)" },
];

function create(seed: number, options: CreateOptions = {}): RowSource {
  const base = options.baseTime ?? Date.now();
  const rng = new RowRandom(seedKey(seed, 0xc0de));
  const fine = RandomWalk.fineTable(seedKey(seed, 0x9a1c));
  const walks = COMMODITIES.map((_, n) => new RandomWalk(seedKey(seed, 0x9a1d + n), fine));
  const iso = new IsoTimestamps();

  function fields(i: number) {
    rng.at(i);
    const n = rng.int(COMMODITIES.length);
    const commodity = COMMODITIES[n] ?? COMMODITIES[0]!;
    const time = base - rng.int(WINDOW_MS);
    const walk = walks[n]?.at(time / 60_000) ?? 0;
    const price = commodity.price * Math.exp(MINUTE_VOLATILITY * walk) * (1 + SPREAD * (rng.next() - 0.5));
    return { name: commodity.name, time: iso.format(time), price: Math.round(price * 10_000) / 10_000 };
  }

  return {
    row(i): readonly RowValue[] {
      const f = fields(i);
      return [f.name, f.time, f.price];
    },
    object(i) {
      const f = fields(i);
      return { commodity: f.name, timestamp: f.time, price: f.price };
    },
  };
}

export const commodityPrices: Generator = {
  name: "commodity-prices",
  description: "seed 000's commodity_prices: 10 commodities, quotes over the last 90 days",
  columns,
  create,
};
