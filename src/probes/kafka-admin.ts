// The `kafka-admin` probe: seed 000's Kafka checks (topic description, under-replicated partitions,
// consumer lag) as readings over a scenario. A snapshot describes the topics and consumer groups
// the target's scenarios use: partitions with leader, replicas and ISR; log end offsets; each
// group's committed offsets and lag; and, read once, the brokers, their API versions and the broker
// settings that matter for tuning. Reads go over the probe's own admin connection.
//
// Metrics: consumer_lag (records, all groups, at the end of the interval), under_replicated_partitions
// and offline_partitions (at the end), records_in (log end offsets moved over the interval: records
// the topics took), partitions, brokers, leader_imbalance (partitions whose leader is not their
// preferred replica).
import { Admin, ConfigResourceTypes, ListOffsetTimestamps } from "@platformatic/kafka";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface KafkaAdminOptions {
  /** host:port bootstrap addresses. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** The topics to describe (read at each snapshot: scenarios add theirs as they prepare). */
  readonly topics: () => readonly string[];
  /** Consumer groups to report lag for, with the topic each reads and where it starts without commits. */
  readonly groups: () => ReadonlyMap<string, KafkaGroupWatch>;
  /** Sample period during a scenario (the suite's `every`); undefined: before and after only. */
  readonly sampleEveryMs?: number;
}

/** Broker settings that bound throughput and durability; shown in details. */
export const TUNING_SETTINGS = [
  "num.network.threads",
  "num.io.threads",
  "num.replica.fetchers",
  "queued.max.requests",
  "socket.send.buffer.bytes",
  "socket.receive.buffer.bytes",
  "socket.request.max.bytes",
  "message.max.bytes",
  "replica.fetch.max.bytes",
  "log.flush.interval.messages",
  "log.flush.interval.ms",
  "log.retention.bytes",
  "log.retention.ms",
  "log.retention.hours",
  "log.segment.bytes",
  "num.partitions",
  "default.replication.factor",
  "min.insync.replicas",
  "unclean.leader.election.enable",
  "compression.type",
  "auto.create.topics.enable",
  "group.initial.rebalance.delay.ms",
] as const;

export interface KafkaGroupWatch {
  readonly topic: string;
  /** A partition without a committed offset is read from its start (true) or its end (false). */
  readonly fromBeginning: boolean;
}

const SNAPSHOT_TIMEOUT_MS = 10_000;

interface PartitionState {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  startOffset: number;
  endOffset: number;
}

interface TopicState {
  topic: string;
  partitions: PartitionState[];
}

interface GroupLag {
  group: string;
  topic: string;
  /**
   * Per partition: committed offset (null: none) and lag, the records the group has yet to read
   * (without a committed offset: from the partition's start, or 0 when the group starts at the end).
   */
  partitions: { partition: number; committed: number | null; lag: number }[];
  lag: number;
}

interface Static {
  brokers: { id: number; host: string; port: number; rack: string | null }[];
  controller: number;
  cluster: string;
  apis: { name: string; min: number; max: number }[];
  settings: Record<string, Record<string, string | null>>;
}

export function kafkaAdminProbe(options: KafkaAdminOptions): Probe & { close(): Promise<void> } {
  let admin: Admin | undefined;
  let fixed: Promise<Static> | undefined;
  const client = (): Admin => {
    admin ??= new Admin({
      clientId: options.clientId,
      bootstrapBrokers: [...options.brokers],
      connectTimeout: SNAPSHOT_TIMEOUT_MS,
      timeout: SNAPSHOT_TIMEOUT_MS,
      retries: 1,
    });
    return admin;
  };

  const readStatic = async (a: Admin): Promise<Static> => {
    const metadata = await a.metadata({ topics: [] });
    const brokers = [...metadata.brokers].map(([id, b]) => ({ id, host: b.host, port: b.port, rack: b.rack ?? null }));
    const apis = (await a.listApis().catch(() => [])).map((api) => ({ name: api.name, min: api.minVersion, max: api.maxVersion }));
    const settings: Static["settings"] = {};
    try {
      const described = await a.describeConfigs({
        resources: brokers.map((b) => ({ resourceType: ConfigResourceTypes.BROKER, resourceName: String(b.id), configurationKeys: [...TUNING_SETTINGS] })),
      });
      for (const resource of described) {
        settings[resource.resourceName] = Object.fromEntries(resource.configs.map((c) => [c.name, c.isSensitive ? "(sensitive)" : (c.value ?? null)]));
      }
    } catch {
      // Without DescribeConfigs permission the rest is still worth reporting.
    }
    return { brokers, controller: metadata.controllerId, cluster: metadata.id, apis, settings };
  };

  const readTopics = async (a: Admin, names: readonly string[]): Promise<TopicState[]> => {
    if (names.length === 0) return [];
    const metadata = await a.metadata({ topics: [...names], forceUpdate: true }).catch(async () => {
      // One missing topic fails the whole request: ask for those that exist.
      const all = await a.listTopics();
      const present = names.filter((n) => all.includes(n));
      return present.length === 0 ? undefined : a.metadata({ topics: present, forceUpdate: true });
    });
    if (metadata === undefined) return [];
    const out: TopicState[] = [];
    const requests = [];
    for (const name of names) {
      const topic = metadata.topics.get(name);
      if (topic === undefined) continue;
      out.push({
        topic: name,
        partitions: topic.partitions.map((p, partition) => ({
          partition,
          leader: p.leader,
          replicas: [...p.replicas],
          isr: [...p.isr],
          offline: [...p.offlineReplicas],
          startOffset: 0,
          endOffset: 0,
        })),
      });
      requests.push({ name, partitions: topic.partitions.length });
    }
    for (const [field, timestamp] of [["endOffset", ListOffsetTimestamps.LATEST], ["startOffset", ListOffsetTimestamps.EARLIEST]] as const) {
      if (requests.length === 0) break;
      const listed = await a.listOffsets({
        topics: requests.map((r) => ({ name: r.name, partitions: Array.from({ length: r.partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp })) })),
      });
      for (const t of listed) {
        const state = out.find((s) => s.topic === t.name);
        for (const p of t.partitions) {
          const partition = state?.partitions[p.partitionIndex];
          if (partition) partition[field] = Number(p.offset);
        }
      }
    }
    return out;
  };

  const readLag = async (a: Admin, groups: ReadonlyMap<string, KafkaGroupWatch>, topics: readonly TopicState[]): Promise<GroupLag[]> => {
    if (groups.size === 0) return [];
    const listed = await a.listConsumerGroupOffsets({ groups: [...groups.keys()] });
    const out: GroupLag[] = [];
    for (const [group, { topic, fromBeginning }] of groups) {
      const state = topics.find((t) => t.topic === topic)?.partitions ?? [];
      const committed = listed.find((g) => g.groupId === group)?.topics.find((t) => t.name === topic)?.partitions ?? [];
      const partitions = state.map((p) => {
        const c = committed.find((x) => x.partitionIndex === p.partition);
        const offset = c === undefined || c.committedOffset < 0n ? null : Number(c.committedOffset);
        const from = offset ?? (fromBeginning ? p.startOffset : p.endOffset);
        return { partition: p.partition, committed: offset, lag: Math.max(0, p.endOffset - from) };
      });
      out.push({ group, topic, partitions, lag: partitions.reduce((sum, p) => sum + p.lag, 0) });
    }
    return out;
  };

  return {
    kind: "kafka-admin",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const a = client();
      const at = Date.now();
      const work = (async () => {
        fixed ??= readStatic(a).catch((error: unknown) => {
          fixed = undefined;
          throw error;
        });
        const cluster = await fixed;
        const topics = await readTopics(a, options.topics());
        const groups = options.groups();
        const lags = await readLag(a, groups, topics);
        return { cluster, topics, lags, groupsAsked: groups.size };
      })();
      const { cluster, topics, lags, groupsAsked } = await withTimeout(work, SNAPSHOT_TIMEOUT_MS);

      const partitions = topics.flatMap((t) => t.partitions);
      const values: Record<string, number> = {
        brokers: cluster.brokers.length,
        partitions: partitions.length,
        under_replicated_partitions: partitions.filter((p) => p.isr.length < p.replicas.length).length,
        offline_partitions: partitions.filter((p) => p.leader < 0).length,
        leader_imbalance: partitions.filter((p) => p.leader >= 0 && p.replicas[0] !== undefined && p.leader !== p.replicas[0]).length,
        log_end_offsets: partitions.reduce((sum, p) => sum + p.endOffset, 0),
      };
      if (groupsAsked > 0) values.consumer_lag = lags.reduce((sum, g) => sum + g.lag, 0);

      const leadersPerBroker: Record<string, number> = Object.fromEntries(cluster.brokers.map((b) => [String(b.id), 0]));
      for (const p of partitions) if (p.leader >= 0) leadersPerBroker[String(p.leader)] = (leadersPerBroker[String(p.leader)] ?? 0) + 1;

      const details: JsonValue = {
        cluster: cluster.cluster,
        controller: cluster.controller,
        brokers: cluster.brokers.map((b) => ({ id: b.id, host: b.host, port: b.port, rack: b.rack })),
        apiVersions: cluster.apis.map((api) => ({ name: api.name, min: api.min, max: api.max })),
        brokerSettings: cluster.settings,
        leadersPerBroker,
        topics: topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partition: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offline: p.offline,
            startOffset: p.startOffset,
            endOffset: p.endOffset,
          })),
        })),
        consumerGroups: lags.map((g) => ({ group: g.group, topic: g.topic, lag: g.lag, partitions: g.partitions })),
      };
      return { at, values, details };
    },
    summarize(before: ProbeSnapshot, after: ProbeSnapshot): ProbeReading {
      const v = after.values;
      const underReplicated = v.under_replicated_partitions ?? 0;
      const offline = v.offline_partitions ?? 0;
      const metrics: Record<string, number> = {
        brokers: v.brokers ?? 0,
        partitions: v.partitions ?? 0,
        under_replicated_partitions: underReplicated,
        offline_partitions: offline,
        leader_imbalance: v.leader_imbalance ?? 0,
        // Topics a scenario created between the snapshots count from zero.
        records_in: Math.max(0, (v.log_end_offsets ?? 0) - (before.values.log_end_offsets ?? 0)),
      };
      if (v.consumer_lag !== undefined) metrics.consumer_lag = v.consumer_lag;
      const notes: string[] = [];
      if (underReplicated > 0) {
        notes.push(`${underReplicated} partition(s) have fewer in-sync replicas than replicas: a broker is down or lagging; acks=all waits for the ISR`);
      }
      if (offline > 0) notes.push(`${offline} partition(s) have no leader: produce and consume to them fail`);
      if (v.consumer_lag === undefined) notes.push("no consumer group to report lag for: consumer_lag covers the groups of this target's consume scenarios");
      return { metrics, ...(after.details === undefined ? {} : { details: after.details }), notes };
    },
    async close(): Promise<void> {
      const a = admin;
      admin = undefined;
      await a?.close().catch(() => undefined);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`kafka-admin: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
