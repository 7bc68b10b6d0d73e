// Seeded randomness addressed by row index. A generator must produce row i without producing rows
// 0..i-1 (disjoint ranges for concurrent writers), so instead of one long stream we derive a fresh
// 32-bit state from (seed, i) and draw the row's few numbers from a mulberry32 stream started there.

const TWO_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a bijection on 32-bit integers with full avalanche. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit key for a seed (any integer) and a salt that keeps unrelated streams apart. */
export function seedKey(seed: number, salt = 0): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return mix32(mix32(lo ^ 0x9e3779b9) + Math.imul(hi ^ salt, 0x85ebca6b));
}

/**
 * The state for row i under `key`. For a fixed key and i < 2^32 it is a bijection of i (xor with a
 * constant, then mix32), which is what lets generators build unique ids from it.
 */
export function rowKey(key: number, i: number): number {
  const lo = i >>> 0;
  const hi = Math.floor(i / TWO_32) >>> 0;
  return mix32((mix32(lo ^ key) + Math.imul(hi, 0x9e3779b9)) >>> 0);
}

/** One reusable random stream, repositioned per row with `at(i)`. Not safe to share across rows in flight. */
export class RowRandom {
  private state = 0;
  /** The row's key itself (see `rowKey`), for ids that must be unique per row. */
  rowKey = 0;

  constructor(private readonly key: number) {}

  at(i: number): this {
    this.rowKey = rowKey(this.key, i);
    this.state = this.rowKey;
    return this;
  }

  /** A uniform 32-bit unsigned integer (one mulberry32 step). */
  uint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / TWO_32;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, one of the pair). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/**
 * A Brownian bridge of `length` unit-variance steps: a walk that starts and ends at 0. Any circular
 * shift of it (re-based to start at 0) is again such a bridge, which is what `RandomWalk` uses to
 * give every block its own variant of one table.
 */
function bridge(rng: RowRandom, row: number, length: number): Float64Array {
  const walk = new Float64Array(length + 1);
  rng.at(row);
  for (let k = 1; k <= length; k++) walk[k] = (walk[k - 1] ?? 0) + rng.normal();
  const end = walk[length] ?? 0;
  for (let k = 0; k <= length; k++) walk[k] = (walk[k] ?? 0) - (end * k) / length;
  return walk;
}

const BLOCK = 4096;
const BLOCKS = 4096;

/**
 * A random walk with unit-variance steps that can be read at any step x in O(1), without walking
 * there: a coarse walk over blocks of 4096 steps, interpolated linearly, plus a Brownian bridge
 * inside each block (this decomposition of a walk is exact). The bridges are one shared table,
 * circularly shifted and sign-flipped per block. The path repeats after 4096² ≈ 16.7 M steps and,
 * being a bridge at that scale too, stays within a few thousand step-sizes of 0.
 */
export class RandomWalk {
  private readonly coarse: Float64Array;
  private readonly shift: Uint16Array;
  private readonly sign: Int8Array;
  /** Where step 0 falls on the path, so that walks do not all start at exactly 0. */
  private readonly phase: number;

  /** `fine` is a shared bridge from `RandomWalk.fineTable`; `key` picks this walk's coarse path. */
  constructor(
    key: number,
    private readonly fine: Float64Array,
  ) {
    const rng = new RowRandom(key);
    const coarse = bridge(rng, 0, BLOCKS);
    for (let k = 0; k < coarse.length; k++) coarse[k] = (coarse[k] ?? 0) * Math.sqrt(BLOCK);
    this.coarse = coarse;
    this.shift = new Uint16Array(BLOCKS);
    this.sign = new Int8Array(BLOCKS);
    rng.at(1);
    this.phase = rng.int(BLOCK * BLOCKS);
    for (let b = 0; b < BLOCKS; b++) {
      this.shift[b] = rng.int(BLOCK);
      this.sign[b] = rng.next() < 0.5 ? -1 : 1;
    }
  }

  static fineTable(key: number): Float64Array {
    return bridge(new RowRandom(key), 0, BLOCK);
  }

  /** The walk's position at step x (an integer; fractions are dropped). */
  at(x: number): number {
    const period = BLOCK * BLOCKS;
    const step = (((Math.floor(x) + this.phase) % period) + period) % period;
    const block = Math.floor(step / BLOCK);
    const offset = step - block * BLOCK;
    const from = this.coarse[block] ?? 0;
    const to = this.coarse[block + 1] ?? 0;
    const shift = this.shift[block] ?? 0;
    const fine = this.fine;
    const wrapped = offset + shift >= BLOCK ? offset + shift - BLOCK : offset + shift;
    const detail = (fine[wrapped] ?? 0) - (fine[shift] ?? 0);
    return from + ((to - from) * offset) / BLOCK + (this.sign[block] ?? 1) * detail;
  }
}
