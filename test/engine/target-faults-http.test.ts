// Faults in the target, through the real http driver and the real engine (real clock): one local
// HTTP service that misbehaves on a timetable — answers, then 503s, then hangs, then resets every
// connection, then refuses (its listener closed), then answers again. With `onError: continue` the
// scenario goes through all of it: every error counted by class and kind, per second, and the
// successes resume. The 503s are counted exactly: the server says how many it sent. The default
// limit and `onError: abort` stop the scenario instead, stored as failed with a reason.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { test } from "node:test";
import type { ConnectContext } from "../../src/drivers/driver.js";
import { http, HttpTargetSchema, HttpWorkloadSchema } from "../../src/drivers/http/index.js";
import { LoadProfile } from "../../src/engine/load.js";
import { runScenario } from "../../src/engine/run-scenario.js";
import type { ErrorPolicy } from "../../src/engine/target-failure.js";
import { errorClassInfo, errorsByKind } from "../../src/drivers/error-classes.js";
import type { ScenarioResult } from "../../src/metrics/summary.js";
import { errorsLine } from "../../src/report/errors-line.js";

const ctx: ConnectContext = { name: "api", suiteDir: ".", log: () => undefined, resolveRef: () => undefined };
const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
const UNAVAILABLE = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy";

type Mode = "ok" | "503" | "hang" | "reset" | "refuse";

/** A raw HTTP/1.1 server whose answer depends on `mode`; counts the 503s it sent. */
class FaultyService {
  mode: Mode = "ok";
  sent503 = 0;
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => undefined);
      let buffered = "";
      socket.setEncoding("latin1").on("data", (text: string) => {
        buffered += text;
        for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
          buffered = buffered.slice(end + 4);
          if (this.mode === "ok") socket.write(OK);
          else if (this.mode === "503") {
            this.sent503++;
            socket.write(UNAVAILABLE);
          } else if (this.mode === "reset") socket.resetAndDestroy();
          // hang: read, never answer
        }
      });
    });
    server.listen(this.port, "127.0.0.1");
    await once(server, "listening");
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listener and every connection: new connections are refused. */
  async refuse(): Promise<void> {
    this.mode = "refuse";
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((done) => server.close(done));
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function runAgainst(
  service: FaultyService,
  policy: ErrorPolicy | undefined,
  seconds: number,
  timetable: (elapsedMs: number) => Promise<void>,
): Promise<ScenarioResult> {
  const conn = await http.connect(
    HttpTargetSchema.parse({ kind: "http", url: `http://127.0.0.1:${service.port}`, connections: 4, timeout: "300ms" }),
    ctx,
  );
  const prepared = await conn.prepare(HttpWorkloadSchema.parse({ type: "request", path: "/" }), "faults");
  const load = LoadProfile.parse({ executor: "constant-rate", rate: 100, duration: `${seconds}s` });
  const started = Date.now();
  let done = false;
  // The timetable runs beside the scenario, checking every 20 ms.
  const driving = (async () => {
    while (!done) {
      await timetable(Date.now() - started);
      await sleep(20);
    }
  })();
  try {
    return await runScenario({ load, operation: prepared.run, ...(policy === undefined ? {} : { errorPolicy: policy }) });
  } finally {
    done = true;
    await driving;
    await conn.close();
  }
}

test("onError continue: 503s, a hang, resets and a refused port are counted by kind per second, then successes resume", { timeout: 30_000 }, async () => {
  const service = new FaultyService();
  await service.listen();
  try {
    const result = await runAgainst(service, { kind: "continue" }, 7, async (ms) => {
      if (ms >= 5_600) {
        if (service.mode === "refuse") {
          service.mode = "ok";
          await service.listen(); // the same port again
        }
      } else if (ms >= 4_500) {
        if (service.mode !== "refuse") await service.refuse();
      } else if (ms >= 3_500) service.mode = "reset";
      else if (ms >= 2_000) service.mode = "hang";
      else if (ms >= 1_000) service.mode = "503";
    });
    const context = JSON.stringify({ status: result.status, failure: result.failure, ops: result.ops, byClass: result.errorsByClass, errorSeries: result.errorSeries, series: result.series.map((p) => [p.t, p.ops, p.errors]) });
    assert.equal(result.status, "completed", context);
    const kinds = errorsByKind(result.errorsByClass);
    for (const kind of ["server", "timeout", "reset", "refused"] as const) assert.ok((kinds[kind] ?? 0) > 0, `no ${kind} errors: ${context}`);
    // Every 503 the service sent was counted, with its code, and nothing else counted as one.
    assert.ok(service.sent503 > 50, `the service sent ${service.sent503} 503s`);
    assert.equal(result.errorsByClass.HTTP_503, service.sent503, context);
    assert.equal(errorClassInfo("HTTP_503").label, "server 503");
    // Per second: the errors of each second sum to the total, and the 503s fall in seconds 0–2.
    const perSecond = (result.errorSeries ?? []).reduce((n, p) => n + Object.values(p.byClass).reduce((a, b) => a + b, 0), 0);
    assert.equal(perSecond, result.errors, context);
    const with503 = (result.errorSeries ?? []).filter((p) => (p.byClass.HTTP_503 ?? 0) > 0).map((p) => p.t);
    assert.ok(with503.length > 0 && with503.every((t) => t <= 2), `503s in seconds ${with503.join(",")}: ${context}`);
    // Recovery: the last full second answered.
    const lastFull = result.series.find((p) => p.t === 6);
    assert.ok(lastFull !== undefined && lastFull.ops > 50 && lastFull.errors <= 1, context); // of 100: a stall under load moves some into the drain
    assert.match(errorsLine(result) ?? "", /^errors: [\d,]+ \(.*server 503.*\), first at [012] s, last at [4-6] s$/, errorsLine(result));
  } finally {
    await service.close();
  }
});

test("the default stops a scenario whose every operation failed for 3 s (a refused port); onError abort stops at the first 503", { timeout: 20_000 }, async () => {
  const refusing = new FaultyService();
  await refusing.listen();
  try {
    const result = await runAgainst(refusing, undefined, 15, async (ms) => {
      if (ms >= 500 && refusing.mode !== "refuse") await refusing.refuse();
    });
    assert.equal(result.status, "failed", JSON.stringify(result.errorsByClass));
    assert.match(result.failure ?? "", /^every operation failed for 3 s in a row: \d+ of \d+ errors were refused \(ECONNREFUSED\)$/);
    assert.ok(result.durationS < 6, `stopped after ${result.durationS} s of 15`);
    assert.ok(result.ops > 20, `its partial results are kept: ${result.ops} ops`);
  } finally {
    await refusing.close();
  }

  const failing = new FaultyService();
  await failing.listen();
  try {
    const result = await runAgainst(failing, { kind: "abort" }, 10, async (ms) => {
      if (ms >= 1_000 && failing.mode === "ok") failing.mode = "503";
    });
    assert.equal(result.status, "failed");
    assert.match(result.failure ?? "", /^onError abort: the first error, server 503, at 1\.\d s$/);
    assert.ok(result.durationS < 2, `stopped at ${result.durationS} s`);
    assert.ok(result.ops > 50, `${result.ops} ops before the first error`);
  } finally {
    await failing.close();
  }
});
