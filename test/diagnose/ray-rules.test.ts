// The ray rules on hand-built stored runs: each fires on its symptom with the numbers, and stays
// quiet on a healthy cluster. (The CPU-bound and I/O findings on a real head are in
// test/drivers/ray/ray.test.ts.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnoseWith } from "../../src/diagnose/diagnose.js";
import { RAY_RULES } from "../../src/diagnose/rules/ray.js";
import { reading, result, run, scenario } from "./fixtures.js";

const HEALTHY = {
  ray_nodes: 1, ray_workers: 2, ray_cpus: 2, ray_gpus: 0, ray_memory_bytes: 8e9, ray_object_store_bytes: 128 * 1024 * 1024,
  ray_cpus_used_max: 2, ray_cpu_usage: 1, ray_tasks_pending_max: 0, ray_tasks_running_max: 2, ray_samples: 10,
  ray_samples_pending_cpus_busy: 0, ray_samples_pending_cpus_idle: 0, ray_pending_cpus_busy_max: 0, ray_pending_cpus_idle_max: 0,
  ray_object_store_used_max_bytes: 0, ray_object_store_usage: 0, ray_spilled_bytes: 0,
};

function rayRun(metrics: Partial<typeof HEALTHY>, options: { kind?: string; errors?: Record<string, number>; samples?: string[] } = {}) {
  const errors = options.errors ?? {};
  const failed = Object.values(errors).reduce((n, c) => n + c, 0);
  return run([
    scenario({
      name: "tasks",
      target: "ray",
      targetKind: "ray",
      workload: { type: "task", kind: options.kind ?? "cpu", iterations: 50_000, sleep: 100, args: [], numCpus: 1 },
      load: { executor: "closed", workers: 100, iterations: 100 },
      result: result({ ops: 100, errors: failed, errorsByClass: errors, errorSamples: options.samples ?? [] }),
      probes: [reading("ray-state", "ray", { ...HEALTHY, ...metrics })],
    }),
  ]);
}

const ids = (r: ReturnType<typeof rayRun>): string[] => diagnoseWith(r, RAY_RULES).map((f) => f.id);

test("a healthy Ray scenario gives no ray finding", () => {
  assert.deepEqual(ids(rayRun({})), []);
});

test("pending tasks while every CPU is busy: CPU bound, with the numbers; an I/O workload gets the concurrency finding instead", () => {
  const busy = { ray_tasks_pending_max: 98, ray_samples_pending_cpus_busy: 8, ray_pending_cpus_busy_max: 98 };
  const [cpu] = diagnoseWith(rayRun(busy), RAY_RULES);
  assert.equal(cpu?.id, "ray.cpu-bound");
  assert.match(cpu!.evidence.join("\n"), /up to 98 tasks pending while 2 of 2 CPUs were in use \(8 of 10 samples\); the scenario kept up to 100 tasks in flight/);
  assert.match(cpu!.recommendation, /num_cpus=0\.5/);
  assert.match(cpu!.runbook, /docs\/runbooks\/ray-pending-tasks\.md/);
  // Each finding names the section of the team's plan it answers.
  for (const f of [cpu!, ...diagnoseWith(rayRun(busy, { kind: "io" }), RAY_RULES), ...diagnoseWith(rayRun({ ray_spilled_bytes: 1 }, { errors: { RAY_WorkerCrashedError: 1 } }), RAY_RULES)]) {
    assert.match(f.runbook, /Performance Baseline & Optimization Day [67] Task [13]/, `${f.id}: ${f.runbook}`);
  }
  assert.deepEqual(ids(rayRun(busy, { kind: "io" })), ["ray.io-concurrency"]);
});

test("pending tasks while CPUs idle: the scheduler or the driver; one idle sample (start-up) is not enough", () => {
  const [f] = diagnoseWith(rayRun({ ray_tasks_pending_max: 40, ray_samples_pending_cpus_idle: 4, ray_pending_cpus_idle_max: 40, ray_cpus_used_max: 1 }), RAY_RULES);
  assert.equal(f?.id, "ray.scheduling-bound");
  assert.match(f!.evidence[0]!, /up to 40 tasks pending while at most half of 2 CPUs were in use \(4 of 10 samples\)/);
  assert.deepEqual(ids(rayRun({ ray_tasks_pending_max: 40, ray_samples_pending_cpus_idle: 1, ray_pending_cpus_idle_max: 40 })), []);
});

test("an object store near full, or spilling, is a memory finding", () => {
  const near = diagnoseWith(rayRun({ ray_object_store_used_max_bytes: 120 * 1024 * 1024, ray_object_store_usage: 120 / 128 }), RAY_RULES);
  assert.deepEqual(near.map((f) => [f.id, f.impact]), [["ray.object-store", "medium"]]);
  assert.match(near[0]!.evidence[0]!, /object store used up to 120.0 MiB of 128.0 MiB \(93.8%\)/);
  const spilled = diagnoseWith(rayRun({ ray_spilled_bytes: 64 * 1024 * 1024 }), RAY_RULES);
  assert.equal(spilled[0]?.title, "Ray spilled objects to disk: the object store was full");
  assert.equal(spilled[0]?.impact, "high");
});

test("failed tasks are listed by Ray's error class, with one message", () => {
  const [f] = diagnoseWith(
    rayRun({}, { errors: { "RAY_RayTaskError(ZeroDivisionError)": 7, RAY_WorkerCrashedError: 1 }, samples: ["RAY_RayTaskError(ZeroDivisionError): ZeroDivisionError: division by zero"] }),
    RAY_RULES,
  );
  assert.equal(f?.id, "ray.failed-tasks");
  assert.match(f!.evidence[0]!, /8 of 100 tasks failed: RayTaskError\(ZeroDivisionError\) ×7, WorkerCrashedError ×1/);
  assert.match(f!.evidence[1]!, /division by zero/);
  assert.match(f!.recommendation, /max_retries/);
});
