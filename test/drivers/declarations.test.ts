// A driver declares what the shared modules used to hard-code: the shared modules must read those
// declarations from the registry, so a new driver is its folder plus one line in drivers/index.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { endpointOf } from "../../src/cli/target-endpoints.js";
import { errorClassInfo } from "../../src/drivers/error-classes.js";
import { drivers } from "../../src/drivers/index.js";
import { fixedKind, probeMetricKinds } from "../../src/thresholds/metrics.js";
import { parseThreshold } from "../../src/thresholds/parse.js";

/** One error class each driver produces, and what it reads as. */
const OWN_CLASSES = [
  ["postgres", "57P01", "server 57P01 admin_shutdown"],
  ["postgres", "CONNECTION_TERMINATED", "reset (CONNECTION_TERMINATED)"],
  ["http", "HTTP_503", "server 503"],
  ["http", "SOCKET_CLOSED", "reset (SOCKET_CLOSED)"],
  ["kafka", "KAFKA_10_MESSAGE_TOO_LARGE", "client kafka 10 MESSAGE_TOO_LARGE"],
  ["kafka", "PLT_KFK_TIMEOUT", "timeout (PLT_KFK_TIMEOUT)"],
  ["clickhouse", "CLICKHOUSE_252_TOO_MANY_PARTS", "server clickhouse 252 TOO_MANY_PARTS"],
  ["trino", "TRINO_EXCEEDED_TIME_LIMIT", "timeout trino EXCEEDED_TIME_LIMIT"],
] as const;

describe("drivers' declarations are what the shared modules use", () => {
  for (const [kind, errorClass, label] of OWN_CLASSES) {
    test(`${kind}: its own classifier reads ${errorClass}, and errorClassInfo gives the same`, () => {
      const own = drivers[kind].errorClasses?.(errorClass);
      assert.equal(own?.label, label);
      assert.deepEqual(errorClassInfo(errorClass), own);
      // No other driver claims it: the shapes are disjoint, so registry order never matters.
      for (const [other, driver] of Object.entries(drivers)) {
        if (other !== kind) assert.equal(driver.errorClasses?.(errorClass), undefined, `${other} claims ${errorClass}`);
      }
    });
  }

  test("a class no driver reads is other; the network classes every client shares are no driver's", () => {
    assert.deepEqual(errorClassInfo("NOT_A_CLASS"), { kind: "other", label: "NOT_A_CLASS" });
    for (const driver of Object.values(drivers)) assert.equal(driver.errorClasses?.("ECONNREFUSED"), undefined, driver.kind);
    assert.equal(errorClassInfo("ECONNREFUSED").label, "refused (ECONNREFUSED)");
  });

  test("every probe metric a driver declares has its kind in thresholds", () => {
    const kinds = probeMetricKinds(Object.values(drivers));
    for (const driver of Object.values(drivers)) {
      for (const [metric, kind] of Object.entries(driver.probeMetrics ?? {})) {
        assert.equal(kinds[metric], kind, metric);
        assert.equal(fixedKind({ from: "probe", name: metric }, kinds), kind, metric);
        // The parser holds a threshold to the declared kind: a unit of another kind is refused.
        const wrong = kind === "duration" ? "50%" : "5ms";
        assert.throws(() => parseThreshold(`${metric} > ${wrong}`, kinds), `${metric} > ${wrong}`);
      }
    }
  });

  test("each registry key is its driver's kind (Finding.area and the suite's kind: both name it)", () => {
    for (const [key, driver] of Object.entries(drivers)) assert.equal(driver.kind, key);
  });

  test("each driver describes its own endpoint", () => {
    assert.equal(endpointOf({ kind: "trino", config: { kind: "trino", url: "http://127.0.0.1:8080" } }), "127.0.0.1:8080");
    assert.equal(endpointOf({ kind: "kafka", config: { kind: "kafka", brokers: ["a:9092", "b:9092"] } }), "a:9092, b:9092");
    assert.equal(endpointOf({ kind: "postgres", config: { kind: "postgres", embedded: true } }), "embedded (started by pipebench)");
    assert.equal(endpointOf({ kind: "duckdb", config: { kind: "duckdb", path: ":memory:" } }), "in-process (in memory)");
  });
});
