// The messages between `pipebench run --workers N` (the coordinator) and its worker processes
// (`pipebench worker`), over Node's IPC channel. Per scenario: prepare → prepared, start → seconds
// as they close (the coordinator's checkpoints) → recording, then end; close at the end.
import type { ClosedSecond } from "../metrics/recorder.js";
import type { WireRecording } from "../engine/recording-wire.js";
import type { SuiteScenario } from "../suite/types.js";

export type ToWorker =
  /**
   * `scenario`: the scenario as the coordinator runs it (plain data). A find-max step or a sweep's
   * combination is not in the worker's own suite (its rate, duration, workload settings), so the
   * worker runs what it is sent, on the target of that name it connected.
   */
  | { readonly type: "prepare"; readonly ordinal: number; readonly trial: number; readonly scenario: SuiteScenario }
  | { readonly type: "start"; readonly startAtEpochMs: number }
  /** The coordinator was interrupted (Ctrl-C, SIGTERM): stop as a single process would. */
  | { readonly type: "interrupt" }
  /** The scenario is over on every worker; it used operation numbers 0 … seqs − 1 (PreparedWorkload.ended). */
  | { readonly type: "end"; readonly seqs: number }
  | { readonly type: "close" };

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "prepared" }
  | { readonly type: "second"; readonly second: ClosedSecond }
  | { readonly type: "recording"; readonly recording: WireRecording }
  /** Prepare or the run threw: the message, and whether it was a mistake in the suite (exit 2). */
  | { readonly type: "failed"; readonly message: string; readonly usage: boolean; readonly hint?: string };
