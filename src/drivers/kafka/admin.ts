// Cluster housekeeping for the kafka driver: the client options every client of a target shares,
// and topics (created when missing, then waited for until every partition has a leader, so the
// first produce does not meet UNKNOWN_TOPIC_OR_PARTITION).
import type { Admin, BaseOptions, ClusterMetadata } from "@platformatic/kafka";
import { UsageError } from "../../errors.js";
import { brokerErrorId, isUnknownTopic, kafkaErrorDetail } from "./errors.js";
import type { KafkaTarget, TopicSpec } from "./schema.js";

/** How long connecting to one broker may take (the client's default is 5 s). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long a new topic may take to get leaders for all its partitions. */
const TOPIC_READY_TIMEOUT_MS = 15_000;

/** Options shared by the admin, producer and consumer clients of one target. */
export function baseOptions(target: KafkaTarget, role: string, requestTimeoutMs = 30_000, retries = 3, retryDelay = 100): BaseOptions {
  return {
    clientId: `${target.clientId}-${role}`,
    bootstrapBrokers: [...target.brokers],
    connectTimeout: CONNECT_TIMEOUT_MS,
    timeout: requestTimeoutMs,
    retries,
    retryDelay,
  };
}

export interface TopicState {
  readonly name: string;
  readonly partitions: number;
  /** True when this call created it. */
  readonly created: boolean;
}

/**
 * Makes sure `name` exists: creates it with `spec` (partitions and replication factor default to
 * the broker's) when missing, then waits until every partition has a leader. An existing topic is
 * left as it is, even when `spec` asks for other partitions (a note says so).
 */
export async function ensureTopic(admin: Admin, name: string, spec: TopicSpec, log: (line: string) => void): Promise<TopicState> {
  const existing = await topicMetadata(admin, name);
  if (existing !== undefined) {
    if (spec.partitions !== undefined && spec.partitions !== existing.partitionsCount) {
      log(`topic ${name} exists with ${existing.partitionsCount} partitions (not ${spec.partitions}); using it as it is`);
    }
    return { name, partitions: existing.partitionsCount, created: false };
  }
  let created = true;
  try {
    await admin.createTopics({
      topics: [name],
      partitions: spec.partitions ?? -1,
      replicas: spec.replicationFactor ?? -1,
      configs: Object.entries(spec.config ?? {}).map(([configName, value]) => ({ name: configName, value: String(value) })),
    });
  } catch (error) {
    // Another client (a second scenario, another pipebench) made it meanwhile: fine.
    const id = brokerErrorId(error);
    if (id !== undefined && SUITE_TOPIC_ERRORS.has(id)) {
      throw new UsageError(`cannot create topic ${name}: ${kafkaErrorDetail(error)}`, {
        hint: "check the topic's partitions, replicationFactor (at most the number of live brokers) and config names and values",
        cause: error,
      });
    }
    if (id !== "TOPIC_ALREADY_EXISTS") {
      throw new Error(`cannot create topic ${name}: ${kafkaErrorDetail(error)}`, { cause: error });
    }
    created = false;
  }
  const ready = await waitForLeaders(admin, name);
  if (created) await waitForLeadersToServe(admin, name, ready.partitionsCount);
  if (created) {
    const rf = ready.partitions[0]?.replicas.length ?? 0;
    log(`created topic ${name}: ${ready.partitionsCount} partition${ready.partitionsCount === 1 ? "" : "s"}, replication factor ${rf}`);
  }
  return { name, partitions: ready.partitionsCount, created };
}

/** The broker's refusals of a topic as the suite describes it: the suite's to fix. */
const SUITE_TOPIC_ERRORS = new Set(["INVALID_PARTITIONS", "INVALID_REPLICATION_FACTOR", "INVALID_CONFIG"]);

type TopicMetadata = NonNullable<ReturnType<ClusterMetadata["topics"]["get"]>>;

async function topicMetadata(admin: Admin, name: string): Promise<TopicMetadata | undefined> {
  try {
    const metadata = await admin.metadata({ topics: [name], forceUpdate: true });
    return metadata.topics.get(name);
  } catch (error) {
    if (isUnknownTopic(error)) return undefined;
    throw error;
  }
}

/**
 * A new partition's leader is in the metadata a moment before it serves requests; produce requests
 * in that moment fail (NOT_LEADER_OR_FOLLOWER) and the client re-sends them whole. ListOffsets goes
 * to each leader: once it answers for every partition, so will Produce.
 */
async function waitForLeadersToServe(admin: Admin, name: string, partitions: number): Promise<void> {
  const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
  for (;;) {
    try {
      await admin.listOffsets({
        topics: [{ name, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
      });
      return;
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`the leaders of topic ${name} do not answer ${TOPIC_READY_TIMEOUT_MS / 1000} s after it was created (${kafkaErrorDetail(error)})`);
      }
      admin.clearMetadata();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function waitForLeaders(admin: Admin, name: string): Promise<TopicMetadata> {
  const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
  let last: unknown;
  for (;;) {
    try {
      const topic = await topicMetadata(admin, name);
      if (topic !== undefined && topic.partitions.length === topic.partitionsCount && topic.partitions.every((p) => p.leader >= 0)) return topic;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `topic ${name} has no leader for every partition ${TOPIC_READY_TIMEOUT_MS / 1000} s after it was created${last === undefined ? "" : ` (${kafkaErrorDetail(last)})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
