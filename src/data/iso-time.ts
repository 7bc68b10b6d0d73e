// ISO-8601 UTC timestamps without `Date`: generators emit a timestamp per row, and
// `new Date(ms).toISOString()` (an allocation plus a general formatter) would be most of a row's
// cost. Day prefixes ("2024-05-01T") are cached; the time of day comes from small string tables.

const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const MILLIS_SUFFIX = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, "0")}Z`);
/** A generator's timestamps span at most a few months; beyond this many days, start over. */
const MAX_CACHED_DAYS = 4096;

export class IsoTimestamps {
  private readonly dayPrefix = new Map<number, string>();

  /** `ms` (epoch milliseconds, fractions dropped) as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
  format(ms: number): string {
    const t = Math.floor(ms);
    const day = Math.floor(t / MS_PER_DAY);
    let prefix = this.dayPrefix.get(day);
    if (prefix === undefined) {
      if (this.dayPrefix.size >= MAX_CACHED_DAYS) this.dayPrefix.clear();
      prefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
      this.dayPrefix.set(day, prefix);
    }
    let rest = t - day * MS_PER_DAY;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const milli = rest - s * 1000;
    return `${prefix}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}${MILLIS_SUFFIX[milli]}`;
  }
}
