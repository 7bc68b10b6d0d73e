// Kafka: consumer lag that grows (docs/runbooks/kafka-consumer-lag.md), under-replicated or offline
// partitions (kafka-under-replicated.md), and producers at a high rate with small batches
// (kafka-producer-batching.md), from the kafka-admin probe and the suite's producer settings.
import { PRODUCER_DEFAULTS } from "../../drivers/kafka/settings.js";
import type { JsonValue } from "../../probes/probe.js";
import { formatCount, formatRate } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import {
  allIntervalReadings,
  arrayAt,
  intervalReading,
  isObject,
  numberAt,
  objectAt,
  sampleReadings,
  stringAt,
  targetConfig,
  workloadField,
} from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "kafka-admin";
/** Lag must grow by at least this many records (and by half its starting value) to count. */
const LAG_GROWTH_MIN = 1000;
/** "High rate" for a producer: records/s or MB/s from which batching dominates the cost. */
export const PRODUCER_HIGH_RATE = 5000;
export const PRODUCER_HIGH_MBPS = 5;
/** Seed 003 / seed 001: 64 KiB batches, linger.ms 10, snappy. */
const GOOD_BATCH = 65_536;
const GOOD_LINGER = 10;
const PRODUCING = new Set(["produce", "end-to-end", "pipeline"]);

/** The bootstrap list as written in the suite (a list or one comma-separated string). */
function bootstrap(subject: Subject, target: string): string {
  const brokers = targetConfig(subject.run, target)?.brokers;
  if (typeof brokers === "string") return brokers;
  if (Array.isArray(brokers)) return brokers.filter((b): b is string => typeof b === "string").join(",");
  return "BROKER:9092";
}

function topicPartitions(details: JsonValue | undefined, topic: string): number | undefined {
  const t = arrayAt(details, "topics").find((x) => stringAt(x, "topic") === topic);
  return t === undefined ? undefined : arrayAt(t, "partitions").length;
}

/** A broker setting from the probe's describeConfigs (the first broker that reports it). */
function brokerSetting(details: JsonValue | undefined, name: string): string | undefined {
  const settings = objectAt(details, "brokerSettings");
  for (const broker of Object.values(settings ?? {})) {
    const v = isObject(broker) ? broker[name] : undefined;
    if (typeof v === "string") return v;
  }
  return undefined;
}

interface LagMatch {
  scenario: StoredScenario;
  from: number;
  to: number;
  seconds: number;
  topic: string | undefined;
  partitions: number | undefined;
  consumers: number | undefined;
  brokers: string;
}

interface ReplicationMatch {
  under: number;
  offline: number;
  where: string;
  partitions: { topic: string; partition: number; replicas: number[]; isr: number[] }[];
  brokers: string;
  replicaFetchers: string | undefined;
  ioThreads: string | undefined;
}

interface BatchMatch {
  scenario: StoredScenario;
  recordsPerSec: number;
  /** Records per second the scenario asked for (open loop); 0 for closed loops. */
  askedPerSec: number;
  mbps: number;
  recordBytes: number;
  batchSize: number;
  lingerMs: number;
  compression: string;
}

const numbers = (v: JsonValue | undefined): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : []);

/** The target's producer settings as the suite wrote them, over the driver's defaults. */
function producerSettings(subject: Subject, target: string): { batchSize: number; lingerMs: number; compression: string } {
  const p = objectAt(targetConfig(subject.run, target), "producer");
  const num = (key: string, fallback: number): number => {
    const v = p?.[key];
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
    return Number.isFinite(n) ? n : fallback;
  };
  const compression = p?.["compression.type"];
  return {
    batchSize: num("batch.size", PRODUCER_DEFAULTS.batchSize),
    lingerMs: num("linger.ms", PRODUCER_DEFAULTS.lingerMs),
    compression: typeof compression === "string" ? compression : PRODUCER_DEFAULTS.compression,
  };
}

export const KAFKA_RULES = [
  defineRule<LagMatch>({
    id: "kafka.consumer-lag-growing",
    area: "kafka",
    scope: "scenario",
    title: "Consumer lag kept growing: consumers fall behind the producers",
    impact: "high",
    runbook: "docs/runbooks/kafka-consumer-lag.md · https://kafka.apache.org/documentation/#basic_ops_consumer_lag",
    when: (subject) => {
      const { scenario } = subject;
      if (scenario === null || scenario.targetKind !== "kafka") return undefined;
      const points = sampleReadings(scenario, PROBE, scenario.target)
        .map((p) => ({ at: p.takenAt, lag: p.reading.metrics.consumer_lag }))
        .filter((p): p is { at: number; lag: number } => p.lag !== undefined);
      const end = intervalReading(scenario, PROBE, scenario.target);
      const endLag = end?.metrics.consumer_lag;
      if (endLag !== undefined) points.push({ at: Math.max(...points.map((p) => p.at), 0) + 1, lag: endLag });
      if (points.length < 3) return undefined;
      const first = points[0];
      const last = points[points.length - 1];
      if (first === undefined || last === undefined) return undefined;
      // Growing, not a blip: up by a margin, and the last third above the first third.
      const third = Math.max(1, Math.floor(points.length / 3));
      const mean = (xs: { lag: number }[]): number => xs.reduce((s, p) => s + p.lag, 0) / xs.length;
      const grew = last.lag - first.lag;
      if (grew < Math.max(LAG_GROWTH_MIN, first.lag * 0.5) || mean(points.slice(-third)) <= mean(points.slice(0, third))) return undefined;
      const topic = workloadField(scenario, "topic");
      const consumers = workloadField(scenario, "consumers");
      const topicName = typeof topic === "string" ? topic : undefined;
      return {
        scenario,
        from: first.lag,
        to: last.lag,
        seconds: Math.max(scenario.result.durationS, 1),
        topic: topicName,
        partitions: topicName === undefined ? undefined : topicPartitions(end?.details, topicName),
        consumers: typeof consumers === "number" ? consumers : undefined,
        brokers: bootstrap(subject, scenario.target),
      };
    },
    evidence: (m) => [
      `consumer lag grew from ${formatCount(m.from)} to ${formatCount(m.to)} records over ${Math.round(m.seconds)} s (+${formatRate((m.to - m.from) / m.seconds).replace("/s", " records/s")})`,
      `topic ${m.topic ?? "?"}: ${m.partitions ?? "?"} partitions, ${m.consumers ?? "?"} consumers in the group`,
    ],
    recommendation: (m) => {
      const topic = m.topic ?? "TOPIC";
      if (m.partitions !== undefined && m.consumers !== undefined && m.consumers < m.partitions) {
        return `add consumers: consumers: ${Math.min(m.partitions, m.consumers * 2)} (now ${m.consumers}; the group uses at most one per partition, ${m.partitions})`;
      }
      const partitions = Math.max(2, (m.partitions ?? 1) * 2);
      return (
        `add partitions, then consumers to match: kafka-topics.sh --bootstrap-server ${m.brokers} --alter --topic ${topic} --partitions ${partitions}` +
        ` and consumers: ${partitions}; keys keep their order only within a partition, so check the keying first`
      );
    },
  }),
  defineRule<ReplicationMatch>({
    id: "kafka.under-replicated",
    culprit: "target",
    area: "kafka",
    scope: "run",
    title: (m) => (m.offline > 0 ? "Offline partitions: no leader" : "Under-replicated partitions: replicas out of the ISR"),
    impact: "high",
    runbook: "docs/runbooks/kafka-under-replicated.md · https://kafka.apache.org/documentation/#replication",
    when: (subject) => {
      let worst: ReplicationMatch | undefined;
      for (const { scenario, reading } of allIntervalReadings(subject.run, PROBE)) {
        const under = reading.reading.metrics.under_replicated_partitions ?? 0;
        const offline = reading.reading.metrics.offline_partitions ?? 0;
        if (under + offline === 0 || (worst !== undefined && under + offline <= worst.under + worst.offline)) continue;
        const details = reading.reading.details;
        const partitions = arrayAt(details, "topics").flatMap((t) =>
          arrayAt(t, "partitions").flatMap((p) => {
            const replicas = numbers(isObject(p) ? p.replicas : undefined);
            const isr = numbers(isObject(p) ? p.isr : undefined);
            return isr.length < replicas.length ? [{ topic: stringAt(t, "topic") ?? "?", partition: numberAt(p, "partition") ?? -1, replicas, isr }] : [];
          }),
        );
        worst = {
          under,
          offline,
          where: scenario === null ? "at the end of the run" : `at the end of scenario ${scenario.name}`,
          partitions,
          brokers: bootstrap(subject, reading.target ?? ""),
          replicaFetchers: brokerSetting(details, "num.replica.fetchers"),
          ioThreads: brokerSetting(details, "num.io.threads"),
        };
      }
      return worst;
    },
    evidence: (m) => [
      `${m.under} under-replicated and ${m.offline} offline partition(s) ${m.where}`,
      ...m.partitions.slice(0, 5).map((p) => `${p.topic}-${p.partition}: replicas [${p.replicas.join(",")}], in sync [${p.isr.join(",")}]`),
    ],
    recommendation: (m) => {
      const missing = [...new Set(m.partitions.flatMap((p) => p.replicas.filter((r) => !p.isr.includes(r))))];
      return (
        `kafka-topics.sh --bootstrap-server ${m.brokers} --describe --under-replicated-partitions; ` +
        (missing.length > 0 ? `bring broker(s) ${missing.join(", ")} back into the ISR (their logs, disk, network); ` : "") +
        `if followers fall behind under load, raise num.replica.fetchers (now ${m.replicaFetchers ?? "?"}) and num.io.threads (now ${m.ioThreads ?? "?"}); ` +
        "acks=all producers wait for the ISR meanwhile"
      );
    },
  }),
  defineRule<BatchMatch>({
    id: "kafka.producer-small-batches",
    culprit: "client",
    area: "kafka",
    scope: "scenario",
    title: "A producer at a high rate with small batches",
    impact: "medium",
    runbook: "docs/runbooks/kafka-producer-batching.md · https://kafka.apache.org/documentation/#producerconfigs_linger.ms",
    when: (subject) => {
      const { scenario } = subject;
      if (scenario === null || scenario.targetKind !== "kafka") return undefined;
      const type = workloadField(scenario, "type");
      if (typeof type !== "string" || !PRODUCING.has(type)) return undefined;
      const r = scenario.result;
      // High by what it did or by what it was asked: a producer asked for 20,000/s that managed
      // 3,000 with small batches is the case in point.
      const recordsPerOp = r.ops > 0 ? r.records / r.ops : 1;
      const asked = (r.generator.askedRate ?? 0) * recordsPerOp;
      if (Math.max(r.throughput, asked) < PRODUCER_HIGH_RATE && r.mbps < PRODUCER_HIGH_MBPS) return undefined;
      const settings = producerSettings(subject, scenario.target);
      if (settings.batchSize >= GOOD_BATCH && settings.lingerMs > 0) return undefined;
      return {
        scenario,
        recordsPerSec: r.throughput,
        askedPerSec: asked,
        mbps: r.mbps,
        recordBytes: r.records > 0 ? r.bytes / r.records : 0,
        ...settings,
      };
    },
    evidence: (m) => [
      `${formatRate(m.recordsPerSec).replace("/s", " records/s")}${m.askedPerSec > m.recordsPerSec ? ` of ${formatRate(m.askedPerSec).replace("/s", " records/s")} asked` : ""} ` +
        `(${m.mbps.toFixed(1)} MB/s, ${formatCount(m.recordBytes)} B per record)`,
      `batch.size ${m.batchSize}, linger.ms ${m.lingerMs}, compression.type ${m.compression}` +
        (m.recordBytes > 0 ? `: at most ${formatCount(Math.max(1, m.batchSize / m.recordBytes))} records per batch` : ""),
    ],
    recommendation: (m) => {
      const changes: string[] = [];
      if (m.batchSize < GOOD_BATCH) changes.push(`batch.size: ${GOOD_BATCH}`);
      if (m.lingerMs < GOOD_LINGER) changes.push(`linger.ms: ${GOOD_LINGER}`);
      if (m.compression === "none") changes.push("compression.type: snappy");
      return (
        `producer: { ${changes.join(", ")} } on target ${m.scenario.target} (now batch.size ${m.batchSize}, linger.ms ${m.lingerMs}, compression.type ${m.compression}); ` +
        "compare before and after with --trials 5 (a sweep over batch.size × linger.ms finds the best pair)"
      );
    },
  }),
];
