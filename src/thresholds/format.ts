// Threshold values as a person reads them in a table: "4.21ms", "51,234/s", "99.2%".
import { formatDuration } from "../suite/units.js";
import type { MetricKind } from "./metrics.js";

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimals = (digits: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits });

/** `kind` is a string because stored results carry it as one; unknown kinds print as numbers. */
export function formatThresholdValue(kind: MetricKind | (string & {}), value: number): string {
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
