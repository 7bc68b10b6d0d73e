// A batch of generated rows in one of ClickHouse's input formats, as one Buffer (one HTTP body):
//   TSV          TabSeparated: tab between fields, \t \n \\ escaped (as PostgreSQL's COPY text)
//   JSONEachRow  one JSON object per line
//   RowBinary    fixed-width little-endian numbers, varint-prefixed strings (the cheapest to parse)
// Timestamps arrive as ISO-8601 UTC strings; a DateTime column keeps whole seconds (18.16 has no
// DateTime64), a DateTime64(3) one keeps milliseconds. Formats: https://clickhouse.com/docs/interfaces/formats
import { escapeCopyText, numberText, type RowSource, type RowValue } from "../../data/index.js";
import type { ClickHouseColumn } from "./table.js";
import type { InsertFormat } from "./schema.js";

export type BatchEncoder = (source: RowSource, first: number, count: number) => Buffer;

export function encoderFor(format: InsertFormat, columns: readonly ClickHouseColumn[]): BatchEncoder {
  switch (format) {
    case "TSV":
      return tsvEncoder(columns);
    case "JSONEachRow":
      return jsonEachRowEncoder(columns);
    case "RowBinary":
      return rowBinaryEncoder(columns);
  }
}

/** "2026-12-06T14:00:00.123Z" → "2026-12-06 14:00:00" (DateTime) or "2026-12-06 14:00:00.123" (DateTime64(3)). */
function dateTimeText(iso: string, millis: boolean): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, millis ? 23 : 19)}`;
}

function isoOf(value: RowValue | undefined): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  return new Date(Number(value)).toISOString();
}

function textOf(value: RowValue | undefined): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return numberText(value);
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function tsvEncoder(columns: readonly ClickHouseColumn[]): BatchEncoder {
  const field = columns.map((c): ((v: RowValue | undefined) => string) => {
    const millis = c.type.startsWith("DateTime64");
    switch (c.kind) {
      case "datetime":
        return (v) => dateTimeText(isoOf(v), millis);
      case "float64":
      case "int32":
      case "decimal":
        return (v) => (typeof v === "number" ? numberText(v) : textOf(v));
      case "bool":
        return (v) => (v === true ? "1" : "0");
      default:
        return (v) => escapeCopyText(textOf(v));
    }
  });
  return (source, first, count) => {
    let text = "";
    for (let i = first; i < first + count; i++) {
      const row = source.row(i);
      let line = "";
      for (let c = 0; c < field.length; c++) line += (c === 0 ? "" : "\t") + field[c]!(row[c]);
      text += `${line}\n`;
    }
    return Buffer.from(text, "utf8");
  };
}

function jsonEachRowEncoder(columns: readonly ClickHouseColumn[]): BatchEncoder {
  const keys = columns.map((c) => JSON.stringify(c.name));
  const value = columns.map((c): ((v: RowValue | undefined) => string) => {
    const millis = c.type.startsWith("DateTime64");
    switch (c.kind) {
      case "datetime":
        return (v) => `"${dateTimeText(isoOf(v), millis)}"`;
      case "float64":
      case "int32":
      case "decimal":
        return (v) => (typeof v === "number" ? numberText(v) : JSON.stringify(textOf(v)));
      case "bool":
        return (v) => (v === true ? "1" : "0");
      default:
        return (v) => JSON.stringify(textOf(v));
    }
  });
  return (source, first, count) => {
    let text = "";
    for (let i = first; i < first + count; i++) {
      const row = source.row(i);
      let line = "{";
      for (let c = 0; c < value.length; c++) line += `${c === 0 ? "" : ","}${keys[c]}:${value[c]!(row[c])}`;
      text += `${line}}\n`;
    }
    return Buffer.from(text, "utf8");
  };
}

/** A growable little-endian byte writer for RowBinary. */
class ByteWriter {
  buf: Buffer;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }
  string(s: string): void {
    const bytes = Buffer.byteLength(s, "utf8");
    this.varint(bytes);
    this.room(bytes);
    this.at += this.buf.write(s, this.at, "utf8");
  }
  float64(x: number): void {
    this.room(8);
    this.at = this.buf.writeDoubleLE(x, this.at);
  }
  int32(x: number): void {
    this.room(4);
    this.at = this.buf.writeInt32LE(x, this.at);
  }
  uint32(x: number): void {
    this.room(4);
    this.at = this.buf.writeUInt32LE(x, this.at);
  }
  int64(x: bigint): void {
    this.room(8);
    this.at = this.buf.writeBigInt64LE(x, this.at);
  }
  uint8(x: number): void {
    this.room(1);
    this.buf[this.at++] = x;
  }
  /** ClickHouse's UUID: two UInt64, each little-endian (the text's halves, each byte-reversed). */
  uuid(text: string): void {
    const hex = text.replace(/-/g, "");
    this.room(16);
    const hi = Buffer.from(hex.slice(0, 16), "hex").reverse();
    const lo = Buffer.from(hex.slice(16, 32), "hex").reverse();
    hi.copy(this.buf, this.at);
    lo.copy(this.buf, this.at + 8);
    this.at += 16;
  }
}

function rowBinaryEncoder(columns: readonly ClickHouseColumn[]): BatchEncoder {
  const write = columns.map((c): ((w: ByteWriter, v: RowValue | undefined) => void) => {
    switch (c.kind) {
      case "datetime":
        return c.type.startsWith("DateTime64")
          ? (w, v) => w.int64(BigInt(Date.parse(isoOf(v))))
          : (w, v) => w.uint32(Math.floor(Date.parse(isoOf(v)) / 1000));
      case "float64":
        return (w, v) => w.float64(Number(v));
      case "int32":
        return (w, v) => w.int32(Number(v));
      case "decimal": {
        const factor = 10 ** (c.scale ?? 0);
        return (c.precision ?? 18) <= 9
          ? (w, v) => w.int32(Math.round(Number(v) * factor))
          : (w, v) => w.int64(BigInt(Math.round(Number(v) * factor)));
      }
      case "bool":
        return (w, v) => w.uint8(v === true ? 1 : 0);
      case "uuid":
        return (w, v) => w.uuid(textOf(v));
      default:
        return (w, v) => w.string(textOf(v));
    }
  });
  return (source, first, count) => {
    const w = new ByteWriter(Math.max(256, count * 64));
    for (let i = first; i < first + count; i++) {
      const row = source.row(i);
      for (let c = 0; c < write.length; c++) write[c]!(w, row[c]);
    }
    return w.buf.subarray(0, w.at);
  };
}
