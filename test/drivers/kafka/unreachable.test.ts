// An unreachable Kafka target fails fast with one line naming host:port and what to check: a closed
// port at once, a port that accepts but never speaks Kafka within the 10 s bound (not the client's
// retry-for-minutes). No broker needed.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import type { ConnectContext } from "../../../src/drivers/driver.js";
import { kafka } from "../../../src/drivers/kafka/index.js";
import { TargetUnreachable } from "../../../src/errors.js";
import { freePort } from "../../../src/drivers/free-port.js";

const ctx: ConnectContext = { name: "k", suiteDir: process.cwd(), log: () => {}, resolveRef: () => undefined };

describe("an unreachable kafka target", () => {
  test("a closed port gives TargetUnreachable at once: one line naming host:port and what to check", async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(kafka.connect(kafka.targetSchema.parse({ kind: "kafka", brokers: `127.0.0.1:${port}` }), ctx), (error: unknown) => {
      assert.ok(error instanceof TargetUnreachable, String(error));
      assert.equal(error.target, "k");
      assert.match(error.message, new RegExp(`^cannot reach Kafka at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): is the broker running.*targets\\.k\\.brokers$`));
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.hint ?? "", /kafka-local start/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });

  test("a port that accepts but never answers is unreachable within the 10 s bound", { timeout: 20_000 }, async () => {
    // A TCP server that says nothing: the Kafka handshake never completes.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    try {
      await assert.rejects(kafka.connect(kafka.targetSchema.parse({ kind: "kafka", brokers: `127.0.0.1:${port}` }), ctx), (error: unknown) => {
        assert.ok(error instanceof TargetUnreachable, String(error));
        assert.match(error.message, new RegExp(`Kafka at 127\\.0\\.0\\.1:${port}`));
        return true;
      });
    } finally {
      silent.close();
    }
    assert.ok(Date.now() - started < 13_000, `took ${Date.now() - started} ms`);
  });
});
