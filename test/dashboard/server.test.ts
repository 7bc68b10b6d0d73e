// The live view's server on its own: resuming a stream where a browser left it, a client after the
// end, the JSON history, what it refuses, a taken port, and closing with streams still open.
import assert from "node:assert/strict";
import { get } from "node:http";
import { createServer } from "node:net";
import { test } from "node:test";
import { DashboardFeed } from "../../src/dashboard/events.js";
import { dashboardSettings } from "../../src/dashboard/flags.js";
import { startDashboard } from "../../src/dashboard/server.js";
import { ExitCode, UsageError } from "../../src/errors.js";
import { accepts, followEvents } from "./sse-client.js";

const end = { status: "passed", exitCode: 0, runId: 7, thresholds: [] } as const;

test("a reconnecting client gets what follows its Last-Event-ID, then the live events, and the stream ends with the run", async () => {
  const feed = new DashboardFeed();
  const server = await startDashboard(feed);
  try {
    for (const line of ["one", "two", "three"]) feed.log(line);
    const resumed = await followEvents(server.url, { lastEventId: 2 });
    await resumed.waitFor((e) => e.id === 3);
    feed.log("four");
    feed.end(end);
    await resumed.ended;
    assert.deepEqual(resumed.events.map((e) => [e.id, e.event]), [[3, "log"], [4, "log"], [5, "run-end"]]);
    assert.equal(resumed.events[1]?.data.line, "four");
    const last = resumed.events[2]?.data;
    assert.deepEqual([last?.type, last?.status, last?.exitCode, last?.runId], ["run-end", "passed", 0, 7]);

    // After the end: the whole history at once, then the stream closes.
    const after = await followEvents(server.url);
    await after.ended;
    assert.deepEqual(after.events.map((e) => e.id), [1, 2, 3, 4, 5]);
    feed.log("too late");
    assert.equal(feed.history().length, 5, "nothing is accepted after the end");

    const json = (await (await fetch(new URL("events.json", server.url))).json()) as { type: string }[];
    assert.deepEqual(json.map((e) => e.type), ["log", "log", "log", "log", "run-end"]);
  } finally {
    await server.close();
  }
});

test("unknown paths are 404, other methods 405, other Host names 403", async () => {
  const server = await startDashboard(new DashboardFeed());
  try {
    const statusFor = (host: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        get(server.url, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on("error", reject);
      });
    assert.equal(await statusFor(`localhost:${server.port}`), 200);
    assert.equal(await statusFor(`evil.example:${server.port}`), 403, "a name rebound to 127.0.0.1 gets nothing");
    assert.equal((await fetch(new URL("nope", server.url))).status, 404);
    const post = await fetch(new URL("events", server.url), { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  } finally {
    await server.close();
  }
});

test("a port already taken is bad input with a hint, not a crash", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await assert.rejects(startDashboard(new DashboardFeed(), { port }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.match(error.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(error.hint ?? "", /--dashboard=/);
      return true;
    });
  } finally {
    taken.close();
  }
});

test("close ends open streams (a run that never reached its end) and frees the port", async () => {
  const feed = new DashboardFeed();
  const server = await startDashboard(feed);
  const stream = await followEvents(server.url);
  feed.log("running");
  await stream.waitFor((e) => e.event === "log");
  // A page load leaves a keep-alive socket behind; close must not wait for it either.
  await (await fetch(server.url)).text();
  const started = Date.now();
  await server.close();
  await stream.ended;
  assert.ok(Date.now() - started < 2_000, "closing does not wait for clients to leave");
  assert.equal(await accepts("127.0.0.1", server.port), false);
  await server.close(); // twice is fine
});

test("--dashboard and --dashboard-linger as given on the command line", () => {
  const cases: [Parameters<typeof dashboardSettings>[0], string | undefined, ReturnType<typeof dashboardSettings>][] = [
    [{}, "s.yaml", { settings: undefined, suiteArg: "s.yaml" }],
    [{ dashboard: true }, "s.yaml", { settings: { lingerMs: 0 }, suiteArg: "s.yaml" }],
    [{ dashboard: "8090" }, undefined, { settings: { port: 8090, lingerMs: 0 }, suiteArg: undefined }],
    [{ dashboard: true, dashboardLinger: "2m" }, undefined, { settings: { lingerMs: 120_000 }, suiteArg: undefined }],
    // `run --dashboard my.yaml`: the optional value swallowed the suite; give it back.
    [{ dashboard: "my.yaml" }, undefined, { settings: { lingerMs: 0 }, suiteArg: "my.yaml" }],
  ];
  for (const [flags, suite, expected] of cases) assert.deepEqual(dashboardSettings(flags, suite), expected, JSON.stringify(flags));

  const bad: [Parameters<typeof dashboardSettings>[0], string | undefined, RegExp][] = [
    [{ dashboard: "70000" }, undefined, /--dashboard=70000 is not a port/],
    [{ dashboard: "0" }, undefined, /is not a port/],
    [{ dashboard: "abc" }, "s.yaml", /--dashboard abc is not a port/],
    [{ dashboard: true, dashboardLinger: "soon" }, undefined, /--dashboard-linger soon is not a duration/],
    [{ dashboardLinger: "10" }, undefined, /--dashboard-linger needs --dashboard/],
  ];
  for (const [flags, suite, message] of bad) {
    assert.throws(() => dashboardSettings(flags, suite), (e: unknown) => e instanceof UsageError && message.test(e.message));
  }
});
