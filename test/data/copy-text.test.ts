import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeCopyBatch, encodeCopyRow, encodeCopyRows, escapeCopyText, numberText, pgText } from "../../src/data/copy-text.js";
import { generators, type RowValue } from "../../src/data/index.js";

describe("COPY text fields", () => {
  const cases: [string, RowValue | undefined, string][] = [
    ["plain text", "cpu_usage_percent", "cpu_usage_percent"],
    ["empty string (not NULL)", "", ""],
    ["backslash", "a\\b", "a\\\\b"],
    ["tab", "a\tb", "a\\tb"],
    ["newline", "line1\nline2", "line1\\nline2"],
    ["carriage return", "a\r\nb", "a\\r\\nb"],
    ["the text \\N is not NULL", "\\N", "\\\\N"],
    ["end-of-data marker as a value", "\\.", "\\\\."],
    ["unicode passes as is", "zürich – 東京", "zürich – 東京"],
    ["null", null, "\\N"],
    ["undefined", undefined, "\\N"],
    ["integer", 42, "42"],
    ["negative decimal", -12.5, "-12.5"],
    ["NaN as PostgreSQL spells it", Number.NaN, "NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "Infinity"],
    ["-Infinity", Number.NEGATIVE_INFINITY, "-Infinity"],
    ["bigint", 9_007_199_254_740_993n, "9007199254740993"],
    ["true", true, "t"],
    ["false", false, "f"],
    ["Date as ISO-8601 UTC", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), "2024-01-02T03:04:05.006Z"],
    ["bytes as bytea hex (backslash escaped)", new Uint8Array([0, 15, 255]), "\\\\x000fff"],
    ["object as JSON", { host: "server-000001", n: 1 }, '{"host":"server-000001","n":1}'],
    ["JSON with an escaped quote keeps its backslash", { q: 'say "hi"' }, '{"q":"say \\\\"hi\\\\""}'],
    ["JSON with a newline in a string", { s: "a\nb" }, '{"s":"a\\\\nb"}'],
    ["array as JSON", [1, "two"], '[1,"two"]'],
  ];
  for (const [name, value, expected] of cases) {
    test(name, () => {
      assert.equal(encodeCopyRow([value as RowValue]), `${expected}\n`);
    });
  }
});

describe("COPY text rows and batches", () => {
  test("fields are tab-separated and each row ends with a newline", () => {
    assert.equal(encodeCopyRow(["a", 1, null, true]), "a\t1\t\\N\tt\n");
  });

  test("encodeCopyRows makes one UTF-8 buffer of all rows", () => {
    const buffer = encodeCopyRows([["é", 1], ["b\tc", 2]]);
    assert.equal(buffer.toString("utf8"), "é\t1\nb\\tc\t2\n");
    assert.equal(buffer.length, Buffer.byteLength("é\t1\nb\\tc\t2\n"));
  });

  test("encodeCopyBatch encodes rows first … first+count-1 of a source", () => {
    const source = generators.transactions.create(5, { baseTime: Date.UTC(2024, 0, 1) });
    const expected = [10, 11, 12].map((i) => encodeCopyRow(source.row(i))).join("");
    assert.equal(encodeCopyBatch(source, 10, 3).toString("utf8"), expected);
  });

  test("escapeCopyText returns the same string when nothing needs escaping", () => {
    const s = "nothing special";
    assert.equal(escapeCopyText(s), s);
  });

  test("pgText gives null for NULL and text for everything else", () => {
    assert.equal(pgText(null), null);
    assert.equal(pgText("x"), "x");
    assert.equal(pgText(1.5), "1.5");
  });
});

describe("numberText", () => {
  test("prints exactly as String(n) does", () => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const values: number[] = [0, -0, 0.1, 0.01, 0.001, 1e-7, 1e21, -1e21, 999_999_999.99, 1e9 + 0.5, 5e-324, 0.3 - 0.1];
    for (let k = 0; k < 50_000; k++) {
      const magnitude = 10 ** Math.floor(random() * 11);
      values.push(Math.round(random() * magnitude * 100) / 100, -Math.round(random() * magnitude * 10_000) / 10_000, random() * magnitude);
    }
    for (const v of values) assert.equal(numberText(v), String(v), `for ${v}`);
  });
});
