// Durations and rates as people write them in suites and flags: "60s", "500ms", "2m", "1h30m",
// or a bare number of seconds (seed 001's `--duration 60`). Parsed once, kept in milliseconds.
import { z } from "zod";

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|s|m|h)/gy;
const UNIT_MS: Record<string, number> = { us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? finite(text * 1000) : undefined;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return finite(Number(s) * 1000);
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = DURATION_PART.exec(s); m !== null; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === s.length && consumed > 0 ? finite(total) : undefined;
}

/** A run of 400 digits is a number to the regular expressions but Infinity to Number(). */
function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

/** Each unit is chosen after rounding, so 999.96 ms prints as 1s, not 1000ms. */
export function formatDuration(ms: number): string {
  const us = Math.round(ms * 1000);
  if (us < 1000) return `${us}µs`;
  const inMs = +ms.toFixed(ms < 10 ? 2 : 1);
  if (inMs < 1000) return `${inMs}ms`;
  const inS = +(ms / 1000).toFixed(2);
  if (inS < 60) return `${inS}s`;
  // Round to whole seconds first, so 1m59.7s prints as 2m, not 1m60s.
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

/** A duration field: accepts "30s", "250ms", "2m" or seconds as a number; yields milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    const meant = typeof value === "string" ? spelledOut(value) : undefined;
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a duration`,
      params: { fix: meant !== undefined ? `write "${meant}"` : 'write a number with a unit, e.g. "30s", "500ms", "2m" (a bare number means seconds)' },
    });
    return z.NEVER;
  }
  return ms;
});

const UNIT_WORDS: Readonly<Record<string, string>> = {
  us: "us", ms: "ms", s: "s", m: "m", h: "h",
  millisecond: "ms", msec: "ms", second: "s", sec: "s", minute: "m", min: "m", hour: "h", hr: "h",
};

/** "1 minute", "90 seconds", "1 min 30 sec", "10 ms" as the duration meant ("1m", "90s", "1m30s", "10ms"). */
function spelledOut(text: string): string | undefined {
  const written = text.trim().toLowerCase();
  const parts = [...written.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)(?:\s*(?:,|\band\b)\s*|\s+|$)/gy)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== written) return undefined;
  const unitOf = (word: string): string | undefined =>
    Object.hasOwn(UNIT_WORDS, word) ? UNIT_WORDS[word] : word.endsWith("s") && Object.hasOwn(UNIT_WORDS, word.slice(0, -1)) ? UNIT_WORDS[word.slice(0, -1)] : undefined;
  const units = parts.map((p) => unitOf(p[2] ?? ""));
  if (units.some((u) => u === undefined)) return undefined;
  const meant = parts.map((p, i) => `${p[1] ?? ""}${units[i] ?? ""}`).join("");
  return parseDuration(meant) === undefined || meant === written ? undefined : meant;
}

/** How long load runs: a duration of 0 would run nothing and store an empty result. */
export const RunDuration = Duration.refine((ms) => ms > 0, {
  message: "a duration of 0 runs nothing",
  params: { fix: 'write how long to run, e.g. "60s" or "500ms"' },
});

const SI: Record<string, number> = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/** A count or rate: 200, "200", "50k", "1.5M", "200/s". */
export function parseCount(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*(?:\/s)?\s*$/.exec(text);
  if (!m) return undefined;
  return finite(Number(m[1]) * (SI[m[2] ?? ""] ?? 1));
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

// Sizes as the seeds write them: 1024, "64KB", "64KiB", "1MB", "1.5MiB". Kafka's own documents
// mean 1024 by "64KB" (batch.size=65536 # 64KB), so KB/MB/GB are binary here, as are KiB/MiB/GiB;
// bytes are what is kept.
const SIZE_UNIT: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

/** Bytes, or undefined when `text` is not a size (a whole number of bytes after scaling). */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase();
  if (!Object.hasOwn(SIZE_UNIT, unit)) return undefined;
  const bytes = Number(m[1]) * (SIZE_UNIT[unit] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** "64KiB", "1.5MiB", "1000B": exact when the size is a whole number of the unit. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= size && Number.isInteger((bytes / size) * 100)) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** A size field: accepts 1024, "64KB", "1MiB"; yields bytes. */
export const Size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a size`,
      params: { fix: 'write bytes, or a number with KB, MB or GB (binary: 64KB is 65536 bytes), e.g. 1024 or "64KB"' },
    });
    return z.NEVER;
  }
  return bytes;
});
