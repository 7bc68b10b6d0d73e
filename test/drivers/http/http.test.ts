// The http driver against real local servers: a node:http server in this process, and services the
// driver starts itself as child processes.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { generators } from "../../../src/data/index.js";
import type { ConnectContext, OpContext } from "../../../src/drivers/driver.js";
import { http, HttpStartSchema, HttpTargetSchema, HttpWorkloadSchema } from "../../../src/drivers/http/index.js";
import { freePort } from "../../../src/drivers/free-port.js";
import { startService } from "../../../src/drivers/http/service.js";
import { classifyError, TargetFailed, TargetUnreachable } from "../../../src/errors.js";
import { driverContract } from "../contract.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

function context(refs: Record<string, string> = {}): ConnectContext {
  return { name: "api", suiteDir: fixtures, log: () => undefined, resolveRef: (ref) => refs[ref] };
}

function op(seq = 0): OpContext {
  return { signal: new AbortController().signal, seq, worker: 0, sent() {} };
}

const connect = (target: Record<string, unknown>, ctx = context()) =>
  http.connect(HttpTargetSchema.parse({ kind: "http", ...target }), ctx);
const workload = (w: Record<string, unknown>) => HttpWorkloadSchema.parse({ type: "request", ...w });

describe("http driver against a local server", () => {
  let server: Server;
  let url: string;
  const received: { method: string; url: string; type: string | undefined; body: string }[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.setEncoding("utf8").on("data", (c: string) => (body += c));
      req.on("end", () => {
        received.push({ method: req.method ?? "", url: req.url ?? "", type: req.headers["content-type"], body });
        if (req.url === "/hang") return; // never answers
        if (req.url === "/fail") res.writeHead(500).end("database is down\n");
        else if (req.url === "/api/items") res.writeHead(200).end("items");
        else res.writeHead(200, { server: "tiny/1.0" }).end("hello");
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  driverContract({
    driver: http,
    target: () => ({ kind: "http", url }),
    workload: { type: "request", path: "/api/items" },
    unreachable: (port) => ({ kind: "http", url: `http://127.0.0.1:${port}` }),
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("connects, reports the Server header, and counts response + request bytes", async () => {
    const conn = await connect({ url });
    try {
      assert.equal(conn.info.version, "tiny/1.0");
      assert.equal(conn.info.url, url);
      const prepared = await conn.prepare(workload({ method: "POST", path: "/x", body: "abc" }), "s");
      assert.equal(prepared.concurrencyHint, 10);
      assert.deepEqual(await prepared.run(op()), { records: 1, bytes: 5 + 3 });
    } finally {
      await conn.close();
    }
  });

  it("counts a 500 as an error whose class is HTTP_500, unless expected", async () => {
    const conn = await connect({ url });
    try {
      const failing = await conn.prepare(workload({ path: "/fail" }), "s");
      const error = await failing.run(op()).then(
        () => assert.fail("a 500 must fail the operation"),
        (e: unknown) => e,
      );
      assert.equal(classifyError(error), "HTTP_500");
      assert.match((error as Error).message, /HTTP 500 from GET \/fail: database is down/);

      const expected = await conn.prepare(workload({ path: "/fail", expect: { status: [500, 503] } }), "s");
      assert.deepEqual(await expected.run(op()), { records: 1, bytes: 17 });
      const notThis = await conn.prepare(workload({ path: "/", expect: { status: 201 } }), "s");
      await assert.rejects(notThis.run(op()), { code: "HTTP_200" });
    } finally {
      await conn.close();
    }
  });

  it("sends generator records as JSON bodies, record i for operation i", async () => {
    const conn = await connect({ url, headers: { authorization: "Bearer t" } });
    try {
      const prepared = await conn.prepare(
        workload({ method: "POST", path: "/ingest", body: { generator: "transactions", seed: 7 } }),
        "s",
      );
      received.length = 0;
      await prepared.run(op(0));
      await prepared.run(op(41));
      const expected = generators.transactions.create(7);
      for (const [k, seq] of [0, 41].entries()) {
        const got = received[k];
        assert.ok(got);
        assert.equal(got.method, "POST");
        assert.equal(got.type, "application/json");
        const body = JSON.parse(got.body) as Record<string, unknown>;
        const want = expected.object(seq);
        // Timestamps are relative to when each source was created; everything else is seeded.
        delete body.timestamp;
        delete want.timestamp;
        assert.deepEqual(body, want);
      }
    } finally {
      await conn.close();
    }
  });

  it("prefixes request paths with the url's path", async () => {
    const conn = await connect({ url: `${url}/api` });
    try {
      const prepared = await conn.prepare(workload({ path: "/items" }), "s");
      assert.deepEqual(await prepared.run(op()), { records: 1, bytes: 5 });
    } finally {
      await conn.close();
    }
  });

  it("cancels operations, in flight or not, when the scenario's signal aborts", async () => {
    const conn = await connect({ url });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      const controller = new AbortController();
      controller.abort(new Error("scenario stopped"));
      await assert.rejects(prepared.run({ signal: controller.signal, seq: 0, worker: 0, sent() {} }), /scenario stopped/);

      const hanging = await conn.prepare(workload({ path: "/hang" }), "s");
      const stop = new AbortController();
      const inFlight = hanging.run({ signal: stop.signal, seq: 1, worker: 0, sent() {} });
      setTimeout(() => stop.abort(new Error("interrupted")), 50);
      await assert.rejects(inFlight, /interrupted/);
    } finally {
      await conn.close();
    }
  });
});

describe("http driver: pipelining", () => {
  it("sends requests back to back on one connection when pipelining > 1", async () => {
    // A raw HTTP/1.1 server that answers only after a quiet moment, so it can count how many
    // requests arrived on a connection before the first answer went out.
    let mostBeforeAnswer = 0;
    const raw = createNetServer((socket) => {
      let pending = 0;
      let timer: NodeJS.Timeout | undefined;
      socket.setEncoding("utf8").on("data", (text: string) => {
        pending += text.split("\r\n\r\n").length - 1;
        clearTimeout(timer);
        timer = setTimeout(() => {
          mostBeforeAnswer = Math.max(mostBeforeAnswer, pending);
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".repeat(pending));
          pending = 0;
        }, 30);
      });
    });
    raw.listen(0, "127.0.0.1");
    await once(raw, "listening");
    const conn = await connect({ url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, connections: 1, pipelining: 4 });
    try {
      const prepared = await conn.prepare(workload({ method: "POST", path: "/", body: "x" }), "s");
      assert.equal(prepared.concurrencyHint, 4);
      const outcomes = await Promise.all([0, 1, 2, 3].map((seq) => prepared.run(op(seq))));
      assert.deepEqual(outcomes, Array(4).fill({ records: 1, bytes: 3 }));
      assert.equal(mostBeforeAnswer, 4);
    } finally {
      await conn.close();
      raw.close();
    }
  });
});

describe("http driver: unreachable targets", () => {
  it("names host and port and what to check", async () => {
    const port = await freePort();
    const error = await connect({ url: `http://127.0.0.1:${port}` }).then(
      () => assert.fail("nothing listens there"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TargetUnreachable);
    assert.equal(error.target, "api");
    assert.equal(error.message, `cannot reach http target "api" at 127.0.0.1:${port}: connection refused`);
    assert.match(error.hint ?? "", new RegExp(`listening on 127\\.0\\.0\\.1:${port}`));
    assert.equal(error.message.includes("\n"), false);
  });

  it("says when a server accepts connections but never answers", async () => {
    const silent = createServer(() => undefined);
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const port = (silent.address() as AddressInfo).port;
    try {
      await assert.rejects(connect({ url: `http://127.0.0.1:${port}`, timeout: "300ms" }), {
        name: "TargetUnreachable",
        message: `cannot reach http target "api" at 127.0.0.1:${port}: connected, but no response came`,
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("rejects a target with neither url nor start", () => {
    const parsed = HttpTargetSchema.safeParse({ kind: "http" });
    assert.equal(parsed.success, false);
  });
});

describe("http driver: services it starts", () => {
  it("starts the command on a free PORT, waits for ready, substitutes refs, and stops it on close", async () => {
    const conn = await connect(
      {
        start: {
          command: ["node", "tiny-service.mjs"],
          ready: "/ready",
          env: { UPSTREAM: "{{targets.pg.url}}/db" },
        },
      },
      context({ "targets.pg.url": "postgres://127.0.0.1:5432" }),
    );
    const port = Number(new URL(conn.info.url ?? "").port);
    assert.ok(port > 0);
    try {
      const env = await conn.prepare(workload({ path: "/env" }), "s");
      assert.deepEqual(await env.run(op()), { records: 1, bytes: "postgres://127.0.0.1:5432/db".length });
    } finally {
      await conn.close();
    }
    await assert.rejects(connect({ url: `http://127.0.0.1:${port}` }), TargetUnreachable);
  });

  it("kills a service that ignores SIGTERM", async () => {
    const service = await startService(
      HttpStartSchema.parse({
        command: ["node", "-e", "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); require('node:http').createServer((q, s) => s.end()).listen(process.env.PORT)"],
        stopTimeout: "300ms",
      }),
      context(),
    );
    assert.ok(service.pid !== undefined && alive(service.pid));
    const started = Date.now();
    await service.stop();
    assert.equal(alive(service.pid), false);
    assert.ok(Date.now() - started >= 300, "SIGKILL comes after stopTimeout");
    assert.ok(service.output().includes("ignoring SIGTERM"));
  });

  it("gives TargetFailed with the service's output when it exits before it is ready", async () => {
    const error = await connect({
      start: { command: ["node", "-e", "console.log('starting'); console.error('cannot open config.yaml'); process.exit(3)"] },
    }).then(
      () => assert.fail("the service exits"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TargetFailed);
    assert.match(error.message, /exited with code 3 before GET \/ answered 2xx/);
    assert.match(error.message, /\| starting\n {2}\| cannot open config\.yaml/);
    assert.match(error.hint ?? "", /PORT=\d+ node -e/);
  });

  it("gives TargetFailed when the service never becomes ready, and kills it", async () => {
    const error = await connect({
      start: { command: ["node", "-e", "setInterval(() => {}, 1000); console.log('busy')"], timeout: "3s" }, // time for node to start and print
    }).then(
      () => assert.fail("the service never listens"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TargetFailed);
    assert.match(error.message, /did not answer 2xx on GET \/ within 3s \(last: ECONNREFUSED\)/);
    assert.match(error.message, /\| busy/);
  });

  it("starts a service whose target url has a path, polling its origin", async () => {
    const port = await freePort();
    const conn = await connect({
      url: `http://127.0.0.1:${port}/api`,
      start: {
        command: ["node", "-e", "require('node:http').createServer((q, s) => s.end(q.url)).listen(process.env.LISTEN, '127.0.0.1')"],
        env: { LISTEN: String(port) },
        timeout: "5s",
      },
    });
    try {
      const r = await (await conn.prepare(workload({ path: "/x" }), "s")).run(op());
      assert.equal(r?.records, 1);
    } finally {
      await conn.close();
    }
  });

  it("says so when the command does not exist", async () => {
    await assert.rejects(connect({ start: { command: ["no-such-command-pipebench"] } }), (e: unknown) => {
      assert.ok(e instanceof TargetFailed);
      assert.match(e.message, /could not start no-such-command-pipebench: command not found \(ENOENT\)/);
      return true;
    });
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
