// What every driver promises, checked against its real server (the one its own test file already
// starts): what "done" means for a new driver. Call `driverContract` at the top of that file, before
// any test that stops the server:
//
//   driverContract({ driver: trino, target: () => ({ kind: "trino", url: server.url }), workload: { type: "query", sql: "SELECT 1" },
//                    unreachable: (port) => ({ kind: "trino", url: `http://127.0.0.1:${port}` }) });
//
// It checks that the schemas are strict; that connect reports a version; that the workload's
// operations, run by the engine, are counted with no errors; that close can be called twice; that
// describeEndpoint names where load goes; that a port nothing listens on is one TargetUnreachable line
// naming host:port (exit 3); and that each declared probe, read around a few operations, answers
// with the metrics it declares.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ConnectContext, Connection, Driver } from "../../src/drivers/driver.js";
import { LoadProfile } from "../../src/engine/load.js";
import { runScenario } from "../../src/engine/run-scenario.js";
import { ExitCode, TargetUnreachable } from "../../src/errors.js";
import type { ScenarioResult } from "../../src/metrics/summary.js";
import { freePort } from "../../src/drivers/free-port.js";

export interface DriverContract<T, W> {
  readonly driver: Driver<T, W>;
  /** A target on the file's running server, as a suite writes it (called inside a test, after the hooks). */
  readonly target: () => Record<string, unknown>;
  /** A workload whose operations succeed on that target, as a suite writes it. */
  readonly workload: Record<string, unknown>;
  /** The target pointed at 127.0.0.1:`port`, where nothing listens; omitted by drivers with no network (DuckDB). */
  readonly unreachable?: (port: number) => Record<string, unknown>;
  /** Declared probe metrics a reading may leave out, and why (e.g. one that needs an extension). */
  readonly optionalMetrics?: Readonly<Record<string, string>>;
  /** Per test; default 60 s (a busy 2-core machine). */
  readonly timeoutMs?: number;
}

const ctx: ConnectContext = { name: "contract", suiteDir: process.cwd(), log: () => undefined, resolveRef: () => undefined };
const OPERATIONS = 3;

export function driverContract<T, W>(c: DriverContract<T, W>): void {
  const { driver } = c;
  const timeout = c.timeoutMs ?? 60_000;
  const target = (): T => driver.targetSchema.parse(c.target());
  const workload = (): W => driver.workloadSchema.parse(c.workload);

  describe(`the ${driver.kind} driver keeps the driver contract`, () => {
    test("its schemas are strict: an unknown key in a target or a workload is refused", () => {
      assert.equal(driver.targetSchema.safeParse({ ...c.target(), notAKey: 1 }).success, false);
      assert.equal(driver.workloadSchema.safeParse({ ...c.workload, notAKey: 1 }).success, false);
      assert.equal(driver.targetSchema.safeParse(c.target()).success, true);
    });

    test("connect reports a version; operations run by the engine are counted, without errors; close twice is fine", { timeout }, async () => {
      const connection = await driver.connect(target(), ctx);
      try {
        assert.match(connection.info.version ?? "", /\d/, "a version with a number in it");
        const result = await runOperations(connection, workload());
        assert.equal(result.errors, 0, JSON.stringify(result.errorsByClass));
        assert.equal(result.ops, OPERATIONS);
        assert.ok(Number.isInteger(result.records) && result.records >= OPERATIONS, `records ${result.records}`);
      } finally {
        await connection.close();
      }
      await connection.close();
    });

    test("describeEndpoint says where load goes, without a password", () => {
      const shown = driver.describeEndpoint(target());
      assert.ok(shown.length > 0);
      assert.doesNotMatch(shown, /:\/\/[^/@\s]*:[^/@\s]*@/, "no user:password@");
      if (c.unreachable !== undefined) assert.match(shown, /127\.0\.0\.1:\d+/);
    });

    if (c.unreachable !== undefined) {
      const unreachable = c.unreachable;
      test("a port nothing listens on: one TargetUnreachable line naming host:port, exit 3, and describeEndpoint names the same", { timeout }, async () => {
        const port = await freePort();
        const parsed = driver.targetSchema.parse(unreachable(port));
        await assert.rejects(driver.connect(parsed, ctx), (error: unknown) => {
          assert.ok(error instanceof TargetUnreachable, String(error));
          assert.equal(error.exitCode, ExitCode.targetFailed);
          assert.equal(error.target, "contract");
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}\\b`));
          assert.doesNotMatch(error.message, /\n/);
          assert.ok((error.hint ?? "").length > 0, "a hint: what to check");
          return true;
        });
        assert.match(driver.describeEndpoint(parsed), new RegExp(`127\\.0\\.0\\.1:${port}\\b`));
      });
    }

    test(`each declared probe answers with the metrics it declares (${driver.probeKinds.join(", ") || "none"})`, { timeout }, async () => {
      const declared = Object.keys(driver.probeMetrics ?? {});
      if (driver.probeKinds.length === 0) {
        assert.deepEqual(declared, [], "metrics declared without a probe to report them");
        return;
      }
      const connection = await driver.connect(target(), ctx);
      const seen = new Set<string>();
      try {
        for (const kind of driver.probeKinds) {
          const probe = connection.probe?.(kind);
          assert.ok(probe !== undefined, `connection.probe("${kind}")`);
          assert.equal(probe.kind, kind);
          const before = await probe.read();
          await runOperations(connection, workload());
          const after = await probe.read();
          const reading = probe.summarize(before, after);
          for (const [name, value] of Object.entries(reading.metrics)) {
            assert.ok(Number.isFinite(value), `${kind}: ${name} = ${value}`);
            seen.add(name);
          }
        }
      } finally {
        await connection.close();
      }
      const missing = declared.filter((m) => !seen.has(m) && !Object.hasOwn(c.optionalMetrics ?? {}, m));
      assert.deepEqual(missing, [], `declared but not reported: ${missing.join(", ")} (reported: ${[...seen].join(", ")})`);
    });
  });
}

/** Runs OPERATIONS of the workload through the engine, one at a time, as a scenario would. */
async function runOperations<W>(connection: Connection<W>, workload: W): Promise<ScenarioResult> {
  const prepared = await connection.prepare(workload, "contract");
  try {
    return await runScenario({
      load: LoadProfile.parse({ executor: "closed", workers: 1, iterations: OPERATIONS }),
      operation: prepared.run,
      ...(prepared.signalsSent === undefined ? {} : { signalsSent: prepared.signalsSent }),
      ...(prepared.untimed === undefined ? {} : { untimed: prepared.untimed }),
      ...(prepared.inProcess === undefined ? {} : { inProcessTarget: prepared.inProcess }),
      observe: prepared,
    });
  } finally {
    await prepared.close?.();
  }
}
