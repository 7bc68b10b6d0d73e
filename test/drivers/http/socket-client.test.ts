// The http driver's socket client (net sockets + http-parser-js) against real local servers that
// misbehave on purpose: chunked and close-delimited bodies, keep-alive connections the server
// drops, `connection: close`, resets in the middle of a response, silence, a server that goes away.
// Raw `net` servers where node:http would not misbehave the way a test needs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ConnectContext, OpContext } from "../../../src/drivers/driver.js";
import { Fifo } from "../../../src/drivers/http/fifo.js";
import { http, HttpTargetSchema, HttpWorkloadSchema } from "../../../src/drivers/http/index.js";
import { classifyError } from "../../../src/errors.js";

const ctx: ConnectContext = { name: "api", suiteDir: ".", log: () => undefined, resolveRef: () => undefined };
const op = (seq = 0, signal = new AbortController().signal): OpContext => ({ signal, seq, worker: 0, sent() {} });
const connect = (target: Record<string, unknown>) => http.connect(HttpTargetSchema.parse({ kind: "http", ...target }), ctx);
const workload = (w: Record<string, unknown>) => HttpWorkloadSchema.parse({ type: "request", ...w });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function listen<S extends Server | NetServer>(server: S): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The error an operation rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    (outcome) => assert.fail(`expected an error, got ${JSON.stringify(outcome)}`),
    (error: unknown) => error as Error & { code?: string },
  );
}

/**
 * A raw HTTP/1.1 server: `answer(path, socket, nth)` is called per request (nth: 1-based count on
 * that socket) and writes whatever it likes. Counts connections and requests by path.
 */
function rawServer(answer: (path: string, socket: Socket, nth: number) => void) {
  const seen = { connections: 0, requests: new Map<string, number>() };
  const server = createNetServer((socket) => {
    seen.connections++;
    let nth = 0;
    let buffered = "";
    socket.on("error", () => undefined);
    socket.setEncoding("latin1").on("data", (text: string) => {
      buffered += text;
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) break;
        buffered = buffered.slice(end + 4 + length);
        const path = head.split(" ")[1] ?? "";
        seen.requests.set(path, (seen.requests.get(path) ?? 0) + 1);
        answer(path, socket, ++nth);
      }
    });
  });
  return { server, seen };
}

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

describe("http socket client: bodies", () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.url === "/chunked") {
        // No content-length: node:http sends transfer-encoding: chunked, one chunk per write.
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("abc");
        setTimeout(() => {
          res.write("defgh");
          res.end("ij");
        }, 5);
      } else if (req.url === "/chunked-error") {
        res.writeHead(503);
        res.write("overloaded, ");
        res.end("try later");
      } else {
        res.writeHead(200, { "content-length": 5 }).end(req.method === "HEAD" ? undefined : "hello");
      }
    });
    url = await listen(server);
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("counts the bytes of a chunked body, not its framing", async () => {
    const conn = await connect({ url });
    try {
      const prepared = await conn.prepare(workload({ path: "/chunked" }), "s");
      for (let seq = 0; seq < 3; seq++) assert.deepEqual(await prepared.run(op(seq)), { records: 1, bytes: 10 });
      const failing = await conn.prepare(workload({ path: "/chunked-error" }), "s");
      const error = await failure(failing.run(op()));
      assert.equal(classifyError(error), "HTTP_503");
      assert.match(error.message, /HTTP 503 from GET \/chunked-error: overloaded, try later/);
    } finally {
      await conn.close();
    }
  });

  it("reads no body after HEAD, whatever content-length says, and keeps the connection", async () => {
    let connections = 0;
    const count = () => connections++;
    server.on("connection", count);
    const conn = await connect({ url, connections: 1 });
    try {
      const head = await conn.prepare(workload({ method: "HEAD", path: "/" }), "s");
      const get = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await head.run(op()), { records: 1, bytes: 0 });
      assert.deepEqual(await get.run(op()), { records: 1, bytes: 5 });
      assert.deepEqual(await head.run(op()), { records: 1, bytes: 0 });
      assert.equal(connections, 1);
    } finally {
      server.off("connection", count);
      await conn.close();
    }
  });

  it("reads a body that ends with the connection (no length, not chunked)", async () => {
    const { server: raw, seen } = rawServer((path, socket) => {
      if (path === "/until-close") socket.end("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nsome bytes");
      else socket.write(OK);
    });
    const conn = await connect({ url: await listen(raw) });
    try {
      const prepared = await conn.prepare(workload({ path: "/until-close" }), "s");
      assert.deepEqual(await prepared.run(op(0)), { records: 1, bytes: 10 });
      assert.deepEqual(await prepared.run(op(1)), { records: 1, bytes: 10 });
      assert.equal(seen.connections, 2, "the check's (reused by the first request), then a new one");
    } finally {
      await conn.close();
      raw.close();
    }
  });
});

describe("http socket client: connections the server closes", () => {
  it("reconnects after a `connection: close` response, and sends what was pipelined behind it again", async () => {
    // The first request on a connection is answered with `connection: close` (the connection then
    // ends); anything pipelined behind it is ignored.
    const { server, seen } = rawServer((path, socket, nth) => {
      const body = path === "/last" ? "last" : "ok";
      if (nth === 1) socket.end(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    });
    const conn = await connect({ url: await listen(server), connections: 1, pipelining: 3 });
    try {
      const prepared = await conn.prepare(workload({ path: "/last" }), "s");
      const outcomes = await Promise.all([0, 1, 2, 3, 4].map((seq) => prepared.run(op(seq))));
      assert.deepEqual(outcomes, Array(5).fill({ records: 1, bytes: 4 }));
      assert.equal(seen.connections, 6, "one for the check, then one per /last");
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("with node:http and `connection: close` on every response, every request succeeds", async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { connection: "close", "content-length": 3 }).end("bye");
    });
    server.on("connection", () => connections++);
    const conn = await connect({ url: await listen(server), connections: 2 });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      for (let seq = 0; seq < 3; seq++) assert.deepEqual(await prepared.run(op(seq)), { records: 1, bytes: 3 });
      const together = await Promise.all([3, 4, 5, 6, 7].map((seq) => prepared.run(op(seq))));
      assert.deepEqual(together, Array(5).fill({ records: 1, bytes: 3 }));
      assert.equal(connections, 1 + 8);
    } finally {
      await conn.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("reconnects when the server has closed an idle keep-alive connection", async () => {
    // As servers do with keepAliveTimeout (node:http's is not exact to the millisecond): after
    // /first, the connection ends once idle for 30 ms.
    const { server, seen } = rawServer((path, socket) => {
      socket.write(OK);
      if (path === "/first") setTimeout(() => socket.end(), 30);
    });
    const conn = await connect({ url: await listen(server), connections: 1 });
    try {
      const first = await conn.prepare(workload({ path: "/first" }), "s");
      assert.deepEqual(await first.run(op(0)), { records: 1, bytes: 2 });
      await sleep(200);
      const next = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await next.run(op(1)), { records: 1, bytes: 2 });
      assert.equal(seen.connections, 2, "the check's (reused by /first), and one after the idle close");
      assert.equal(seen.requests.get("/"), 2, "the check, and the request after the close: nothing sent twice");
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("sends a request once more when a kept-alive connection closes before any of its answer", async () => {
    // The race of an idle close: the server drops the connection as the next request arrives.
    const { server, seen } = rawServer((path, socket, nth) => {
      if (nth === 1) socket.write(OK);
      else socket.destroy();
    });
    const conn = await connect({ url: await listen(server), connections: 1 });
    try {
      const prepared = await conn.prepare(workload({ method: "POST", path: "/p", body: "x" }), "s");
      for (let seq = 0; seq < 3; seq++) assert.deepEqual(await prepared.run(op(seq)), { records: 1, bytes: 3 });
      // The check took each connection's one answer: every request went out on a kept-alive
      // connection, which the server dropped, and once more on a new one.
      assert.equal(seen.requests.get("/p"), 3 * 2);
      assert.equal(seen.connections, 1 + 3);
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("retries a request the server drops only once, then counts it as an error", async () => {
    const { server, seen } = rawServer((path, socket) => {
      if (path === "/drop") socket.destroy();
      else socket.write(OK);
    });
    const conn = await connect({ url: await listen(server), connections: 1 });
    try {
      const prepared = await conn.prepare(workload({ path: "/drop" }), "s");
      const error = await failure(prepared.run(op()));
      assert.equal(error.code, "SOCKET_CLOSED");
      assert.match(error.message, /closed the connection without answering GET \/drop/);
      assert.equal(seen.requests.get("/drop"), 2, "sent on the kept-alive connection, then once on a new one");
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("counts a reset in the middle of a response as ECONNRESET, and a close there too, without retrying", async () => {
    const { server, seen } = rawServer((path, socket) => {
      if (path === "/") return socket.write(OK);
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nten bytes.");
      setTimeout(() => (path === "/reset" ? socket.resetAndDestroy() : socket.end()), 20);
    });
    const conn = await connect({ url: await listen(server), connections: 1 });
    try {
      const reset = await conn.prepare(workload({ path: "/reset" }), "s");
      assert.equal(classifyError(await failure(reset.run(op()))), "ECONNRESET");
      const cut = await conn.prepare(workload({ path: "/cut" }), "s");
      const error = await failure(cut.run(op()));
      assert.equal(classifyError(error), "SOCKET_CLOSED");
      assert.match(error.message, /in the middle of the response to GET \/cut/);
      assert.equal(seen.requests.get("/reset"), 1);
      assert.equal(seen.requests.get("/cut"), 1);
      const ok = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await ok.run(op()), { records: 1, bytes: 2 });
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("fails with ECONNREFUSED once the server is gone", async () => {
    const server = createServer((req, res) => res.end("ok"));
    const conn = await connect({ url: await listen(server) });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await prepared.run(op()), { records: 1, bytes: 2 });
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      assert.equal(classifyError(await failure(prepared.run(op(1)))), "ECONNREFUSED");
      assert.equal(classifyError(await failure(prepared.run(op(2)))), "ECONNREFUSED");
    } finally {
      await conn.close();
    }
  });
});

/** A server in another process, so it answers while this process's event loop is blocked. */
async function childServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [
    "-e",
    `const s = require("node:http").createServer((q, r) => { q.resume(); q.on("end", () => r.end("ok")); });
     s.listen(0, "127.0.0.1", () => console.log(s.address().port));`,
  ]);
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return { url: `http://127.0.0.1:${line.toString().trim()}`, stop: () => child.kill() };
}

/** Blocks this process's event loop, as a saturated generator launching a burst does. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

describe("http socket client: timeouts and limits", () => {
  it("a loop blocked past the timeouts reads the connect and the answer that came meanwhile before judging: no false CONNECT_TIMEOUT or TIMEOUT", async () => {
    const server = await childServer();
    const conn = await connect({ url: server.url, connections: 4, timeout: "100ms" });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      // Four at once: new connections (the connect is pending) and a reused one (the answer is).
      const pending = Array.from({ length: 4 }, (_, i) => prepared.run(op(i)));
      block(400);
      for (const outcome of await Promise.allSettled(pending)) {
        assert.equal(outcome.status, "fulfilled", outcome.status === "rejected" ? String(outcome.reason) : "");
      }
    } finally {
      await conn.close();
      server.stop();
    }
  });

  it("fails a request with no answer within `timeout` with code TIMEOUT, and goes on on a new connection", async () => {
    const { server } = rawServer((path, socket) => {
      if (path === "/slow") setTimeout(() => socket.destroyed || socket.write(OK), 1_000);
      else socket.write(OK);
    });
    const conn = await connect({ url: await listen(server), connections: 1, timeout: "150ms" });
    try {
      const slow = await conn.prepare(workload({ path: "/slow" }), "s");
      const started = Date.now();
      const error = await failure(slow.run(op()));
      assert.equal(classifyError(error), "TIMEOUT");
      assert.match(error.message, /no response to GET \/slow within 150ms/);
      assert.ok(Date.now() - started >= 140, "not before the timeout");
      const fast = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await fast.run(op(1)), { records: 1, bytes: 2 });
    } finally {
      await conn.close();
      server.close();
    }
  });

  it("keeps a slow but steady body alive: the timeout is between chunks, not for the whole body", async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      let sent = 0;
      const timer = setInterval(() => {
        res.write("x");
        if (++sent === 15) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
    });
    // Ten times the gap between chunks, so a stalled event loop (server and client share it) does
    // not fire the timer before the chunk that was due is read.
    const conn = await connect({ url: await listen(server), timeout: "1s" });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      const started = Date.now();
      assert.deepEqual(await prepared.run(op()), { records: 1, bytes: 15 });
      assert.ok(Date.now() - started > 1_000, "the whole body took longer than the timeout");
    } finally {
      await conn.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("never has more requests in flight than connections × pipelining; the rest wait their turn", async () => {
    let active = 0;
    let most = 0;
    const sockets = new Set<unknown>();
    const server = createServer((req, res) => {
      sockets.add(req.socket);
      active++;
      most = Math.max(most, active);
      req.resume();
      setTimeout(() => {
        active--;
        res.writeHead(200, { "content-length": 2 }).end("ok");
      }, 5);
    });
    const conn = await connect({ url: await listen(server), connections: 3 });
    try {
      const prepared = await conn.prepare(workload({ path: "/" }), "s");
      const outcomes = await Promise.all(Array.from({ length: 30 }, (_, seq) => prepared.run(op(seq))));
      assert.equal(outcomes.length, 30);
      assert.equal(most, 3);
      assert.equal(sockets.size, 3);
    } finally {
      await conn.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("cancels waiting and in-flight requests of a scenario whose signal aborts", async () => {
    const { server } = rawServer((path, socket) => {
      if (path === "/") socket.write(OK); // /hang: never answered
    });
    const conn = await connect({ url: await listen(server), connections: 1 });
    try {
      const hanging = await conn.prepare(workload({ path: "/hang" }), "s");
      const stop = new AbortController();
      const runs = [0, 1, 2].map((seq) => hanging.run(op(seq, stop.signal)));
      setTimeout(() => stop.abort(new Error("interrupted")), 30);
      for (const run of runs) assert.match((await failure(run)).message, /interrupted/);
      const ok = await conn.prepare(workload({ path: "/" }), "s");
      assert.deepEqual(await ok.run(op(3)), { records: 1, bytes: 2 });
    } finally {
      await conn.close();
      server.close();
    }
  });
});

describe("http socket client: Fifo", () => {
  it("keeps order across growth, wrap-around and unshift", () => {
    const fifo = new Fifo<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) {
        fifo.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < round % 5; i++) assert.equal(fifo.shift(), expected.shift());
      if (round % 3 === 0) {
        fifo.unshift(-round);
        expected.unshift(-round);
      }
      assert.equal(fifo.length, expected.length);
      assert.equal(fifo.peek(), expected[0]);
    }
    assert.deepEqual(fifo.drain(), expected);
    assert.equal(fifo.shift(), undefined);
    assert.equal(fifo.length, 0);
  });
});
