// Seed 002's `market_ticks`: trades of 20 instruments, round-robin, a tick every 50 ms per
// instrument from the base time on. Each instrument's log-price follows a random walk over its
// tick number, read in O(1) (see `RandomWalk`), so tick j needs no earlier tick.
import type { Column, CreateOptions, Generator, RowSource, RowValue } from "./generator.js";
import { IsoTimestamps } from "./iso-time.js";
import { RandomWalk, RowRandom, seedKey } from "./random.js";

const TICK_MS = 50;
/** Log-price change per tick: half a basis point, a few percent a day. */
const TICK_VOLATILITY = 0.00005;

const INSTRUMENTS: readonly { readonly id: string; readonly price: number }[] = [
  { id: "AAPL", price: 190 },
  { id: "MSFT", price: 420 },
  { id: "GOOGL", price: 170 },
  { id: "AMZN", price: 185 },
  { id: "NVDA", price: 120 },
  { id: "META", price: 500 },
  { id: "TSLA", price: 250 },
  { id: "JPM", price: 200 },
  { id: "V", price: 280 },
  { id: "JNJ", price: 155 },
  { id: "XOM", price: 115 },
  { id: "BRK.B", price: 410 },
  { id: "UNH", price: 520 },
  { id: "PG", price: 165 },
  { id: "MA", price: 460 },
  { id: "HD", price: 350 },
  { id: "BAC", price: 38 },
  { id: "KO", price: 62 },
  { id: "PEP", price: 170 },
  { id: "DIS", price: 95 },
];

const columns: readonly Column[] = [
  { name: "instrument_id", sqlType: "text", duckType: "VARCHAR" },
  { name: "price", sqlType: "numeric(14,4)", duckType: "DECIMAL(14,4)" },
  { name: "volume", sqlType: "integer", duckType: "INTEGER" },
  { name: "timestamp", sqlType: "timestamptz", duckType: "TIMESTAMPTZ" },
];

function create(seed: number, options: CreateOptions = {}): RowSource {
  const base = options.baseTime ?? Date.now();
  const rng = new RowRandom(seedKey(seed, 0x71c5));
  const fine = RandomWalk.fineTable(seedKey(seed, 0x3a1c));
  const walks = INSTRUMENTS.map((_, n) => new RandomWalk(seedKey(seed, 0x3a1d + n), fine));
  const iso = new IsoTimestamps();

  function fields(i: number) {
    const n = i % INSTRUMENTS.length;
    const tick = Math.floor(i / INSTRUMENTS.length);
    const instrument = INSTRUMENTS[n] ?? INSTRUMENTS[0]!;
    rng.at(i);
    const walk = walks[n]?.at(tick) ?? 0;
    const price = Math.round(instrument.price * Math.exp(TICK_VOLATILITY * walk) * 10_000) / 10_000;
    // Trade sizes are heavy-tailed: log-normal, median ≈ 55 shares.
    const volume = Math.max(1, Math.round(Math.exp(4 + 1.2 * rng.normal())));
    return { id: instrument.id, price, volume, time: iso.format(base + tick * TICK_MS) };
  }

  return {
    row(i): readonly RowValue[] {
      const f = fields(i);
      return [f.id, f.price, f.volume, f.time];
    },
    object(i) {
      const f = fields(i);
      return { instrument_id: f.id, price: f.price, volume: f.volume, timestamp: f.time };
    },
  };
}

export const marketTicks: Generator = {
  name: "market-ticks",
  description: "seed 002's market_ticks: 20 instruments, random-walk prices, a tick per 50 ms each",
  columns,
  create,
};
