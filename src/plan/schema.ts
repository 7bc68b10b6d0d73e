// The plan file, as zod checks it: demand and its growth, components with a per-node capacity
// (a number, or measured by a stored run), sizing rules, storage tiers and costs. Units as the
// suites write them ("150k", "200B", "15s"), so a plan reads like the suite that measured it.
// Problems are retold by src/suite/zod-issues.ts with a line, a column and a fix, as suites are.
import { z } from "zod";
import { Duration, parseCount, Size } from "../suite/units.js";

/**
 * "15%", or a fraction such as 0.15. A bare number above 1 is refused, whatever the range: 15 would
 * be 1500 %, and 5 meant as 5 % would be 500 %. More than 100 % is written with its sign.
 */
export function fraction(what: string, options: { max?: number; positive?: boolean } = {}) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const pct = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
    const n = typeof value === "number" ? value : pct === null ? Number.NaN : Number(pct[1]) / 100;
    const max = options.max ?? 1;
    const bare = typeof value === "number" && value > 1;
    const bad = bare || !Number.isFinite(n) || n < 0 || n > max || (options.positive === true && n === 0);
    if (bad) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(value)} is not ${what} (${options.positive === true ? "above 0" : "0"} to ${max * 100}%)`,
        params: {
          fix: bare
            ? `write a percentage with its sign, e.g. "${value}%", or a fraction, e.g. ${value / 100}`
            : `write a percentage, e.g. "15%", or a fraction, e.g. 0.15`,
        },
      });
      return z.NEVER;
    }
    return n;
  });
}

/** A positive count or rate as people write it: 100000, "100k", "1.5M", "150k/s". */
export function positiveCount(what: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const n = parseCount(value);
    if (n === undefined || n <= 0) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not ${what}`, params: { fix: 'write a positive number, e.g. 150000 or "150k"' } });
      return z.NEVER;
    }
    return n;
  });
}

const Money = z.number().nonnegative();

/** Component and tier names: they become JSON keys and table columns. */
const Name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: "a name starts with a letter and holds only letters, digits, - and _" });

/** Servers (or devices, or users) × records each sends per interval. */
const FleetBase = z.strictObject({
  servers: positiveCount("a number of servers"),
  metricsPerServer: positiveCount("a number of metrics per server"),
  /** How often each server sends its metrics: "15s", or seconds as a number. */
  interval: Duration.refine((ms) => ms > 0, { message: "must be longer than 0", params: { fix: 'write e.g. "15s"' } }),
});

const RateBase = z.strictObject({
  recordsPerSecond: positiveCount("a rate in records per second"),
});

export const DemandSpec = z.strictObject({
  base: z.union([FleetBase, RateBase]),
  /** Bytes per record, metadata included (seed 004: 200). */
  recordSize: Size,
  growthPerMonth: fraction("a monthly growth", { max: 10 }),
  horizonMonths: z.number().int().min(0).max(120),
  /** The peak rate ÷ the average rate; nodes are sized for the peak, storage fills at the average. */
  peakToAverage: z.number().min(1).default(1),
});

export const MeasuredSpec = z
  .strictObject({
    /** A run id, latest, latest~N or a tag. */
    run: z.union([z.string().min(1), z.number().int().positive()]).transform(String),
    scenario: z.string().min(1),
    /** The scenario's own number: its throughput, or its find-max answer. Or `fit` instead. */
    metric: z.enum(["throughput", "find-max"]).optional(),
    /** A scaling fit of the run's sweep over a concurrency-like key (workers, producers, …), as `pipebench fit`. */
    fit: z.literal("usl").optional(),
    /** With `fit`: the N to take X(N) at (one node running N of the swept units), or `peak` for X(N*). */
    at: z.union([z.number().min(1), z.literal("peak")]).optional(),
    /** With `fit`: the swept key, when the run swept more than one concurrency-like key. */
    key: z.string().min(1).optional(),
    /** With `fit`: take X(N) beyond 2× the largest N measured (refused otherwise, as `pipebench fit`). */
    force: z.boolean().optional(),
    /** Take the number of a run pipebench marked INVALID (a busy machine, a rate not reached). */
    allowInvalid: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    const example = "e.g. { run: workers-sweep, scenario: copy, fit: usl, at: 8 }";
    if ((m.metric === undefined) === (m.fit === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [m.metric === undefined ? "metric" : "fit"],
        message: m.metric === undefined ? "a measured capacity needs metric: (throughput or find-max) or fit: usl" : "metric: and fit: both given: the capacity is one or the other",
        params: { fix: `write metric: throughput, metric: find-max, or fit: usl with at: N (${example})` },
      });
    }
    if (m.fit !== undefined && m.at === undefined) {
      ctx.addIssue({ code: "custom", path: ["at"], message: "fit: usl needs at: the N to predict X(N) at, or peak", params: { fix: example } });
    }
    for (const k of ["at", "key", "force"] as const) {
      if (m.fit === undefined && m[k] !== undefined) {
        ctx.addIssue({ code: "custom", path: [k], message: `${k}: belongs to a fit (fit: usl)`, params: { fix: `remove ${k}, or use fit: usl (${example})` } });
      }
    }
  });

// The map first: a mistake inside `measured:` is then retold as itself, not as "expected a number".
export const CapacitySpec = z.union([
  z.strictObject({ measured: MeasuredSpec }),
  positiveCount("a capacity in records per second"),
]);

/** Sizing rules: at the top level for every component, or in a component for itself. */
const RuleFields = {
  /** The share of a node's capacity a plan may use; the rest is headroom. */
  targetUtilization: fraction("a utilization", { positive: true }).optional(),
  minNodes: z.number().int().min(0).optional(),
  /** One node more than the load needs, so one can fail or be upgraded (N+1). */
  nPlusOne: z.boolean().optional(),
  /** Availability zones the nodes are spread over evenly: node counts become multiples of it. */
  zones: z.number().int().min(1).max(16).optional(),
  /** The nodes left when one zone is down still carry the load (the MSK sizing model's rule). */
  oneZoneDown: z.boolean().optional(),
  /**
   * How a fractional node count becomes whole: `ceil`, or `floor-plus-one` as seed 004's script
   * does (`int(load / capacity) + 1`, one more than ceil when the load is an exact multiple).
   */
  rounding: z.enum(["ceil", "floor-plus-one"]).optional(),
};

export const RulesSpec = z.strictObject(RuleFields);

export const ComponentSpec = z.strictObject({
  capacityPerNode: CapacitySpec,
  /** The share of the demand this component carries (a rollup store may take 1/60 of the rows). */
  demandFactor: z.number().positive().default(1),
  costPerNodeMonth: Money.default(0),
  /** A limit the plan reports crossing: a cluster size that needs another design, or a quota. */
  maxNodes: z.number().int().positive().optional(),
  /**
   * Kafka-style partitions (seed 003, Jun Rao): max(load ÷ per-partition produce, load ÷
   * per-partition consume), each measured on one partition.
   */
  partitions: z
    .strictObject({
      produce: positiveCount("a per-partition produce rate in records per second"),
      consume: positiveCount("a per-partition consume rate in records per second"),
      maxPerNode: z.number().int().positive().optional(),
    })
    .optional(),
  ...RuleFields,
});

export const TierSpec = z.strictObject({
  retentionDays: z.number().positive(),
  /** Raw records per stored record: 4 for 1-minute aggregates of 15-second samples. */
  rollupFactor: z.number().min(1).default(1),
  compressionRatio: z.number().min(1).default(1),
  replication: z.number().int().min(1).default(1),
  /** The share of the disks a tier may fill; provisioned = stored ÷ fill target. */
  fillTarget: fraction("a fill target", { positive: true }).default(1),
  costPerGbMonth: Money.default(0),
  /** A limit the plan reports crossing, in provisioned GB. */
  maxGb: z.number().positive().optional(),
});

export const PlanFile = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  demand: DemandSpec,
  rules: RulesSpec.default({}),
  components: z.record(Name, ComponentSpec).refine((c) => Object.keys(c).length > 0, {
    message: "a plan needs at least one component",
    params: { fix: "add e.g. components: { kafka: { capacityPerNode: 150000, costPerNodeMonth: 800 } }" },
  }),
  storage: z.record(Name, TierSpec).default({}),
});

export type PlanFile = z.output<typeof PlanFile>;
export type MeasuredSpec = z.output<typeof MeasuredSpec>;
export type ComponentSpec = z.output<typeof ComponentSpec>;
export type TierSpec = z.output<typeof TierSpec>;
