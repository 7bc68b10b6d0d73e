// Once the load agent is gone, a task operation's error says what the head answered about the
// agent's job: an HTTP error from the Jobs API (the head is there: HTTP_<status>, of kind server or
// client) is not the head being unreachable (ECONNREFUSED), nor the job having stopped (ECONNRESET,
// its status said). A loopback HTTP server answers as the head's Jobs API does, status by job id
// (the real head's own 404 for a job it does not know is in ray.test.ts); a closed port is a head
// that is gone. The agent stands in as lost: what is judged is the head's answer.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { OpContext } from "../../../src/drivers/driver.js";
import { errorClassInfo } from "../../../src/drivers/error-classes.js";
import type { AgentClient } from "../../../src/drivers/ray/agent-client.js";
import { ray } from "../../../src/drivers/ray/index.js";
import { RayDashboard } from "../../../src/drivers/ray/jobs.js";
import { prepareTask } from "../../../src/drivers/ray/task.js";

let server: Server;
let url = "";
const asked: string[] = [];
/** A head whose every API answers 500 (/api/version too), as a dashboard in trouble does. */
let broken = false;

before(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? "");
    const id = (req.url ?? "").split("/").pop() ?? "";
    if (broken || id === "raysubmit_500") res.writeHead(500, { "content-type": "text/plain" }).end("500 Internal Server Error");
    else if (id === "raysubmit_404") res.writeHead(404, { "content-type": "text/plain" }).end(`Job ${id} does not exist`);
    else if (id === "raysubmit_stopped") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "STOPPED", message: "Job was intentionally stopped." }));
    // /api/version and the State API: a head that answers.
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ray_version: "2.60.0", data: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One operation of an io task whose load agent is gone, against the head at `headUrl`. */
async function lostAgentOperation(headUrl: string, submissionId: string): Promise<Error & { code?: string }> {
  const agent = { isLost: true, submissionId, hello: { job: "01000000" }, define: async () => undefined } as unknown as AgentClient;
  const prepared = await prepareTask(
    { name: "ray", suiteDir: ".", agent, dashboard: new RayDashboard(headUrl), calibration: { roundTripUs: 1, rayUs: 1 } },
    ray.workloadSchema.parse({ type: "task", kind: "io", sleep: "10ms" }),
    "s",
  );
  const ctx: OpContext = { signal: new AbortController().signal, seq: 0, worker: 0, sent: () => undefined };
  try {
    await prepared.run(ctx);
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail("an operation with the agent gone succeeded");
}

test("the head's Jobs API answers 500 or 404: an HTTP error of the head (server / client), not a head that does not answer", async () => {
  broken = true;
  const e500 = await lostAgentOperation(url, "raysubmit_500").finally(() => (broken = false));
  assert.equal(e500.code, "HTTP_500", e500.message);
  assert.equal(errorClassInfo(e500.code).kind, "server");
  assert.equal(e500.message, "the Ray load agent is gone, and the head's Jobs API answered HTTP 500 from /api/jobs/raysubmit_500: 500 Internal Server Error");
  assert.doesNotMatch(e500.message, /does not answer/);

  const e404 = await lostAgentOperation(url, "raysubmit_404");
  assert.equal(e404.code, "HTTP_404", e404.message);
  assert.equal(errorClassInfo(e404.code).kind, "client");
  assert.ok(asked.includes("/api/jobs/raysubmit_404"), JSON.stringify(asked));
});

test("the head says the agent's job stopped: reset, the job's status in the message; a head that is gone: refused", async () => {
  const stopped = await lostAgentOperation(url, "raysubmit_stopped");
  assert.equal(stopped.code, "ECONNRESET");
  assert.equal(stopped.message, "the Ray load agent is gone, though the head still answers: its job raysubmit_stopped is STOPPED: Job was intentionally stopped.");

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const gone = await lostAgentOperation(`http://127.0.0.1:${port}`, "raysubmit_500");
  assert.equal(gone.code, "ECONNREFUSED");
  assert.equal(errorClassInfo(gone.code).kind, "refused");
  assert.equal(gone.message, "the Ray head's dashboard does not answer (ECONNREFUSED) and the load agent is gone");
});
