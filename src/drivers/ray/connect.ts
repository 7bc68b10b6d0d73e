// Connecting a ray target: prove the head's dashboard answers (/api/version), submit the load agent
// as a Ray job and wait until it connects back, then time a few no-op tasks through it: the agent's
// overhead, measured once and reported with every scenario. All of it before any scenario starts.
import { TargetFailed } from "../../errors.js";
import { rayStateProbe } from "../../probes/ray-state.js";
import type { Probe } from "../../probes/probe.js";
import type { ConnectContext, Connection } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { AgentClient } from "./agent-client.js";
import { RayDashboard } from "./jobs.js";
import type { RayTarget, RayWorkload } from "./schema.js";
import { prepareTask } from "./task.js";
import { unreachable } from "./unreachable.js";

/** No-op tasks timed at connect, one at a time, after a few to warm the workers. */
const CALIBRATION_WARMUP = 5;
const CALIBRATION_TASKS = 30;

export async function connectRay(target: RayTarget, ctx: ConnectContext): Promise<Connection<RayWorkload>> {
  const dashboard = new RayDashboard(target.url);
  let version: string;
  try {
    version = await dashboard.version();
  } catch (error) {
    throw unreachable(error, target.url, ctx.name);
  }
  ctx.log(`${ctx.name}: Ray ${version} at ${hostPort(target.url)}; submitting the load agent as a Ray job …`);
  let agent: AgentClient;
  try {
    agent = await AgentClient.start(dashboard, { python: target.python, callbackHost: target.callbackHost, timeoutMs: target.agentTimeout });
  } catch (error) {
    throw new TargetFailed(ctx.name, `cannot start pipebench's load agent on Ray at ${hostPort(target.url)}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: `the agent runs \`${target.python}\` on the head (targets.${ctx.name}.python must have ray installed) and connects back to ${target.callbackHost} (targets.${ctx.name}.callbackHost must be reachable from the cluster)`,
      cause: error,
    });
  }
  let calibration: { roundTripUs: number; rayUs: number };
  try {
    await agent.define("calibrate", { kind: "noop", cpus: 1 });
    calibration = await calibrate(agent);
  } catch (error) {
    await agent.close();
    throw new TargetFailed(ctx.name, `the load agent on Ray at ${hostPort(target.url)} cannot run a no-op task: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  ctx.log(
    `${ctx.name}: load agent ready (job ${agent.submissionId}); a no-op task's round trip through it: ${(calibration.roundTripUs / 1000).toFixed(2)} ms, ` +
      `of which Ray ${(calibration.rayUs / 1000).toFixed(2)} ms (agent overhead ${((calibration.roundTripUs - calibration.rayUs) / 1000).toFixed(2)} ms)`,
  );

  const probes: (Probe & { close?(): Promise<void> })[] = [];
  return {
    info: { version: `Ray ${version}`, url: target.url },
    prepare: (workload, scenario) => prepareTask({ name: ctx.name, suiteDir: ctx.suiteDir, agent, dashboard, calibration }, workload, scenario),
    probe(kind: string): Probe | undefined {
      if (kind !== "ray-state") return undefined;
      const probe = rayStateProbe({ url: target.url, agentJob: agent.hello.job });
      probes.push(probe);
      return probe;
    },
    async close() {
      await Promise.all(probes.map((p) => p.close?.()));
      await agent.close();
    },
  };
}

/** Median round trip of a no-op task through the agent, and the agent's own time for it (µs). */
async function calibrate(agent: AgentClient): Promise<{ roundTripUs: number; rayUs: number }> {
  for (let i = 0; i < CALIBRATION_WARMUP; i++) await agent.run("calibrate", []);
  const trips: number[] = [];
  const rays: number[] = [];
  for (let i = 0; i < CALIBRATION_TASKS; i++) {
    const started = performance.now();
    const rayMs = await agent.run("calibrate", []);
    trips.push(performance.now() - started);
    rays.push(rayMs);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return { roundTripUs: Math.round(median(trips) * 1000), rayUs: Math.round(median(rays) * 1000) };
}
