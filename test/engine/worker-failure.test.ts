// On fake time, through runOnWorkers (the coordinator's path): a worker that fails stops the others
// as an interrupt does (each at its second's end, its part kept), and the merged result is the
// failure, naming that worker; a worker killed from outside does not (the others' parts stay
// whole). And the operation numbers a scenario used, told to its workload: the schedule's count when
// the load fixes it, else the highest any worker started, plus one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OpContext } from "../../src/drivers/driver.js";
import { FakeClock } from "../../src/engine/clock.js";
import type { LoadProfile } from "../../src/engine/load.js";
import type { WorkerPart } from "../../src/engine/recording-merge.js";
import { recordScenario, type RecordedScenario } from "../../src/engine/run-scenario.js";
import { constantRateSchedule } from "../../src/engine/schedule.js";
import { LocalWorker, runOnWorkers, type ScenarioWork, type ScenarioWorker, type WorkerPool } from "../../src/engine/scenario-worker.js";
import type { SuiteScenario } from "../../src/suite/types.js";

const scenario = { name: "s" } as SuiteScenario;
const open: LoadProfile = { executor: "constant-rate", rate: 30, duration: 10_000 };

/** Workers in this process on `clock`, the last one (or `extra`) added as given. */
function pool(clock: FakeClock, workers: ScenarioWorker[]): WorkerPool {
  return { workers, startDelayMs: 50, now: () => clock.wallNow() };
}

/** A worker process that dies `afterMs` into its run: exits with an error (failed) or is killed. */
class DyingWorker implements ScenarioWorker {
  ended: number | undefined;
  constructor(
    readonly segment: { index: number; count: number },
    private readonly clock: FakeClock,
    private readonly afterMs: number,
    private readonly failed: boolean,
  ) {}
  async prepare(_work: ScenarioWork): Promise<void> {}
  async run(): Promise<WorkerPart> {
    await this.clock.sleep(this.afterMs);
    return {
      kind: "lost",
      segment: this.segment,
      seconds: [],
      startSkewMs: null,
      failure: this.failed ? "exited with code 3: target db: connection refused" : "killed by SIGKILL",
      failed: this.failed,
    };
  }
  end(seqs: number): void {
    this.ended = seqs;
  }
  async close(): Promise<void> {}
}

describe("a worker that fails stops the others", () => {
  test("its target fails it (onError: abort): the others stop at their second's end, parts kept; the merged result failed, naming it", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    // Segment 2/3's operations fail from 2.5 s on; the others' never do.
    const run = async (ctx: OpContext): Promise<void> => {
      await clock.sleep(5);
      if (ctx.seq % 3 === 1 && clock.now() - t0 >= 2_550) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    };
    const workers = [0, 1, 2].map((index) => new LocalWorker({ index, count: 3 }));
    const { result } = await clock.run(
      runOnWorkers(pool(clock, workers), { scenario, ordinal: 0, trial: 0, options: { clock, load: open, operation: run, errorPolicy: { kind: "abort" } } }),
    );
    assert.equal(result.status, "failed");
    assert.match(result.failure ?? "", /^worker 2\/3: onError abort: the first error, .* at 2\.\d s$/);
    const [a, b, c] = result.segments ?? [];
    assert.deepEqual([a?.status, b?.status, c?.status], ["interrupted", "failed", "interrupted"]);
    // Stopped at the end of their third second, not at the scenario's tenth; what they did is kept.
    for (const w of [a, c]) assert.equal(w?.ops, 3 * 10, `worker ${w?.worker}: ${w?.ops} ops`);
    assert.equal(result.durationS, 3);
  });

  test("a worker process that exits with an error: the others stop, the merged result failed, naming it and its error", async () => {
    const clock = new FakeClock();
    const dying = new DyingWorker({ index: 1, count: 3 }, clock, 1_500, true);
    const workers = [new LocalWorker({ index: 0, count: 3 }), dying, new LocalWorker({ index: 2, count: 3 })];
    const { result } = await clock.run(
      runOnWorkers(pool(clock, workers), { scenario, ordinal: 0, trial: 0, options: { clock, load: open, operation: async () => void (await clock.sleep(5)) } }),
    );
    assert.equal(result.status, "failed");
    assert.match(result.failure ?? "", /^incomplete: worker 2\/3 stopped after 0 s \(exited with code 3: target db: connection refused\); its seconds before that are kept$/);
    assert.deepEqual(result.segments?.map((w) => w.status), ["interrupted", "lost", "interrupted"]);
    assert.equal(result.segments?.[0]?.ops, 2 * 10, "stopped at the end of its second second");
  });

  test("a worker killed from outside (SIGKILL, an OOM kill) does not stop the others: their parts stay whole, the run incomplete", async () => {
    const clock = new FakeClock();
    const workers = [new LocalWorker({ index: 0, count: 3 }), new DyingWorker({ index: 1, count: 3 }, clock, 1_500, false), new LocalWorker({ index: 2, count: 3 })];
    const { result } = await clock.run(
      runOnWorkers(pool(clock, workers), { scenario, ordinal: 0, trial: 0, options: { clock, load: open, operation: async () => void (await clock.sleep(5)) } }),
    );
    assert.equal(result.status, "interrupted");
    assert.match(result.failure ?? "", /^incomplete: worker 2\/3 stopped after 0 s \(killed by SIGKILL\)/);
    assert.deepEqual(result.segments?.map((w) => w.status), ["completed", "lost", "completed"]);
    assert.equal(result.segments?.[0]?.ops, 100);
  });
});

describe("the operation numbers a scenario used", () => {
  test("an open loop: the schedule's count with its warm-up, in every segment, whatever ran", async () => {
    const load: LoadProfile = { executor: "constant-rate", rate: 20, duration: 2_000, warmup: 500 };
    const whole = constantRateSchedule(20, 2_000).count + constantRateSchedule(20, 500).count;
    for (const segment of [undefined, { index: 0, count: 3 }, { index: 2, count: 3 }]) {
      const clock = new FakeClock();
      const recorded: RecordedScenario = await clock.run(recordScenario({ clock, load, operation: async () => void (await clock.sleep(1)), ...(segment === undefined ? {} : { segment }) }));
      assert.equal(recorded.seqs, whole, JSON.stringify(segment));
    }
  });

  test("closed-loop iterations in 3 parts use exactly the numbers one process uses, 0 … iterations − 1", async () => {
    const load: LoadProfile = { executor: "closed", workers: 5, iterations: 23 };
    const seen: number[] = [];
    for (let index = 0; index < 3; index++) {
      const clock = new FakeClock();
      const recorded: RecordedScenario = await clock.run(
        recordScenario({ clock, load, segment: { index, count: 3 }, operation: async (ctx) => void seen.push(ctx.seq) }),
      );
      assert.equal(recorded.seqs, 23);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i));
  });

  test("a closed loop run for a time: the highest number any worker started, plus one, told to every worker", async () => {
    const clock = new FakeClock();
    const started: number[] = [];
    const load: LoadProfile = { executor: "closed", workers: 3, duration: 1_000 };
    const dying = new DyingWorker({ index: 2, count: 3 }, clock, 0, false);
    // Two in this process, the third reporting nothing: what it would have said is not needed.
    const workers: ScenarioWorker[] = [new LocalWorker({ index: 0, count: 3 }), new LocalWorker({ index: 1, count: 3 }), dying];
    const { seqs } = await clock.run(
      runOnWorkers(pool(clock, workers), {
        scenario,
        ordinal: 0,
        trial: 0,
        options: { clock, load, operation: async (ctx) => void (started.push(ctx.seq), await clock.sleep(ctx.seq % 3 === 0 ? 10 : 7)) },
      }),
    );
    assert.equal(seqs, Math.max(...started) + 1);
    assert.equal(dying.ended, seqs, "every worker is told");
  });
});
