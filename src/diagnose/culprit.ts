// Who set the pace of a scenario: the target, pipebench's client (its connections or pool), its
// process (its own CPU) or a busy machine (pipebench wanted CPU and did not get it). One verdict
// per scenario, from the evidence that tells them apart, checked in this order because each one
// explains the symptoms of the ones after it:
//
//   process  pipebench's own CPU was near a whole core (validity generator-saturated): its event
//            loop cannot have more, so whatever else waited, pipebench was its own ceiling
//   machine  the kernel says pipebench's thread waited for a CPU at least as long as it ran, or
//            steal or a cgroup quota took a tenth of the time, while its own CPU had room, and it
//            showed in the numbers (validity machine-busy)
//   client   the operations at the target were pinned at the client's slots while the wait for a
//            slot (client wait) outweighed the target's service time, and service time did not
//            grow with the operations at the target: connections ÷ service time is the ceiling
//            (Little's law), and more connections would raise it
//   target   a symptom (the asked rate not reached, operations dropped, errors from the target,
//            service time that grew with the operations at it) and none of the above: the
//            client had room, or more connections would only have queued at the target
//
// A verdict other than the target's means no finding may blame the target (see the rules).
import { validityOf } from "../engine/validity.js";
import type { ConcurrencyBucket, ScenarioResult } from "../metrics/summary.js";
import type { StoredScenario } from "../store/results-store.js";

export type Culprit = "target" | "client" | "process" | "machine";

/** Operations at the target within this share of the client's slots count as pinned there. */
export const PINNED_SHARE = 0.9;
/** Target errors above this share of what reached it are a symptom of their own. */
export const TARGET_ERROR_SHARE = 0.01;
/**
 * Service time that grows by at least this share of the growth in operations at the target means
 * the target queues the work: 1 for a target that serves one at a time, 0 for one that scales.
 */
export const QUEUEING_SHARE = 0.5;
/** Operations at the target from which a queue there is more than requests overlapping. */
export const SLOWED_AT_TARGET = 4;
/** The share of operations that must have met the target's queue for it to count as lasting. */
export const SLOWED_SHARE = 0.1;
/** A concurrency bucket speaks for the target's behaviour with at least this many operations. */
const BUCKET_MIN_OPS = 10;

/** How service time changed between the fewest and the most operations at the target. */
export interface Growth {
  from: ConcurrencyBucket;
  to: ConcurrencyBucket;
  /** The share of all operations sent with as many at the target as `to`. */
  toShare: number;
  /** Service time ratio ÷ concurrency ratio: ≈1 the target queues, ≈0 it scales. */
  share: number;
}

export interface Verdict {
  culprit: Culprit;
  scenario: StoredScenario;
  /** Mean operations at the target when each was sent (from the concurrency buckets). */
  atTarget: number | undefined;
  /** The client's slots and their setting, when the driver says. */
  slots: { count: number; setting: string } | undefined;
  growth: Growth | undefined;
  /** Open loop short of its asked rate. */
  short: boolean;
}

export function culpritOf(scenario: StoredScenario): Verdict | undefined {
  const r = scenario.result;
  const codes = new Set(validityOf(r).reasons.map((x) => x.code));
  const atTarget = meanAtTarget(r.serviceByConcurrency);
  const growth = serviceGrowth(r.serviceByConcurrency);
  const short = codes.has("rate-not-reached");
  const base = { scenario, atTarget, slots: r.clientSlots, growth, short };
  if (codes.has("generator-saturated")) return { culprit: "process", ...base };
  if (codes.has("machine-busy")) return { culprit: "machine", ...base };
  if (clientCapped(r, atTarget, growth)) return { culprit: "client", ...base };
  const open = r.generator.askedRate !== null;
  const errorsAtTarget = r.errors > 0 && r.errors / Math.max(1, r.ops + r.errors) > TARGET_ERROR_SHARE;
  if ((open && (short || (r.dropped ?? 0) > 0)) || errorsAtTarget || slowedDown(growth)) return { culprit: "target", ...base };
  return undefined;
}

/**
 * The target queued the work, it showed, and it lasted: at least SLOWED_AT_TARGET operations at it,
 * its service time at least doubled, and a tenth of the operations were sent into that queue. Not
 * a few requests overlapping on a single-threaded server, nor one stall (a pause piles requests up
 * for a moment: there the long service time made the queue, not the other way round).
 */
export function slowedDown(growth: Growth | undefined): boolean {
  return (
    growth !== undefined &&
    queues(growth) &&
    growth.to.meanAtTarget >= SLOWED_AT_TARGET &&
    growth.to.meanServiceMs >= 2 * growth.from.meanServiceMs &&
    growth.toShare >= SLOWED_SHARE
  );
}

/** Pinned at the client's slots, waiting for them more than the target took, the target not queueing. */
function clientCapped(r: ScenarioResult, atTarget: number | undefined, growth: Growth | undefined): boolean {
  const slots = r.clientSlots?.count;
  const wait = r.clientWait;
  if (slots === undefined || wait === undefined || wait.count === 0 || atTarget === undefined) return false;
  const pinned = atTarget >= slots * PINNED_SHARE;
  const waited = wait.mean > r.service.mean && wait.p50 > r.service.p50;
  return pinned && waited && !queues(growth);
}

export function queues(growth: Growth | undefined): boolean {
  return growth !== undefined && growth.share >= QUEUEING_SHARE;
}

/** Mean operations at the target when each was sent, over every bucket. */
export function meanAtTarget(buckets: readonly ConcurrencyBucket[] | undefined): number | undefined {
  if (buckets === undefined || buckets.length === 0) return undefined;
  const ops = buckets.reduce((n, b) => n + b.ops, 0);
  return buckets.reduce((sum, b) => sum + b.meanAtTarget * b.ops, 0) / ops;
}

/**
 * Service time at the fewest operations at the target against the most, each bucket with enough
 * operations to speak; undefined when they do not differ at least twofold in concurrency.
 */
export function serviceGrowth(buckets: readonly ConcurrencyBucket[] | undefined): Growth | undefined {
  const total = (buckets ?? []).reduce((n, b) => n + b.ops, 0);
  const usable = (buckets ?? []).filter((b) => b.ops >= Math.max(BUCKET_MIN_OPS, total * 0.01) && b.meanServiceMs > 0);
  const from = usable[0];
  const to = usable.at(-1);
  if (from === undefined || to === undefined || to.meanAtTarget < 2 * from.meanAtTarget) return undefined;
  const concurrency = to.meanAtTarget / from.meanAtTarget;
  const service = to.meanServiceMs / from.meanServiceMs;
  // Growth per added operation: (service − 1) over (concurrency − 1), so flat is 0 and serial is 1.
  return { from, to, toShare: to.ops / total, share: Math.max(0, (service - 1) / (concurrency - 1)) };
}

/** Operations per second the client's slots allow at the measured service time (Little's law). */
export function slotCeiling(slots: number, serviceMeanMs: number): number {
  return serviceMeanMs > 0 ? (slots * 1000) / serviceMeanMs : Number.POSITIVE_INFINITY;
}
