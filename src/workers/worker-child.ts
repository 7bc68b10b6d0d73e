// `pipebench worker SUITE --segment i/N`: one load generator of `pipebench run --workers N`, started
// by it with an IPC channel. It connects the suite's targets itself (their `setup:` already ran in the
// coordinator, once), then for each scenario it is sent (a suite scenario, a find-max step, a sweep's
// combination: the coordinator's, as plain data): prepares the workload, waits for the
// common start time, runs its segment and ships every closed second and finally its recording; its
// workload hears how many operation numbers the whole scenario used (`end`) before the next one.
// Probes, thresholds and the store stay with the coordinator.
import type { Connection, PreparedWorkload } from "../drivers/driver.js";
import { recordScenario } from "../engine/run-scenario.js";
import { closeAll, connectTargets } from "../engine/connect-targets.js";
import { scenarioRunOptions } from "../engine/run-suite.js";
import { workerName } from "../engine/recording-merge.js";
import { toWire } from "../engine/recording-wire.js";
import type { Segment } from "../engine/schedule.js";
import { UsageError } from "../errors.js";
import type { Suite, SuiteScenario } from "../suite/types.js";
import type { FromWorker, ToWorker } from "./protocol.js";

/** The suite with every target's `setup:` emptied: the coordinator ran it once already. */
export function withoutSetup(suite: Suite): Suite {
  const targets = Object.fromEntries(
    Object.entries(suite.targets).map(([name, t]) => {
      const config = t.config as Record<string, unknown> | null;
      const stripped = config !== null && typeof config === "object" && Array.isArray(config.setup) ? { ...config, setup: [] } : t.config;
      return [name, { ...t, config: stripped }];
    }),
  );
  return { ...suite, targets } as Suite;
}

export async function runWorkerChild(suite: Suite, segment: Segment): Promise<number> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new UsageError("pipebench worker is started by pipebench run --workers N (it talks to it over IPC)", {
      hint: "run the suite with pipebench run SUITE --workers N, or one part of it with pipebench run SUITE --segment i/N",
    });
  }
  const post = (message: FromWorker): void => void send(message);
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const log = (line: string): void => void process.stderr.write(`[worker ${workerName(segment)}] ${line}\n`);
  const connected: Map<string, { kind: string; connection: Connection<unknown> }> = await connectTargets(withoutSetup(suite), log, interrupt.signal);
  let prepared: { prepared: PreparedWorkload; scenario: SuiteScenario } | undefined;
  // The workload that ran, kept open until the coordinator says how many operation numbers the
  // whole scenario used (its `end`), which it must hear before the next scenario is prepared.
  let ran: PreparedWorkload | undefined;
  const closeRan = (): void => {
    void ran?.close?.().catch(() => undefined);
    ran = undefined;
  };
  post({ type: "ready" });

  const fail = (error: unknown): void => {
    post({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
      usage: error instanceof UsageError,
      ...(error instanceof UsageError && error.hint !== undefined ? { hint: error.hint } : {}),
    });
  };

  return new Promise<number>((resolve) => {
    const finish = async (code: number): Promise<void> => {
      process.off("message", onMessage);
      closeRan();
      await prepared?.prepared.close?.().catch(() => undefined);
      await closeAll(connected);
      resolve(code);
    };
    const onMessage = (message: ToWorker): void => {
      if (message.type === "close") {
        void finish(0);
      } else if (message.type === "interrupt") {
        interrupt.abort();
      } else if (message.type === "end") {
        ran?.ended?.(message.seqs);
        closeRan();
      } else if (message.type === "prepare") {
        closeRan();
        const scenario = message.scenario;
        const target = connected.get(scenario.target);
        if (target === undefined) {
          fail(new Error(`scenario ${scenario.name}'s target ${scenario.target} is not connected in this worker's suite`));
          return;
        }
        target.connection.prepare(scenario.workload, scenario.name).then(
          (p) => {
            prepared = { prepared: p, scenario };
            post({ type: "prepared" });
          },
          fail,
        );
      } else if (message.type === "start") {
        const current = prepared;
        const scenario = current?.scenario;
        if (current === undefined || scenario === undefined) {
          fail(new Error("start before prepare"));
          return;
        }
        prepared = undefined;
        recordScenario({
          ...scenarioRunOptions(scenario, current.prepared),
          signal: interrupt.signal,
          segment,
          startAtEpochMs: message.startAtEpochMs,
          onSecond: (second) => post({ type: "second", second }),
        })
          .then(
            (recorded) => {
              ran = current.prepared;
              post({ type: "recording", recording: toWire(recorded, segment) });
            },
            (error: unknown) => {
              fail(error);
              void current.prepared.close?.().catch(() => undefined);
            },
          );
      }
    };
    process.on("message", onMessage);
    // The coordinator gone (it crashed or was killed): stop too, nothing would read the results.
    process.once("disconnect", () => void finish(1));
  });
}
