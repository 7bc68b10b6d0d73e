// PostgreSQL's COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text
// Format"): one line per row, fields separated by tabs, NULL as \N, and backslash, tab, newline
// and carriage return backslash-escaped. A batch becomes one string and then one Buffer, so a COPY
// of a thousand rows is one write.
import type { RowSource, RowValue } from "./generator.js";

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Fraction digits for 0..scale-1, trailing zeros dropped ("05", "5", ""), as JavaScript prints them. */
function fractionTable(digits: number): readonly string[] {
  return Array.from({ length: 10 ** digits }, (_, f) => String(f).padStart(digits, "0").replace(/0+$/, ""));
}
const FRACTION_2 = fractionTable(2);
const FRACTION_4 = fractionTable(4);

function scaledText(scaled: number, scale: number, fractions: readonly string[]): string {
  const magnitude = scaled < 0 ? -scaled : scaled;
  const whole = Math.floor(magnitude / scale);
  const fraction = fractions[magnitude - whole * scale] ?? "";
  const text = fraction === "" ? String(whole) : `${whole}.${fraction}`;
  return scaled < 0 ? `-${text}` : text;
}

/**
 * `String(n)`, faster for the numbers generators make. Printing a non-integer double is several
 * times the cost of printing an integer, so a value that is exactly k/100 or k/10000 (prices,
 * percentages) prints as integer parts. Below 1e9 a decimal with at most 4 fraction digits is the
 * shortest text that reads back as the same double, so the output equals `String(n)`.
 */
export function numberText(n: number): string {
  if (Number.isInteger(n) || !(Math.abs(n) < 1e9)) return String(n); // NaN and ±Infinity too
  const cents = Math.round(n * 100);
  if (cents / 100 === n) return scaledText(cents, 100, FRACTION_2);
  const tenThousandths = Math.round(n * 10_000);
  if (tenThousandths / 10_000 === n) return scaledText(tenThousandths, 10_000, FRACTION_4);
  return String(n);
}

/**
 * A value's PostgreSQL text form (what `COPY` reads and what a text parameter carries), or null for
 * SQL NULL. Numbers print as JavaScript prints them; NaN and ±Infinity happen to be spelled as
 * PostgreSQL spells them. Dates become ISO-8601 UTC, bytes become bytea hex, other objects JSON.
 */
export function pgText(value: RowValue | undefined): string | null {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return numberText(value);
    case "boolean":
      return value ? "t" : "f";
    case "bigint":
      return value.toString();
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) {
        let hex = "\\x";
        for (const byte of value) hex += HEX[byte];
        return hex;
      }
      return JSON.stringify(value);
  }
}

/** Escapes the four characters COPY text treats specially; most values have none and pass as is. */
export function escapeCopyText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : text;
}

function field(value: RowValue | undefined): string {
  // Numbers and booleans never need escaping; skip the regex for the commonest values.
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = pgText(value);
  return text === null ? "\\N" : escapeCopyText(text);
}

/** One row as a COPY text line, newline included. */
export function encodeCopyRow(values: readonly RowValue[]): string {
  let line = "";
  for (let c = 0; c < values.length; c++) {
    if (c > 0) line += "\t";
    line += field(values[c]);
  }
  return `${line}\n`;
}

/** Rows as one COPY text buffer. */
export function encodeCopyRows(rows: Iterable<readonly RowValue[]>): Buffer {
  let text = "";
  for (const row of rows) text += encodeCopyRow(row);
  return Buffer.from(text, "utf8");
}

/** Rows first … first+count-1 of a source as one COPY text buffer. */
export function encodeCopyBatch(source: RowSource, first: number, count: number): Buffer {
  let text = "";
  for (let i = first; i < first + count; i++) text += encodeCopyRow(source.row(i));
  return Buffer.from(text, "utf8");
}
