// `consume` workloads: `consumers` members of one consumer group read a topic; one operation takes
// the next `recordsPerOp` records (default 1, so a load's `iterations` is the exact number of
// records) and reports their count and bytes (key + value, as kafka-consumer-perf-test counts).
//
// The members join the group at prepare time and the workload waits until every partition is
// assigned in one generation: the rebalance is not part of the measured interval (its time goes
// to the log, as kafka-consumer-perf-test reports rebalance.time.ms apart). Each member then runs
// its own fetch loop, one Fetch request in flight per leader, on the client's connections but with
// a response reader of our own that only counts records and their sizes (fetch-counted.ts): no
// record objects, no stream (the client's messages stream costs ~2.5× the CPU per record and its
// fetch() decoding ~2×, see docs/decisions.md). A broker without Fetch v13–v17 gets the client's
// fetch(). Records that arrive go into a RecordQueue for operations to
// take; fetching pauses while more than fetch.max.bytes wait there.
//
// Offsets of delivered records are committed every auto.commit.interval.ms and when the workload
// closes (enable.auto.commit), so the kafka-admin probe's consumer lag means what it says.
import { randomBytes } from "node:crypto";
import { Consumer, ListOffsetTimestamps } from "@platformatic/kafka";
import { UsageError } from "../../errors.js";
import type { KafkaGroupWatch } from "../../probes/kafka-admin.js";
import type { OpContext, PreparedWorkload } from "../driver.js";
import { baseOptions } from "./admin.js";
import { brokerErrorId, isUnknownTopic, KafkaOpError, kafkaErrorDetail } from "./errors.js";
import { CONTROL_BATCH, fetchFrom, partitionsByLeader, type FetchResponse } from "./fetch.js";
import { countedFetchVersion, fetchCounted, type CountedFetchSettings } from "./fetch-counted.js";
import { RecordQueue, type Chunk } from "./record-queue.js";
import type { ConsumerSettings } from "./settings.js";
import type { ConsumeWorkload, KafkaTarget } from "./schema.js";

const IDLE_POLL_MS = 100;

export interface ConsumeParts {
  readonly target: KafkaTarget;
  readonly workload: ConsumeWorkload;
  readonly scenario: string;
  readonly log: (line: string) => void;
  /** Called with the group id, so the kafka-admin probe can report its lag. */
  readonly onGroup: (group: string, watch: KafkaGroupWatch) => void;
}

interface Member {
  readonly id: number;
  readonly consumer: Consumer;
  /** Next offset to fetch, by partition. */
  readonly positions: Map<number, bigint>;
  /** Offset after the last record delivered to an operation, by partition, not yet committed. */
  readonly delivered: Map<number, bigint>;
}

export interface ConsumeStats {
  fetches: number;
  fetchMs: number;
  records: number;
}

export async function prepareConsume({ target, workload, scenario, log, onGroup }: ConsumeParts): Promise<PreparedWorkload> {
  const settings = target.consumer;
  const topic = workload.topic;
  const group = workload.group ?? `pipebench-${scenario.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomBytes(4).toString("hex")}`;
  const fromBeginning = workload.fromBeginning ?? settings.autoOffsetReset === "earliest";
  onGroup(group, { topic, fromBeginning });

  const members: Member[] = Array.from({ length: workload.consumers }, (_, id) => ({
    id,
    consumer: new Consumer({
      ...baseOptions(target, `consumer-${id}`, settings.requestTimeoutMs, settings.retries, settings.retryBackoffMs),
      groupId: group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      minBytes: settings.fetchMinBytes,
      maxBytes: settings.fetchMaxBytes,
      maxWaitTime: settings.fetchMaxWaitMs,
      isolationLevel: settings.isolationLevel === "read_committed" ? 1 : 0,
    }),
    positions: new Map(),
    delivered: new Map(),
  }));
  // (Callback forms: the promise overloads of close(force) and leaveGroup() lose to the callback ones in TypeScript.)
  const closeMembers = (): Promise<unknown> => Promise.all(members.map((m) => new Promise<void>((resolve) => m.consumer.close(true, () => resolve()))));

  let partitions: number;
  let joinMs: number;
  try {
    const metadata = await members[0]!.consumer.metadata({ topics: [topic] }).catch((error: unknown) => {
      if (isUnknownTopic(error)) {
        throw new UsageError(`topic ${topic} does not exist`, {
          hint: `check scenarios.${scenario}.workload.topic; produce to it in an earlier scenario, or list it under the target's topics: to have it created at connect`,
        });
      }
      throw error;
    });
    partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const started = performance.now();
    await joinAll(members, topic, partitions, settings);
    joinMs = performance.now() - started;
  } catch (error) {
    await closeMembers();
    throw error;
  }
  log(
    `consume ${topic}: group ${group}, ${members.length} member${members.length === 1 ? "" : "s"} over ${partitions} partition${partitions === 1 ? "" : "s"}, ` +
      `joined and assigned in ${Math.round(joinMs)} ms (rebalance time)`,
  );

  const byPartition = new Map<number, Member>();
  const queue = new RecordQueue((partition, offset) => {
    byPartition.get(partition)?.delivered.set(partition, offset);
  });
  const stats: ConsumeStats = { fetches: 0, fetchMs: 0, records: 0 };
  const stop = new AbortController();
  const version = await countedFetchVersion(members[0]!.consumer).catch(() => undefined);
  const counted: CountedFetchSettings = {
    maxWaitMs: settings.fetchMaxWaitMs,
    minBytes: settings.fetchMinBytes,
    maxBytes: settings.fetchMaxBytes,
    isolationLevel: settings.isolationLevel === "read_committed" ? 1 : 0,
    partitionMaxBytes: settings.maxPartitionFetchBytes,
  };
  const loops = members.map((member) =>
    fetchLoop({ member, topic, settings, fromBeginning, queue, stats, byPartition, signal: stop.signal, version, counted }).catch((error: unknown) => {
      if (!stop.signal.aborted) queue.fail(new KafkaOpError(error));
    }),
  );
  const commitAll = async (): Promise<void> => {
    await Promise.all(members.map((m) => commitDelivered(m, topic)));
  };
  const committer = settings.enableAutoCommit ? setInterval(() => void commitAll().catch(() => undefined), settings.autoCommitIntervalMs) : undefined;
  committer?.unref();

  const count = workload.recordsPerOp;
  let closing: Promise<void> | undefined;
  return {
    run: (ctx: OpContext) => queue.take(count, ctx.signal),
    // Operations only wait on the queue; a few are enough to keep it drained.
    concurrencyHint: 1,
    // An operation takes records already fetched: its time (0 µs for most) is no latency of the
    // broker's, so none is recorded (rows show none rather than p50 0µs); the mean fetch time is logged.
    untimed: true,
    // The group's join, outside the measured interval, as a counter: --format kafka-perf prints it
    // as kafka-consumer-perf-test's rebalance.time.ms.
    settle: () => Promise.resolve({ rebalance_time_ms: Math.round(joinMs) }),
    close(): Promise<void> {
      closing ??= (async () => {
        stop.abort();
        queue.wakeAll();
        if (committer !== undefined) clearInterval(committer);
        await Promise.all(loops);
        if (settings.enableAutoCommit) await commitAll().catch(() => undefined);
        if (stats.fetches > 0) {
          log(
            `consume ${topic}: ${stats.records} records in ${stats.fetches} fetches, mean fetch time ${(stats.fetchMs / stats.fetches).toFixed(1)} ms, ` +
              `${queue.delivered} delivered to operations`,
          );
        }
        await Promise.all(members.map((m) => new Promise<void>((resolve) => m.consumer.leaveGroup(false, () => resolve()))));
        await closeMembers();
      })();
      return closing;
    },
  };
}

/** Joins every member, then waits until one generation assigns every partition exactly once. */
async function joinAll(members: readonly Member[], topic: string, partitions: number, settings: ConsumerSettings): Promise<void> {
  for (const m of members) m.consumer.topics.track(topic);
  await Promise.all(members.map((m) => m.consumer.joinGroup({})));
  // A member that joined before the others learns of the rebalance at its next heartbeat.
  const deadline = Date.now() + settings.rebalanceTimeoutMs + settings.heartbeatIntervalMs;
  for (;;) {
    const generations = new Set(members.map((m) => m.consumer.generationId));
    const assigned = members.flatMap((m) => assignedPartitions(m.consumer, topic));
    if (generations.size === 1 && assigned.length === partitions && new Set(assigned).size === partitions) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the consumer group did not settle: after ${Math.round((settings.rebalanceTimeoutMs + settings.heartbeatIntervalMs) / 1000)} s, ` +
          `${new Set(assigned).size} of ${partitions} partitions are assigned over generations ${[...generations].join(", ")}`,
      );
    }
    await sleep(20);
  }
}

function assignedPartitions(consumer: Consumer, topic: string): number[] {
  return consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
}

interface LoopParts {
  readonly member: Member;
  readonly topic: string;
  readonly settings: ConsumerSettings;
  readonly fromBeginning: boolean;
  readonly queue: RecordQueue;
  readonly stats: ConsumeStats;
  readonly byPartition: Map<number, Member>;
  readonly signal: AbortSignal;
  /** The Fetch version for fetchCounted; undefined: the client's fetch(). */
  readonly version: Awaited<ReturnType<typeof countedFetchVersion>>;
  readonly counted: CountedFetchSettings;
}

async function fetchLoop(p: LoopParts): Promise<void> {
  const { member, topic, settings, queue, signal } = p;
  const { consumer, positions } = member;
  let failures = 0;
  while (!signal.aborted) {
    await queue.room(settings.fetchMaxBytes);
    if (signal.aborted) return;
    const mine = assignedPartitions(consumer, topic);
    for (const partition of positions.keys()) if (!mine.includes(partition)) positions.delete(partition);
    if (mine.length === 0) {
      await sleep(IDLE_POLL_MS);
      continue;
    }
    for (const partition of mine) p.byPartition.set(partition, member);
    try {
      await initPositions(member, topic, mine, p.fromBeginning);
      const metadata = await consumer.metadata({ topics: [topic] });
      const described = metadata.topics.get(topic);
      if (described === undefined) throw new Error(`topic ${topic} is gone`);
      const byLeader = partitionsByLeader(described, mine);
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          const requested = new Map(list.map((partition) => [partition, positions.get(partition)!]));
          const started = performance.now();
          const chunks =
            p.version !== undefined
              ? await fetchCounted(consumer, p.version, leader, described.id, list, (partition) => requested.get(partition)!, p.counted)
              : chunksOf(
                  await fetchFrom(consumer, leader, described.id, list, (partition) => requested.get(partition)!, settings.maxPartitionFetchBytes),
                  requested,
                );
          p.stats.fetches++;
          p.stats.fetchMs += performance.now() - started;
          if (signal.aborted) return;
          for (const chunk of chunks) {
            positions.set(chunk.partition, chunk.nextOffset);
            p.stats.records += chunk.sizes.length;
            queue.push(chunk);
          }
        }),
      );
      failures = 0;
    } catch (error) {
      if (signal.aborted) return;
      const id = brokerErrorId(error);
      if (id === "OFFSET_OUT_OF_RANGE") {
        // The log was truncated under us (retention): the partitions whose position is off the log
        // start again where the reset policy says; the others keep theirs (starting them over from
        // the committed offset would count what was already delivered twice).
        await resetOutOfRange(member, topic, p.fromBeginning).catch(() => positions.clear());
      } else {
        consumer.clearMetadata();
        // Count it once per `retries` + 1 failed fetch rounds, as the client's own fetch() retried
        // before failing; the loop keeps going, as a real consumer does.
        failures++;
        if (failures % (settings.retries + 1) === 0) queue.fail(new KafkaOpError(error));
      }
      await sleep(Math.min(5_000, settings.retryBackoffMs * 2 ** Math.min(failures, 6)));
    }
  }
}

/** Positions before the log's start or past its end move to its start or end, as auto.offset.reset says. */
async function resetOutOfRange(member: Member, topic: string, fromBeginning: boolean): Promise<void> {
  const partitions = [...member.positions.keys()];
  if (partitions.length === 0) return;
  const list = async (timestamp: bigint): Promise<bigint[]> =>
    (await member.consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions }, timestamp })).get(topic) ?? [];
  const [starts, ends] = await Promise.all([list(ListOffsetTimestamps.EARLIEST), list(ListOffsetTimestamps.LATEST)]);
  for (const partition of partitions) {
    const position = member.positions.get(partition);
    const start = starts[partition];
    const end = ends[partition];
    if (position === undefined || start === undefined || end === undefined) continue;
    if (position < start || position > end) member.positions.set(partition, fromBeginning ? start : end);
  }
}

/** Starting offsets for partitions this member has no position in: committed, else earliest/latest. */
async function initPositions(member: Member, topic: string, partitions: readonly number[], fromBeginning: boolean): Promise<void> {
  const missing = partitions.filter((partition) => !member.positions.has(partition));
  if (missing.length === 0) return;
  const committed = await member.consumer.listCommittedOffsets({ topics: [{ topic, partitions: missing }] });
  const offsets = committed.get(topic) ?? [];
  const needReset: number[] = [];
  for (const partition of missing) {
    // Indexed by partition; -1 when the group has committed nothing there.
    const offset = offsets[partition] ?? -1n;
    if (offset >= 0n) member.positions.set(partition, offset);
    else needReset.push(partition);
  }
  if (needReset.length === 0) return;
  const listed = await member.consumer.listOffsets({
    topics: [topic],
    partitions: { [topic]: needReset },
    timestamp: fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
  });
  const ends = listed.get(topic) ?? [];
  for (const partition of needReset) member.positions.set(partition, ends[partition] ?? 0n);
}

/**
 * The fetch response as chunks, one per partition: records at or after the requested offset (a
 * fetch returns whole batches, so the first may start before it), control batches skipped.
 */
export function chunksOf(response: FetchResponse, requested: ReadonlyMap<number, bigint>): Chunk[] {
  const chunks: Chunk[] = [];
  for (const topicResponse of response.responses) {
    for (const partition of topicResponse.partitions) {
      const batches = partition.records ?? [];
      const from = requested.get(partition.partitionIndex);
      if (batches.length === 0 || from === undefined) continue;
      const sizes: number[] = [];
      const offsets: number[] = [];
      let nextOffset = from;
      for (const batch of batches) {
        const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
        if (last < from) continue;
        if (last + 1n > nextOffset) nextOffset = last + 1n;
        if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
        const skipBelow = batch.firstOffset >= from ? 0 : Number(from - batch.firstOffset);
        const base = Number(batch.firstOffset);
        for (const record of batch.records) {
          if (record.offsetDelta < skipBelow) continue;
          sizes.push((record.value?.length ?? 0) + (record.key?.length ?? 0));
          offsets.push(base + record.offsetDelta);
        }
      }
      chunks.push({ partition: partition.partitionIndex, sizes: Uint32Array.from(sizes), offsets: Float64Array.from(offsets), nextOffset });
    }
  }
  return chunks;
}

async function commitDelivered(member: Member, topic: string): Promise<void> {
  if (member.delivered.size === 0) return;
  const offsets = [...member.delivered].map(([partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1 }));
  member.delivered.clear();
  try {
    await member.consumer.commit({ offsets });
  } catch (error) {
    // Put them back for the next attempt, unless newer positions arrived meanwhile.
    for (const o of offsets) if (!member.delivered.has(o.partition)) member.delivered.set(o.partition, o.offset);
    throw new Error(`committing offsets of group ${member.consumer.groupId} failed: ${kafkaErrorDetail(error)}`, { cause: error });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
