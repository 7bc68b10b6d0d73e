// The undici client, which carries https:// targets (see connect.ts). Its TLS is undici's own; what
// is ours is the hot path around it, tested here over plain http against a local server.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { classifyError } from "../../../src/errors.js";
import type { HttpClient } from "../../../src/drivers/http/client.js";
import { planRequest } from "../../../src/drivers/http/request.js";
import { RequestWorkloadSchema } from "../../../src/drivers/http/schema.js";
import { undiciClient } from "../../../src/drivers/http/undici-client.js";

const defaults = { basePath: "", headers: {}, concurrency: 2, pipelining: 1 };
const plan = (w: Record<string, unknown>) => planRequest(RequestWorkloadSchema.parse({ type: "request", ...w }), defaults);
const op = (seq = 0, signal = new AbortController().signal) => ({ signal, seq, worker: 0, sent() {} });

describe("http undici client", () => {
  let server: Server;
  let client: HttpClient;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.url === "/hang") return;
      if (req.url === "/fail") res.writeHead(500).end("database is down\n");
      else res.writeHead(200, { server: "tiny/1.0" }).end("hello");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client = undiciClient({ origin, connections: 2, pipelining: 1, timeout: 5_000, connectTimeout: 5_000 });
  });
  after(async () => {
    await client.close(100);
    server.closeAllConnections();
    server.close();
  });

  it("checks, counts bytes, and fails unexpected statuses as HTTP_<status>", async () => {
    assert.equal(await client.check("/"), "tiny/1.0");
    const post = client.prepare(plan({ method: "POST", path: "/x", body: "abc" }));
    assert.equal(post.concurrencyHint, 2);
    assert.deepEqual(await post.run(op()), { records: 1, bytes: 5 + 3 });
    const failing = client.prepare(plan({ path: "/fail" }));
    const error = await failing.run(op()).then(() => assert.fail("a 500 must fail"), (e: unknown) => e);
    assert.equal(classifyError(error), "HTTP_500");
    assert.match((error as Error).message, /HTTP 500 from GET \/fail: database is down/);
  });

  it("cancels in-flight requests when the scenario's signal aborts", async () => {
    const hanging = client.prepare(plan({ path: "/hang" }));
    const stop = new AbortController();
    const inFlight = hanging.run(op(1, stop.signal));
    setTimeout(() => stop.abort(new Error("interrupted")), 30);
    await assert.rejects(inFlight, /interrupted/);
  });
});
