// Where a component's per-node capacity came from: typed into the plan, or measured by a stored
// run. A measured number carries its run, date, host and validity, so a plan's reader can judge it,
// and a number from a run pipebench marked INVALID is refused unless the plan says `allowInvalid`.
// Reads runs through two store methods (resolveRef, getRun) and a find-max read-back the caller
// passes in (report/find-max-answer.ts, which a plan must not import: the report renders plans);
// no SQL and no socket here.
import { median } from "simple-statistics";
import { validityOf } from "../engine/validity.js";
import { formatCount } from "../format/numbers.js";
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import type { FindMaxInterval } from "../sweep/find-max-interval.js";
import { ExtrapolationRefused } from "../fit/fit-errors.js";
import { sig } from "../fit/render-fit.js";
import { runFits } from "../fit/run-fits.js";
import { predictThroughput, type Estimate } from "../fit/usl-fit.js";
import type { MeasuredSpec } from "./schema.js";

/**
 * A find-max capacity's interval, per node in records/s (the search's interval in operations/s ×
 * the records per operation): `low` is the safe end to size from, `high` is open (absent) when the
 * search rejected no rate above its answer.
 */
export interface CapacityInterval {
  low: number;
  high?: number;
  /** The search's step-to-step noise, a fraction of the rate. */
  noise: number;
  /** How the ends were made, for the plan's assumptions. */
  detail: string;
}

export type CapacitySource =
  | { kind: "given"; summary: string }
  | {
      kind: "measured";
      summary: string;
      run: number;
      tag: string | null;
      scenario: string;
      /** What was taken: the scenario's throughput, its find-max answer, or a USL fit's prediction. */
      metric: CapacityMetric;
      /** ISO 8601, UTC. */
      startedAt: string;
      host: string;
      valid: boolean;
      /** Why the run's numbers are not to be trusted, when they are not. */
      reasons: string[];
      /** How the number was taken from the run. */
      detail: string;
      /** Around a find-max answer: what the search measured the capacity could also be. */
      interval?: CapacityInterval;
      /**
       * The capacity is a floor, not an answer: the search stopped at pipebench's own limit (its
       * CPU) below the target's, so the target keeps up with at least this much, and node counts
       * sized from it are upper bounds.
       */
      floor?: CapacityFloor;
      /** The fit a `fit: usl` capacity was predicted from. */
      fit?: CapacityFit;
    };

export type CapacityMetric = "throughput" | "find-max" | "usl";

/** A USL fit's prediction used as a capacity: where on the curve, and the fit behind it. */
export interface CapacityFit {
  model: "usl";
  /** The swept key that is N, e.g. `load.workers`. */
  key: string;
  /** As the plan asked: an N, or the peak. */
  at: number | "peak";
  /** The N the capacity was taken at (N* for the peak). */
  n: number;
  sigma: Estimate;
  kappa: Estimate;
  lambda: Estimate;
  r2: number;
  distinctN: number;
  maxMeasuredN: number;
  /** N beyond 2× the largest N measured, taken with force. */
  extrapolated: boolean;
  warnings: string[];
}

/** A find-max search that ended generator-bound: the highest rate kept up with, and where pipebench ran out. */
export interface CapacityFloor {
  /** What bound the search: pipebench's process, not the target. */
  bound: "pipebench";
  /** Operations/s of the step that ran out of generator CPU. */
  limitRate: number;
  /** Why that step failed, as the search printed it. */
  why: string;
}

/** A find-max search read back from a stored run: the scenario searched, its confirmed rate and the step that confirmed it. */
export interface FindMaxReading {
  scenario: string;
  rate?: number;
  confirmation?: { scenario: StoredScenario };
  /** The answer's interval (runs read back before it existed have none). */
  interval?: FindMaxInterval;
  /** The highest rate whose last step passed (a floor, when no rate was confirmed). */
  highestStable?: number;
  /** The steps, to find the one that kept up at `highestStable`. */
  steps?: readonly { rate: number; passed: boolean; scenario: StoredScenario }[];
  /** The step that ran out of generator CPU, when the search stopped at pipebench's limit. */
  generatorBound?: { rate: number; scenario: StoredScenario };
}

/** The reads a plan needs of the results store. */
export interface RunReader {
  readonly path: string;
  resolveRef(ref: string): Promise<number | undefined>;
  getRun(id: number): Promise<StoredRun | undefined>;
  /** The find-max search stored in a run, or undefined when it holds none. */
  findMax(run: StoredRun): FindMaxReading | undefined;
}

export type Measured =
  | { ok: true; capacityPerNode: number; source: Extract<CapacitySource, { kind: "measured" }> }
  | { ok: false; field: "run" | "scenario" | "metric" | "fit" | "at" | "key" | "allowInvalid"; message: string; fix: string };

const SETTLED = new Set(["passed", "failed"]);

function hostOf(run: StoredRun): string {
  const host = run.environment.host["hostname"];
  return typeof host === "string" ? host : "an unknown host";
}

function validityReasons(run: StoredRun, used: readonly StoredScenario[]): string[] {
  const reasons = used.flatMap((s) => validityOf(s.result).reasons.map((r) => `${s.name}: ${r.message} [${r.code}]`));
  // A run that did not end (interrupted, errored, killed) is not a measurement of a steady state.
  if (!SETTLED.has(run.status) && run.status !== "invalid") reasons.unshift(`the run ended as ${run.status}`);
  if (run.status === "invalid" && reasons.length === 0) reasons.push("the run is marked invalid");
  return reasons;
}

function scenarioNames(run: StoredRun): string[] {
  return [...new Set(run.scenarioResults.map((s) => s.name.replace(/\[.*$/, "")))];
}

/** The capacity `spec` names, read from the store, or why it cannot be taken. */
export async function measuredCapacity(store: RunReader, spec: MeasuredSpec): Promise<Measured> {
  const id = await store.resolveRef(spec.run);
  const run = id === undefined ? undefined : await store.getRun(id);
  if (run === undefined) {
    return { ok: false, field: "run", message: `there is no run "${spec.run}" in ${store.path}`, fix: "give a run id from pipebench runs, latest, latest~1 or a tag (and --store if the runs are elsewhere)" };
  }
  const names = scenarioNames(run);
  if (!names.includes(spec.scenario)) {
    return { ok: false, field: "scenario", message: `run ${run.id} has no scenario "${spec.scenario}"`, fix: `its scenarios are: ${names.join(", ") || "none"}` };
  }
  const metric: CapacityMetric = spec.fit ?? spec.metric ?? "throughput";
  const taken =
    metric === "usl" ? fromFit(run, spec) : metric === "find-max" ? fromFindMax(store, run, spec.scenario) : fromThroughput(run, spec.scenario);
  if ("problem" in taken) return { ok: false, field: taken.field ?? (metric === "usl" ? "fit" : "metric"), message: taken.problem, fix: taken.fix };
  if (!(taken.value > 0)) {
    return { ok: false, field: "metric", message: `run ${run.id}'s ${spec.scenario} measured ${metric} 0 records/s: no capacity to plan with`, fix: "check its errors with pipebench show, and measure it again" };
  }
  const reasons = validityReasons(run, taken.used);
  const valid = reasons.length === 0;
  if (!valid && !spec.allowInvalid) {
    return {
      ok: false,
      field: "run",
      message: `run ${run.id}'s ${spec.scenario} is INVALID, so its ${taken.what ?? metric} is not a capacity: ${reasons.join("; ")}`,
      fix: "measure it again on a quiet machine, or add allowInvalid: true under measured: to take the number anyway",
    };
  }
  const startedAt = new Date(run.startedAt).toISOString();
  const tag = run.tag === null ? "" : ` (${run.tag})`;
  const when = `${startedAt.slice(0, 16).replace("T", " ")} UTC`;
  return {
    ok: true,
    capacityPerNode: taken.value,
    source: {
      kind: "measured",
      summary: `measured: run ${run.id}${tag} ${spec.scenario} ${taken.what ?? metric}${taken.floor === undefined ? "" : " floor (pipebench-bound)"}, ${when} on ${hostOf(run)}, ${valid ? "valid" : "INVALID, allowed"}`,
      run: run.id,
      tag: run.tag,
      scenario: spec.scenario,
      metric,
      startedAt,
      host: hostOf(run),
      valid,
      reasons,
      detail: taken.detail,
      ...(taken.interval === undefined ? {} : { interval: taken.interval }),
      ...(taken.floor === undefined ? {} : { floor: taken.floor }),
      ...(taken.fit === undefined ? {} : { fit: taken.fit }),
    },
  };
}

type Taken =
  | { value: number; used: StoredScenario[]; detail: string; interval?: CapacityInterval; floor?: CapacityFloor; fit?: CapacityFit; what?: string }
  | { problem: string; fix: string; field?: "fit" | "at" | "key" };

const estimateText = (e: Estimate): string => (e.low === null || e.high === null ? sig(e.value) : `${sig(e.value)} [${sig(e.low)}, ${sig(e.high)}]`);

/**
 * X(N) of a USL fit of the run's sweep over a concurrency-like key, fitted exactly as `pipebench
 * fit` and a report fit it (run-fits.ts), so the three agree; or X(N*) at the peak. Beyond 2× the
 * largest N measured it is refused unless `force`, as `pipebench fit --predict` is.
 */
function fromFit(run: StoredRun, spec: MeasuredSpec): Taken {
  const all = runFits(run).filter((f) => f.scenario === spec.scenario);
  const wanted = spec.key;
  const fits = wanted === undefined ? all : all.filter((f) => f.key === wanted || f.key.endsWith(`.${wanted}`));
  const keys = all.map((f) => f.key).join(", ");
  if (fits.length === 0) {
    return wanted === undefined || all.length === 0
      ? { problem: `run ${run.id}'s ${spec.scenario} is not a sweep over a concurrency-like key (workers, producers, connections, …) at 3 or more values`, fix: "name a run made with e.g. pipebench run suite.yaml --sweep load.workers=1,2,4,8,12,16" }
      : { field: "key", problem: `run ${run.id}'s ${spec.scenario} has no sweep over ${wanted}`, fix: `its swept keys: ${keys}` };
  }
  const found = fits[0];
  if (fits.length > 1 || found === undefined) return { field: "key", problem: `run ${run.id}'s ${spec.scenario} is swept over ${keys}: which one is N?`, fix: `add key: ${fits[0]?.key ?? "load.workers"}` };
  if (!found.ok) return { problem: `run ${run.id}'s ${spec.scenario} over ${found.key} cannot be fitted: ${found.reason}`, fix: found.hint || "measure the sweep again" };
  const f = found.fit;
  const at = spec.at ?? "peak";
  let n: number;
  let value: number;
  if (at === "peak") {
    if (f.peakN === null || f.peakThroughput === null) {
      const ceiling = f.amdahlLimit === null ? "" : ` (it approaches λ/σ = ${sig(f.amdahlLimit)}/s)`;
      return { field: "at", problem: `the fit of run ${run.id}'s ${spec.scenario} has no peak: κ = 0, throughput keeps rising with N${ceiling}`, fix: "give at: N, the number of units one node runs" };
    }
    if (f.peakExtrapolated && spec.force !== true) {
      return { field: "at", problem: `the peak N* ≈ ${sig(f.peakN)} lies beyond 2× the largest N measured (${f.maxMeasuredN}): the fit does not reach that far`, fix: `measure up to N = ${Math.ceil(f.peakN / 2)} or more, give at: N within ${f.extrapolationLimitN}, or add force: true` };
    }
    [n, value] = [f.peakN, f.peakThroughput];
  } else {
    try {
      value = predictThroughput(f, at, { force: spec.force === true });
    } catch (error) {
      if (!(error instanceof ExtrapolationRefused)) throw error;
      return { field: "at", problem: error.message, fix: `${error.hint ?? ""}`.replace("pass --force", "add force: true") };
    }
    n = at;
  }
  const used = run.scenarioResults.filter((s) => s.name.startsWith(`${spec.scenario}[`) && s.variant !== undefined && found.key in s.variant);
  const extrapolated = n > f.maxMeasuredN;
  const where = at === "peak" ? `X(N*) at the peak N* ≈ ${sig(n)}` : `X(${sig(n)})`;
  return {
    value,
    used,
    what: `USL fit ${at === "peak" ? "peak" : `X(${sig(n)})`} over ${found.key}`,
    detail:
      `the USL fit's ${where} over ${found.key}: σ ${estimateText(f.sigma)}, κ ${estimateText(f.kappa)}, λ ${estimateText(f.lambda)}/s (${Math.round(f.confidence * 100)} % intervals), ` +
      `R² ${f.r2.toFixed(3)}, ${f.distinctN} values of N measured up to ${f.maxMeasuredN}${extrapolated ? `; N ${sig(n)} lies beyond them: ${n > f.extrapolationLimitN ? "extrapolated with force" : "within 2×, a prediction"}` : ""}` +
      (f.warnings.length === 0 ? "" : `; warnings: ${f.warnings.join("; ")}`),
    fit: {
      model: "usl",
      key: found.key,
      at,
      n,
      sigma: f.sigma,
      kappa: f.kappa,
      lambda: f.lambda,
      r2: f.r2,
      distinctN: f.distinctN,
      maxMeasuredN: f.maxMeasuredN,
      extrapolated,
      warnings: f.warnings,
    },
  };
}

/** The median records/s over the scenario's trials (a single run: its one result). */
function fromThroughput(run: StoredRun, scenario: string): Taken {
  const used = run.scenarioResults.filter((s) => s.name === scenario && s.result.status === "completed");
  if (used.length === 0) {
    const swept = run.scenarioResults.some((s) => s.name.startsWith(`${scenario}[`));
    return swept
      ? { problem: `run ${run.id}'s ${scenario} is a sweep or a find-max search, not one measurement`, fix: "use metric: find-max for a --find-max run, or name a run of the scenario itself" }
      : { problem: `run ${run.id}'s ${scenario} did not complete`, fix: "measure it again" };
  }
  const value = median(used.map((s) => s.result.throughput));
  return {
    value,
    used,
    detail: used.length === 1 ? "the scenario's throughput (records/s)" : `the median throughput of ${used.length} trials (records/s)`,
  };
}

/** The confirmed find-max rate, in records/s: the rate × the records per operation it measured. */
function fromFindMax(store: RunReader, run: StoredRun, scenario: string): Taken {
  const answer = store.findMax(run);
  if (answer === undefined || answer.scenario !== scenario) {
    return { problem: `run ${run.id} holds no find-max search of ${scenario}`, fix: `use metric: throughput, or a run made with pipebench run --find-max -s ${scenario}` };
  }
  if (answer.rate === undefined || answer.confirmation === undefined) {
    const floor = generatorFloor(answer);
    if (floor !== undefined) return floor;
    return { problem: `run ${run.id}'s find-max search of ${scenario} confirmed no rate`, fix: "search again (pipebench run --find-max), or use metric: throughput" };
  }
  const r = answer.confirmation.scenario.result;
  const perOp = r.ops > 0 && r.records > 0 ? r.records / r.ops : 1;
  const i = answer.interval;
  return {
    value: answer.rate * perOp,
    used: [answer.confirmation.scenario],
    detail: `the confirmed find-max rate ${answer.rate} ops/s × ${+perOp.toFixed(3)} records per operation`,
    ...(i === undefined ? {} : { interval: capacityInterval(i, perOp) }),
  };
}

/**
 * A search that stopped at pipebench's own CPU limit confirmed nothing, but the last rate it kept up
 * with is a true lower bound of the target's capacity: a floor. Only that case: a search that found
 * no rate for any other reason (the target failing, too few steps) says nothing about the capacity.
 */
function generatorFloor(answer: FindMaxReading): Taken | undefined {
  const bound = answer.generatorBound;
  const at = answer.highestStable;
  if (bound === undefined || at === undefined) return undefined;
  const kept = answer.steps?.filter((s) => s.rate === at && s.passed).at(-1);
  if (kept === undefined) return undefined;
  const r = kept.scenario.result;
  const perOp = r.ops > 0 && r.records > 0 ? r.records / r.ops : 1;
  const why = bound.scenario.thresholds.filter((t) => !t.passed).map((t) => t.actual === null ? t.expr : `${t.expr} (${+t.actual.toFixed(1)})`).join(", ");
  return {
    value: at * perOp,
    used: [kept.scenario],
    detail:
      `a floor: the search stopped at pipebench's own limit at ${formatCount(bound.rate)} ops/s (${why || "generator-bound"}), so the target kept up with at least ` +
      `${formatCount(at)} ops/s × ${+perOp.toFixed(3)} records per operation and may sustain more; node counts from it (≤ n) are upper bounds`,
    floor: { bound: "pipebench", limitRate: bound.rate * perOp, why },
  };
}

function capacityInterval(i: FindMaxInterval, perOp: number): CapacityInterval {
  const noise = `${+(i.noise * 100).toFixed(1)} %`;
  // Which of the two noises was the larger, so the reader knows what the interval rests on.
  const which = i.stepNoise >= i.secondNoise ? "the step-to-step noise" : "a step's standard error from its per-second rates";
  const high = i.high === undefined ? "high open (no rate above the answer was rejected)" : `high ${formatCount(i.high)} ops/s (the lowest rejected rate ${i.rejected === undefined ? "?" : formatCount(i.rejected)} + ${i.z} × noise)`;
  return {
    low: i.low * perOp,
    ...(i.high === undefined ? {} : { high: i.high * perOp }),
    noise: i.noise,
    detail: `find-max interval ${formatCount(i.low)}–${i.high === undefined ? "open" : formatCount(i.high)} ops/s: low ${formatCount(i.low)} ops/s (the answer ${formatCount(i.answer)} − ${i.z} × ${which}, ${noise}), ${high}`,
  };
}
