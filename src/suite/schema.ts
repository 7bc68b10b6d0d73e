// The shape of a suite file. Only the parts the loader owns are spelt out here; a target's settings
// and a scenario's workload belong to its driver (validated by the driver's own schemas), and a
// scenario's load to the engine (LoadProfile), once `defaults.load` has been merged under it.
import { z } from "zod";
import { Duration } from "./units.js";
import { describeValue } from "./values.js";

/** A suite document as plain data, before validation. */
export type SuiteData = Record<string, unknown>;

const Name = z.string().min(1);
/** A threshold expression; parsed (and its errors located) after the shape check. */
const Expression = z.unknown().transform((value, ctx) => {
  if (typeof value === "string") return value;
  ctx.addIssue({
    code: "custom",
    message: `expected a threshold expression, got ${describeValue(value)}`,
    params: { fix: 'write metric, operator and value, e.g. "p95 < 5ms" or "throughput > 50k/s"' },
  });
  return z.NEVER;
});
const Expressions = z.array(Expression);
/** Settings validated elsewhere; here only "is it a map". */
const Settings = z.record(z.string(), z.unknown());

export const TargetSpec = z.looseObject({
  /** Picks the driver; the driver's targetSchema validates everything else (and `kind` again). */
  kind: z.string(),
});

export const ProbeSpec = z.strictObject({
  kind: z.string(),
  /** The target whose server the probe reads; none for `host`. */
  target: z.string().optional(),
  /** Sampling period during a scenario. */
  every: Duration.pipe(z.number().positive()).optional(),
});

export const ScenarioSpec = z.strictObject({
  description: z.string().optional(),
  target: z.string(),
  workload: Settings,
  /** Optional when `defaults.load` is a complete profile. */
  load: Settings.optional(),
  thresholds: Expressions.optional(),
  /** Setting (relative to the scenario) → values; several keys make a grid (src/sweep/plan.ts). */
  sweep: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).optional(),
});

export const DefaultsSpec = z.strictObject({
  /** Merged under every scenario's `load`, key by key, where the scenario's executor takes the key. */
  load: Settings.optional(),
});

export const SuiteFile = z.strictObject({
  name: Name.optional(),
  description: z.string().optional(),
  targets: z.record(z.string(), TargetSpec),
  probes: z.array(ProbeSpec).optional(),
  defaults: DefaultsSpec.optional(),
  scenarios: z.record(z.string(), ScenarioSpec),
  thresholds: Expressions.optional(),
});
export type SuiteFile = z.output<typeof SuiteFile>;

export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(SuiteFile.shape);

/**
 * Target names appear in `pg.cache_hit_ratio` and `{{targets.pg.url}}`, scenario names in
 * `--set scenarios.NAME.…`: neither may contain dots or spaces. `service.` prefixes latency
 * metrics and the host probe's readings are filed under `host`, so targets cannot take those names.
 */
export const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const SCENARIO_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const RESERVED_TARGET_NAMES: ReadonlySet<string> = new Set(["service", "host"]);
