import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { closest, editDistance, listNames } from "../../src/suite/did-you-mean.js";

describe("editDistance", () => {
  const cases = [
    ["", "", 0],
    ["abc", "abc", 0],
    ["abc", "abd", 1],
    ["closd", "closed", 1],
    ["wrokers", "workers", 1], // a swap is one edit
    ["kitten", "sitting", 3],
  ] as const;
  for (const [a, b, d] of cases) test(`${a} ↔ ${b} = ${d}`, () => assert.equal(editDistance(a, b), d));
});

describe("closest", () => {
  const keys = ["executor", "workers", "duration", "iterations", "warmup", "batchSize"];
  const cases = [
    ["batchsize", "batchSize"], // case-insensitive
    ["warmpu", "warmup"],
    ["durtaion", "duration"],
    ["batch", "batchSize"], // a prefix
    ["pg", undefined],
    ["zzz", undefined],
  ] as const;
  for (const [input, expected] of cases) test(`${input} → ${String(expected)}`, () => assert.equal(closest(input, keys), expected));
  test("short names: one edit at most", () => {
    assert.equal(closest("pgg", ["pg", "duck"]), "pg");
    assert.equal(closest("pg", ["duck", "api"]), undefined);
  });
});

test("listNames cuts long lists", () => {
  assert.equal(listNames([]), "(none)");
  assert.equal(listNames(["a", "b"]), "a, b");
  assert.equal(listNames(["a", "b", "c", "d"], 2), "a, b, … (2 more)");
});
