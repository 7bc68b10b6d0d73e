// A segment run by another pipebench process on this machine (`pipebench worker`, forked with an IPC
// channel): the same ScenarioWorker as the in-process one, so `run --workers N` and a single process
// share the coordinator's code path. The closed seconds a worker ships as it runs are the
// coordinator's checkpoints: a worker that dies (SIGKILL, OOM) leaves a `lost` part holding every
// second it reported, and the merged result says which worker stopped, and when.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { workerName, type WorkerPart } from "../engine/recording-merge.js";
import { fromWire } from "../engine/recording-wire.js";
import type { Segment } from "../engine/schedule.js";
import type { ScenarioWork, ScenarioWorker, WorkerPool } from "../engine/scenario-worker.js";
import { TargetFailed, UsageError } from "../errors.js";
import type { ClosedSecond } from "../metrics/recorder.js";
import type { FromWorker, ToWorker } from "./protocol.js";

/** The CLI's entry, from src/workers or dist/workers alike. */
const BIN = fileURLToPath(new URL("../../bin/pipebench.js", import.meta.url));
/** How long a worker may take to connect its targets. */
const READY_TIMEOUT_MS = 60_000;
/** From all prepared to the common start: time for the message to reach every worker on a busy machine (a 2-core box at load 10 delayed one by ~390 ms). */
const START_DELAY_MS = 1000;

type Waiter = { resolve: (m: FromWorker) => void; reject: (e: Error) => void; want: FromWorker["type"] };

export class ProcessWorker implements ScenarioWorker {
  private waiter: Waiter | undefined;
  private seconds: ClosedSecond[] = [];
  private work: ScenarioWork | undefined;
  private exited: string | undefined;
  /** It exited by itself (with an error) rather than being killed by a signal. */
  private exitedOwn = false;
  /** The last error line it printed (`error: …`), to name what stopped it. */
  private lastError: string | undefined;
  private partialLine = "";
  /** What it said when its run threw (its `failed` message). */
  private reportedFailure: string | undefined;
  private exitListeners: (() => void)[] = [];

  private constructor(
    readonly segment: Segment,
    private readonly child: ChildProcess,
  ) {
    child.on("message", (m: FromWorker) => this.onMessage(m));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => this.onStderr(chunk));
    child.on("exit", (code, signal) => {
      const settle = (): void => {
        if (this.exited !== undefined) return;
        this.partialLine += "\n";
        this.onStderr("");
        this.exitedOwn = signal === null;
        this.exited = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}${this.lastError === undefined ? "" : `: ${this.lastError}`}`;
        const w = this.waiter;
        this.waiter = undefined;
        w?.reject(new Error(`worker ${this.name} ${this.exited}`));
        for (const l of this.exitListeners) l();
      };
      // Its last lines (the error that ended it) can still be on their way: wait for the end of its
      // stderr, briefly (a process it started could hold the pipe open).
      const stderr = child.stderr;
      if (stderr === null || stderr.readableEnded) return settle();
      const timer = setTimeout(settle, 500);
      stderr.once("end", () => {
        clearTimeout(timer);
        settle();
      });
    });
  }

  get name(): string {
    return workerName(this.segment);
  }

  /** The worker's process id (tests kill one). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forks `pipebench worker` with the suite's arguments and waits until its targets are connected. */
  static async start(segment: Segment, suiteArgs: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessWorker> {
    const child = fork(BIN, ["worker", ...suiteArgs, "--segment", `${segment.index}/${segment.count}`], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...env, PIPEBENCH_WORKER_INDEX: String(segment.index) },
    });
    const worker = new ProcessWorker(segment, child);
    const timer = setTimeout(() => child.kill("SIGKILL"), READY_TIMEOUT_MS);
    try {
      await worker.expect("ready");
    } catch (error) {
      // Its own error (a target it cannot reach, a suite it cannot read) is on stderr above.
      throw new TargetFailed("workers", `worker ${worker.name} did not start: ${(error as Error).message}`, {
        hint: "its error is printed above, prefixed [worker i/n]; the coordinator reached the targets, so check what differs for a worker process",
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    return worker;
  }

  async prepare(work: ScenarioWork): Promise<void> {
    this.work = work;
    this.seconds = [];
    this.reportedFailure = undefined;
    this.send({ type: "prepare", ordinal: work.ordinal, trial: work.trial, scenario: work.scenario });
    await this.expect("prepared");
  }

  async run(startAtEpochMs: number): Promise<WorkerPart> {
    this.send({ type: "start", startAtEpochMs });
    // A signal sent to the coordinator alone (kill -INT <pid>, not the terminal's Ctrl-C to the group).
    const signal = this.work?.options.signal;
    const onAbort = (): void => this.send({ type: "interrupt" });
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted === true) onAbort();
    try {
      const m = await this.expect("recording");
      if (m.type !== "recording") throw new Error("unreachable");
      const { outcome, seconds, startSkewMs, seqs } = fromWire(m.recording);
      return { kind: "reported", segment: this.segment, outcome, seconds, startSkewMs, ...(seqs === undefined ? {} : { seqs }) };
    } catch (error) {
      // Never rejects: a worker whose run threw, or that exited, leaves what it reported.
      const failed = this.exited === undefined || this.exitedOwn;
      const failure = this.exited ?? this.reportedFailure ?? (error as Error).message;
      return { kind: "lost", segment: this.segment, seconds: this.seconds, startSkewMs: null, failure, failed };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  end(seqs: number): void {
    this.send({ type: "end", seqs });
  }

  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((resolve) => this.exitListeners.push(resolve));
    this.send({ type: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await gone;
    clearTimeout(timer);
  }

  private send(message: ToWorker): void {
    if (this.exited !== undefined || !this.child.connected) return;
    this.child.send(message);
  }

  private expect(want: FromWorker["type"]): Promise<FromWorker> {
    if (this.exited !== undefined) return Promise.reject(new Error(`worker ${this.name} ${this.exited}`));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject, want };
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === "second") {
      this.seconds.push(m.second);
      this.work?.onSecond?.(this.segment, m.second);
      return;
    }
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    if (m.type === "failed") {
      const message = `worker ${this.name}: ${m.message}`;
      this.reportedFailure = m.message;
      w.reject(m.usage ? new UsageError(message, m.hint === undefined ? {} : { hint: m.hint }) : new TargetFailed(this.work?.scenario.target ?? "?", message));
    } else if (m.type === w.want) w.resolve(m);
    else w.reject(new Error(`worker ${this.name} answered ${m.type}, expected ${w.want}`));
  }

  /** Passes its stderr on, each line marked with the worker (its own log lines are already). */
  private onStderr(chunk: string): void {
    const lines = (this.partialLine + chunk).split("\n");
    this.partialLine = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") continue;
      const error = /^(?:internal )?error: (.*)$/.exec(line);
      if (error?.[1] !== undefined) this.lastError = error[1];
      process.stderr.write(line.startsWith("[worker ") ? `${line}\n` : `[worker ${this.name}] ${line}\n`);
    }
  }
}

/** The pool `run --workers N` runs on: N worker processes on this machine, started at the first scenario. */
export class ProcessWorkerPool implements WorkerPool {
  readonly startDelayMs = START_DELAY_MS;
  private started: ProcessWorker[] = [];
  private opening: Promise<void> | undefined;

  constructor(
    private readonly count: number,
    /** The suite file and the flags that shape it (--set, --duration, --rate, --scenario), as given to run. */
    private readonly suiteArgs: readonly string[],
  ) {}

  get workers(): readonly ProcessWorker[] {
    return this.started;
  }

  open(): Promise<void> {
    this.opening ??= (async () => {
      const count = this.count;
      const started = await Promise.allSettled(Array.from({ length: count }, (_, index) => ProcessWorker.start({ index, count }, this.suiteArgs)));
      this.started = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed !== undefined) {
        await this.close();
        throw failed.reason;
      }
    })();
    return this.opening;
  }

  async close(): Promise<void> {
    await Promise.all(this.started.map((w) => w.close()));
  }
}
