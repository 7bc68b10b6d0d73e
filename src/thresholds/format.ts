// Threshold values as a person reads them in a table: "4.21ms", "51,234/s", "99.2%".
import { formatDuration } from "../suite/units.js";
import type { MetricKind } from "./metrics.js";

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimals = (digits: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits });

/**
 * `kind` is a string because stored results carry it as one; unknown kinds print as numbers.
 * With `limit` (the threshold's), a value that is not the limit is never printed as it: 98.996%,
 * not 99%, beside `>= 99%`, so a ✗ never shows the very number it asked for.
 */
export function formatThresholdValue(kind: MetricKind | (string & {}), value: number, limit?: number): string {
  const shown = formatPlain(kind, value);
  if (limit === undefined || value === limit || !Number.isFinite(limit) || shown !== formatPlain(kind, limit)) return shown;
  for (let digits = 0; digits <= 9; digits++) {
    const precise = formatPrecise(kind, value, digits, limit);
    if (precise !== formatPrecise(kind, limit, digits, limit)) return precise;
  }
  return shown;
}

function formatPlain(kind: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  switch (kind) {
    case "duration":
      return formatDuration(value);
    case "rate":
      // Small rates keep a decimal (2.5/s); large ones are grouped (51,234/s).
      return `${Math.abs(value) >= 100 ? grouped.format(value) : decimals(1).format(value)}/s`;
    case "bandwidth":
      return `${decimals(Math.abs(value) >= 100 ? 0 : 2).format(value)} MB/s`;
    case "ratio":
      return formatRatio(value);
    case "count":
      return Number.isInteger(value) ? grouped.format(value) : decimals(2).format(value);
    default:
      return decimals(Math.abs(value) >= 100 ? 1 : 3).format(value);
  }
}

/**
 * Two decimals of a percent keep 99.95% apart from 100% (cache hit ratios live there); below 1%
 * two significant digits keep 0.012% readable.
 */
function formatRatio(fraction: number): string {
  const percent = fraction * 100;
  if (percent === 0) return "0%";
  if (Math.abs(percent) >= 1) return `${+percent.toFixed(2)}%`;
  return `${+percent.toPrecision(2)}%`;
}

/**
 * The value with `digits` decimals (trailing zeros dropped), a duration in the unit of `limit`, so
 * the two are told apart by their digits alone.
 */
function formatPrecise(kind: string, value: number, digits: number, limit: number): string {
  const fixed = (x: number): string => decimals(digits).format(x);
  switch (kind) {
    case "duration":
      if (limit < 1) return `${fixed(value * 1000)}µs`;
      return limit < 1000 ? `${fixed(value)}ms` : `${fixed(value / 1000)}s`;
    case "rate":
      return `${fixed(value)}/s`;
    case "bandwidth":
      return `${fixed(value)} MB/s`;
    case "ratio":
      return `${fixed(value * 100)}%`;
    default:
      return fixed(value);
  }
}
