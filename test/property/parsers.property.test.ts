// Property-based tests (fast-check) of the parsers a person's text goes through: durations,
// counts and rates, sizes, thresholds. Tables of cases pin what each accepts; these look for what
// the tables did not think of: text that throws, Infinity, prototype names, rounding that does not
// come back, an order that is not kept.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { formatThresholdValue } from "../../src/thresholds/format.js";
import { LATENCY_METRICS } from "../../src/thresholds/metrics.js";
import { parseThreshold, THRESHOLD_OPS, ThresholdSyntaxError, type Threshold } from "../../src/thresholds/parse.js";
import { Duration, formatDuration, formatSize, parseCount, parseDuration, parseSize, Rate, Size } from "../../src/suite/units.js";

// Fixed seed: a failure reproduces; the number of runs keeps the file under a few seconds.
const RUNS = { numRuns: 1000, seed: 20261121 } as const;

/** Arbitrary text, biased toward the characters these grammars are made of. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.stringMatching(/^[0-9.\-_eE kKmMbBiIgGsuµμh%/<>=!a-z]{0,24}$/),
  // Object.prototype's names and numbers too long for a double.
  fc.constantFrom("constructor", "valueOf", "toString", "__proto__", "hasOwnProperty", "9".repeat(400), "1e400"),
  fc.tuple(fc.constantFrom("p95", "throughput", "error_rate", "errors", "x"), fc.constantFrom("<", ">=", "=="), fc.string({ maxLength: 12 })).map(
    ([m, op, v]) => `${m} ${op} ${v}`,
  ),
);

const DURATION_UNITS = { us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationUnit = fc.constantFrom(...(Object.keys(DURATION_UNITS) as (keyof typeof DURATION_UNITS)[]));
/** A decimal as people write it: "12", "0.5", "1500.25". */
const decimal = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }))
  .map(([int, frac]) => (frac === undefined ? `${int}` : `${int}.${String(frac).padStart(2, "0")}`));

function relClose(actual: number, expected: number, tolerance = 1e-9): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

describe("durations", () => {
  test("any text gives a finite number of ms ≥ 0 or undefined, never a throw", () => {
    fc.assert(
      fc.property(text, (s) => {
        const ms = parseDuration(s);
        return ms === undefined || (Number.isFinite(ms) && ms >= 0);
      }),
      RUNS,
    );
  });

  test("any number: seconds ≥ 0 are kept in ms; negative, NaN and Infinity are not durations", () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        const ms = parseDuration(n);
        if (Number.isFinite(n) && n >= 0 && Number.isFinite(n * 1000)) return ms === n * 1000;
        return ms === undefined;
      }),
      RUNS,
    );
  });

  test("number + unit parses to number × the unit's ms; a bare number is seconds", () => {
    fc.assert(
      fc.property(decimal, durationUnit, fc.boolean(), (n, unit, bare) => {
        const ms = parseDuration(bare ? n : `${n}${unit}`);
        return ms !== undefined && relClose(ms, Number(n) * (bare ? 1000 : DURATION_UNITS[unit]));
      }),
      RUNS,
    );
  });

  test("compound durations add up: 1h30m is 1h + 30m", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(decimal, durationUnit), { minLength: 1, maxLength: 4 }), (parts) => {
        const whole = parseDuration(parts.map(([n, u]) => `${n}${u}`).join(""));
        const sum = parts.reduce((acc, [n, u]) => acc + (parseDuration(`${n}${u}`) ?? Number.NaN), 0);
        return whole !== undefined && relClose(whole, sum);
      }),
      RUNS,
    );
  });

  test("monotone: a larger number of a unit is never a shorter duration, and a larger unit never shorter", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), durationUnit, durationUnit, (a, b, u, v) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const sameUnit = (parseDuration(`${lo}${u}`) ?? Number.NaN) <= (parseDuration(`${hi}${u}`) ?? Number.NaN);
        const [small, big] = DURATION_UNITS[u] <= DURATION_UNITS[v] ? [u, v] : [v, u];
        const units = (parseDuration(`${a}${small}`) ?? Number.NaN) <= (parseDuration(`${a}${big}`) ?? Number.NaN);
        return sameUnit && units;
      }),
      RUNS,
    );
  });

  test("format → parse comes back, within the rounding the format shows", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e10, noNaN: true }), (ms) => {
        const shown = formatDuration(ms);
        const back = parseDuration(shown);
        // <1ms to the µs, <10ms to 0.01ms, <1s to 0.1ms, <1m to 0.01s, then to the second.
        const step = ms < 1 ? 1e-3 : ms < 10 ? 0.01 : ms < 1000 ? 0.1 : ms < 60_000 ? 10 : 1000;
        assert.ok(back !== undefined, `${ms} ms printed as "${shown}", which does not parse`);
        assert.ok(Math.abs(back - ms) <= step / 2 + 1e-9, `${ms} ms printed as "${shown}", read back as ${back}`);
        assert.doesNotMatch(shown, /m60s$/, `${ms} ms printed as "${shown}"`);
      }),
      RUNS,
    );
  });

  test("the suite field turns every input into ms ≥ 0 or an issue with a fix, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.double()), (value) => {
        const r = Duration.safeParse(value);
        if (r.success) return Number.isFinite(r.data) && r.data >= 0;
        const issue = r.error.issues[0] as { params?: { fix?: string } } | undefined;
        return typeof issue?.params?.fix === "string" || r.error.issues.length > 0;
      }),
      RUNS,
    );
  });
});

describe("counts and rates", () => {
  const SI = { "": 1, k: 1e3, K: 1e3, M: 1e6 } as const;
  const prefix = fc.constantFrom(...(Object.keys(SI) as (keyof typeof SI)[]));

  test("any text gives a finite count ≥ 0 or undefined, never a throw", () => {
    fc.assert(
      fc.property(text, (s) => {
        const n = parseCount(s);
        return n === undefined || (Number.isFinite(n) && n >= 0);
      }),
      RUNS,
    );
  });

  test('n, "nk", "nM" and "n/s" parse to n × the prefix', () => {
    fc.assert(
      fc.property(decimal, prefix, fc.boolean(), fc.constantFrom("", " "), (n, p, perSecond, space) => {
        const parsed = parseCount(`${n}${space}${p}${perSecond ? "/s" : ""}`);
        return parsed !== undefined && relClose(parsed, Number(n) * SI[p]);
      }),
      RUNS,
    );
  });

  test("String(n) round-trips for every whole and decimal count", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e15, noNaN: true })), (n) => {
        // Number's shortest form may use an exponent (1e-7), which a suite never writes.
        const s = String(n);
        return /e/.test(s) || parseCount(s) === n;
      }),
      RUNS,
    );
  });

  test("monotone in the number and in the prefix", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), prefix, (a, b, p) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return (
          (parseCount(`${lo}${p}`) ?? Number.NaN) <= (parseCount(`${hi}${p}`) ?? Number.NaN) &&
          (parseCount(`${a}k`) ?? Number.NaN) <= (parseCount(`${a}M`) ?? Number.NaN)
        );
      }),
      RUNS,
    );
  });

  test("a rate is finite and positive, or an issue: zero, negative, NaN, Infinity and 400 digits are refused", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.double(), fc.integer({ min: -1000, max: 0 })), (value) => {
        const r = Rate.safeParse(value);
        if (!r.success) return true;
        return Number.isFinite(r.data) && r.data > 0;
      }),
      RUNS,
    );
    for (const bad of [0, -5, "0", "-5", "0/s", Number.NaN, Number.POSITIVE_INFINITY, "9".repeat(400)]) {
      assert.equal(Rate.safeParse(bad).success, false, String(bad));
    }
  });
});

describe("sizes", () => {
  const UNITS = { "": 1, B: 1, KB: 1024, KiB: 1024, kb: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3 } as const;
  const unit = fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]));

  test("any text gives a whole number of bytes ≥ 0 or undefined, never a throw", () => {
    fc.assert(
      fc.property(text, (s) => {
        const b = parseSize(s);
        return b === undefined || (Number.isSafeInteger(b) && b >= 0);
      }),
      RUNS,
    );
  });

  test("n + unit is n × 1024^k bytes (64KB is Kafka's 65536)", () => {
    fc.assert(
      fc.property(fc.nat(100_000), unit, (n, u) => parseSize(`${n}${u}`) === n * UNITS[u]),
      RUNS,
    );
    assert.equal(parseSize("64KB"), 65_536);
    assert.equal(parseSize("1.5MiB"), 1_572_864);
  });

  test("format → parse is exact", () => {
    fc.assert(
      fc.property(fc.nat(2 ** 40), (bytes) => parseSize(formatSize(bytes)) === bytes),
      RUNS,
    );
  });

  test("monotone: more of a unit, or a larger unit, is never fewer bytes", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), unit, (a, b, u) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return (parseSize(`${lo}${u}`) ?? Number.NaN) <= (parseSize(`${hi}${u}`) ?? Number.NaN) &&
          (parseSize(`${a}KB`) ?? Number.NaN) <= (parseSize(`${a}MB`) ?? Number.NaN);
      }),
      RUNS,
    );
  });

  test("the suite field: bytes or an issue, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.double()), (value) => {
        const r = Size.safeParse(value);
        return !r.success || (Number.isSafeInteger(r.data) && r.data >= 0);
      }),
      RUNS,
    );
  });
});

describe("thresholds", () => {
  /** A parsed threshold, or the syntax error; anything else thrown fails the property. */
  function attempt(expr: string): Threshold | ThresholdSyntaxError {
    try {
      return parseThreshold(expr);
    } catch (error) {
      if (error instanceof ThresholdSyntaxError) return error;
      throw new Error(`parseThreshold(${JSON.stringify(expr)}) threw ${String(error)}`);
    }
  }

  test("any text is a threshold with a finite value, or a ThresholdSyntaxError pointing inside it with a fix", () => {
    fc.assert(
      fc.property(text, (s) => {
        const r = attempt(s);
        if (r instanceof ThresholdSyntaxError) {
          return r.offset >= 0 && r.offset <= r.expr.length && r.fix.length > 0 && r.message.length > 0;
        }
        return Number.isFinite(r.value) && r.value >= 0 && typeof r.kind === "string" && r.expr === s.trim();
      }),
      { ...RUNS, numRuns: 4000 },
    );
    for (const s of ["constructor < 5", "valueOf < 5", "p95 < 5constructor", "p95 <toString 5", "p95 < 1e400ms", `p95 < ${"9".repeat(400)}ms`]) {
      const r = attempt(s);
      assert.ok(r instanceof ThresholdSyntaxError || Number.isFinite(r.value), s);
    }
    assert.ok(attempt("p95 < 1e400ms") instanceof ThresholdSyntaxError);
    for (const s of ["constructor < 5", "pg.constructor < 5", "__proto__ < 5", "hasOwnProperty < 5"]) assert.ok(attempt(s) instanceof ThresholdSyntaxError, s);
  });

  const op = fc.constantFrom(...THRESHOLD_OPS);
  const latency = fc.constantFrom(...LATENCY_METRICS, "service.p99", "end_to_end.p95");
  const spaces = fc.constantFrom("", " ", "  ");

  test("latency: metric, operator and value + unit come back as written, in ms", () => {
    fc.assert(
      fc.property(latency, op, decimal, durationUnit, spaces, spaces, (metric, o, n, u, s1, s2) => {
        const t = parseThreshold(`${metric}${s1}${o}${s2}${n}${u}`);
        return t.metric === metric && t.op === o && t.kind === "duration" && relClose(t.value, Number(n) * DURATION_UNITS[u]);
      }),
      RUNS,
    );
  });

  test("formatThresholdValue → parse comes back for durations, ratios and small rates", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ metric: fc.constant("p99"), kind: fc.constant("duration" as const), value: fc.double({ min: 0.001, max: 1e8, noNaN: true }) }),
          fc.record({ metric: fc.constant("error_rate"), kind: fc.constant("ratio" as const), value: fc.double({ min: 0, max: 1, noNaN: true }) }),
          // Rates of 1,000/s and more print grouped (1,000/s), which the parser refuses with a fix.
          fc.record({ metric: fc.constant("throughput"), kind: fc.constant("rate" as const), value: fc.double({ min: 0, max: 999, noNaN: true }) }),
        ),
        op,
        ({ metric, kind, value }, o) => {
          const shown = formatThresholdValue(kind, value);
          const t = parseThreshold(`${metric} ${o} ${shown}`);
          // Each format rounds: durations as formatDuration, ratios to 0.01% (2 significant digits
          // below 1%), rates to 0.1/s below 100/s and to 1/s above.
          const tolerance =
            kind === "duration" ? (value < 1 ? 5e-4 : value < 10 ? 5e-3 : value < 1000 ? 0.05 : value < 60_000 ? 5 : 500)
            : kind === "ratio" ? (value < 0.01 ? Math.max(value * 0.05, 1e-12) : 5e-5)
            : value >= 100 ? 0.5 : 0.05;
          assert.equal(t.kind, kind);
          assert.ok(Math.abs(t.value - value) <= tolerance + 1e-9, `${value} shown as "${shown}" read back as ${t.value}`);
        },
      ),
      RUNS,
    );
  });

  test("monotone in the value and in the unit", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), durationUnit, durationUnit, (a, b, u, v) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const value = (e: string): number => parseThreshold(e).value;
        const [small, big] = DURATION_UNITS[u] <= DURATION_UNITS[v] ? [u, v] : [v, u];
        return (
          value(`p95 < ${lo}${u}`) <= value(`p95 < ${hi}${u}`) &&
          value(`p95 < ${a}${small}`) <= value(`p95 < ${a}${big}`) &&
          value(`throughput > ${lo}/s`) <= value(`throughput > ${hi}/s`) &&
          value(`throughput > ${a}k/s`) <= value(`throughput > ${a}M/s`)
        );
      }),
      RUNS,
    );
  });

  test("a unit that does not fit the metric is refused, whatever the number", () => {
    fc.assert(
      fc.property(decimal, (n) => {
        for (const e of [`p95 < ${n}%`, `p95 < ${n}/s`, `error_rate < ${n}ms`, `throughput > ${n}ms`, `errors < ${n}/s`, `p95 < ${n}`]) {
          if (!(attempt(e) instanceof ThresholdSyntaxError)) return false;
        }
        return true;
      }),
      RUNS,
    );
  });
});
