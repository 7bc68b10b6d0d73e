// Durations and rates as people write them in suites and flags: "60s", "500ms", "2m", "1h30m",
// or a bare number of seconds (seed 001's `--duration 60`). Parsed once, kept in milliseconds.
import { z } from "zod";

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|s|m|h)/gy;
const UNIT_MS: Record<string, number> = { us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = DURATION_PART.exec(s); m !== null; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${+ms.toFixed(ms < 10 ? 2 : 1)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

/** A duration field: accepts "30s", "250ms", "2m" or seconds as a number; yields milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a duration`,
      params: { fix: 'write a number with a unit, e.g. "30s", "500ms", "2m" (a bare number means seconds)' },
    });
    return z.NEVER;
  }
  return ms;
});

const SI: Record<string, number> = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/** A count or rate: 200, "200", "50k", "1.5M", "200/s". */
export function parseCount(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*(?:\/s)?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (SI[m[2] ?? ""] ?? 1);
}

export const Rate = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = parseCount(value);
  if (n === undefined || n <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a positive rate`,
      params: { fix: 'write operations per second, e.g. 200, "50k" or "200/s"' },
    });
    return z.NEVER;
  }
  return n;
});
