// Number formatting shared by every console view (run, compare, diagnose, sweeps, reports). Fixed
// rules so the same value always prints the same way: latencies with 3 significant digits, counts
// with thousands separators. A leaf: it imports nothing, so any folder may use it.

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 100) return `${ms.toFixed(0)}ms`;
  if (ms >= 10) return `${ms.toFixed(1)}ms`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(0)}µs`;
}

/** Below a millisecond with three significant digits: a latency per record is often microseconds or less. */
export function formatFineMs(ms: number): string {
  if (ms >= 1 || ms === 0) return formatMs(ms);
  const digits = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toPrecision(3));
  const us = ms * 1000;
  return us >= 1 ? `${digits(us)}µs` : `${digits(us * 1000)}ns`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function formatRate(perSec: number): string {
  if (perSec >= 100) return `${formatCount(perSec)}/s`;
  return `${perSec.toFixed(perSec >= 10 ? 1 : 2)}/s`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
