// The `task` workload: one operation = one Ray task, sent to the load agent and timed by the engine
// from its intended start to its result. Beside that latency, each operation keeps the time the agent
// itself measured for the task (request read → result, as a Ray driver sees it), as an observed
// latency named `ray`: pipebench's latency minus it is the agent's overhead (socket, JSON).
//
// Errors: a task that fails on the cluster is RAY_<Ray's class>, e.g. RAY_RayTaskError(ZeroDivisionError)
// (kind server); the agent's connection lost mid-run is ECONNRESET (kind reset), and once it is
// lost, each operation asks the head what became of the agent's job (agent-gone.ts): ECONNREFUSED
// when it does not answer, HTTP_<status> when it answers with an error.
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import type { Observer, OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import { AgentLost, RayTaskFailure, type AgentClient, type FunctionDef } from "./agent-client.js";
import type { RayDashboard } from "./jobs.js";
import type { RayTaskWorkload } from "./schema.js";
import { agentGone } from "./agent-gone.js";

/** The observed latency's name: the agent's own time for each task. */
export const RAY_TIME = "ray";

export interface TaskTarget {
  readonly name: string;
  readonly suiteDir: string;
  readonly agent: AgentClient;
  readonly dashboard: RayDashboard;
  /** The agent's round trip for a no-op task and Ray's share of it, measured at connect (µs). */
  readonly calibration: { readonly roundTripUs: number; readonly rayUs: number };
}

let defined = 0;

export async function prepareTask(target: TaskTarget, workload: RayTaskWorkload, scenario: string): Promise<PreparedWorkload> {
  const def = await functionDef(target, workload, scenario);
  const key = `f${defined++}`;
  try {
    await target.agent.define(key, def);
  } catch (error) {
    if (error instanceof AgentLost) throw error;
    throw new UsageError(`scenario ${scenario}: the load agent cannot use ${describe(workload)}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: `fix scenarios.${scenario}.workload: the module must run on the cluster's Python (its imports installed there) and define the function`,
      cause: error,
    });
  }
  const args: readonly unknown[] =
    workload.kind === "cpu" ? [workload.iterations] : workload.kind === "io" ? [workload.sleep / 1000] : workload.kind === "python" ? workload.args : [];

  let observer: Observer | undefined;
  const before = await taskStates(target).catch(() => undefined);

  const run = async (ctx: OpContext): Promise<OpOutcome> => {
    if (target.agent.isLost) throw await agentGone(target.dashboard, target.agent.submissionId);
    ctx.sent();
    try {
      const rayMs = await abortable(target.agent.run(key, args), ctx.signal);
      if (observer !== undefined) observer.arrived(observer.wallNow(ctx) - rayMs);
      return {};
    } catch (error) {
      if (error instanceof RayTaskFailure) {
        throw coded(error.message, `RAY_${error.rayClass}`, error);
      }
      if (error instanceof AgentLost) throw coded(error.message, error.code, error);
      throw error;
    }
  };

  return {
    run,
    signalsSent: true,
    observes: RAY_TIME,
    attach(o) {
      observer = o;
    },
    async settle(timeoutMs) {
      const counts: Record<string, number> = {
        agent_noop_round_trip_us: target.calibration.roundTripUs,
        agent_noop_ray_us: target.calibration.rayUs,
      };
      // The State API once, after the scenario: the job's tasks by state, this scenario's share.
      if (before !== undefined && !target.agent.isLost) {
        const after = await Promise.race([taskStates(target), new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.min(timeoutMs, 30_000)).unref())]).catch(() => undefined);
        if (after !== undefined) {
          counts.ray_tasks_finished = Math.max(0, (after.FINISHED ?? 0) - (before.FINISHED ?? 0));
          counts.ray_tasks_failed = Math.max(0, (after.FAILED ?? 0) - (before.FAILED ?? 0));
        }
      }
      return counts;
    },
  };
}

function taskStates(target: TaskTarget): Promise<Record<string, number>> {
  return target.dashboard.taskStates(target.agent.hello.job);
}

async function functionDef(target: TaskTarget, workload: RayTaskWorkload, scenario: string): Promise<FunctionDef> {
  if (workload.kind !== "python") return { kind: workload.kind, cpus: workload.numCpus };
  const file = workload.module ?? "";
  const path = isAbsolute(file) ? file : resolve(target.suiteDir, file);
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`scenario ${scenario}: cannot read the task's module ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: `fix scenarios.${scenario}.workload.module: a Python file, relative to the suite's folder`,
      cause: error,
    });
  }
  const module = (file.split("/").pop() ?? "task").replace(/\.py$/, "").replace(/[^A-Za-z0-9_]/g, "_");
  return { kind: "python", cpus: workload.numCpus, module: `pipebench_${module}`, source, ...(workload.function === undefined ? {} : { function: workload.function }) };
}

function describe(w: RayTaskWorkload): string {
  return w.kind === "python" ? `${w.module ?? "?"}:${w.function ?? "?"}` : `kind ${w.kind}`;
}

function coded(message: string, code: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  Object.defineProperty(error, "code", { value: code, enumerable: true });
  return error;
}

/** The task keeps running on the cluster; the operation stops waiting when the scenario stops. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e as Error);
      },
    );
  });
}
