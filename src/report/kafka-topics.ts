// The topic description the run summary shows for a Kafka target, as seed 000's "describe topic"
// step (`kafka-topics.sh --describe`) would: per topic its partitions, replication factor, leaders
// per broker, under-replicated and offline partitions, and, for a few partitions, each one's leader,
// replicas and ISR. Read from the kafka-admin probe's last whole-run reading (its details).
import type { JsonValue } from "../probes/probe.js";
import type { StoredRun } from "../store/results-store.js";

/** Topics with at most this many partitions get a line per partition. */
const PARTITION_LINES_UP_TO = 6;

interface Partition {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

interface Topic {
  topic: string;
  partitions: Partition[];
}

/** Lines for every kafka-admin reading of the run (one block per target), empty when there is none. */
export function kafkaTopicLines(run: Pick<StoredRun, "runProbes">): string[] {
  const latest = new Map<string, { takenAt: number; details: JsonValue | undefined }>();
  for (const p of run.runProbes) {
    if (p.probe !== "kafka-admin") continue;
    const key = p.target ?? "";
    const seen = latest.get(key);
    if (seen === undefined || p.takenAt >= seen.takenAt) latest.set(key, { takenAt: p.takenAt, details: p.reading.details });
  }
  const out: string[] = [];
  for (const [target, { details }] of latest) {
    for (const topic of topicsOf(details)) out.push(...describeTopic(target, topic));
  }
  return out;
}

function describeTopic(target: string, t: Topic): string[] {
  const n = t.partitions.length;
  const rf = Math.max(0, ...t.partitions.map((p) => p.replicas.length));
  const under = t.partitions.filter((p) => p.isr.length < p.replicas.length).length;
  const offline = t.partitions.filter((p) => p.leader < 0).length;
  const leaders = new Map<number, number>();
  for (const p of t.partitions) if (p.leader >= 0) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  const brokers = new Set(t.partitions.flatMap((p) => p.replicas));
  const perBroker = [...brokers].sort((a, b) => a - b).map((b) => `${b}:${leaders.get(b) ?? 0}`);
  const counts = [...brokers].map((b) => leaders.get(b) ?? 0);
  // Balanced: leaders spread over the replica brokers within one partition of each other.
  const balanced = counts.length === 0 || Math.max(...counts) - Math.min(...counts) <= 1;
  const head =
    `${target ? `${target} ` : ""}topic ${t.topic}: ${n} partition${n === 1 ? "" : "s"}, replication factor ${rf}, ` +
    `leaders per broker ${perBroker.join(" ") || "–"}${balanced ? "" : " (unbalanced)"}, ` +
    `under-replicated ${under}${offline > 0 ? `, offline ${offline}` : ""}`;
  const lines = [head];
  if (n <= PARTITION_LINES_UP_TO) {
    for (const p of t.partitions) {
      lines.push(`  partition ${p.partition}  leader ${p.leader < 0 ? "none" : p.leader}  replicas ${p.replicas.join(",")}  isr ${p.isr.join(",") || "–"}`);
    }
  }
  return lines;
}

/** The probe's details.topics, checked field by field (stored JSON, perhaps from another version). */
function topicsOf(details: JsonValue | undefined): Topic[] {
  const topics = isObject(details) ? details.topics : undefined;
  if (!Array.isArray(topics)) return [];
  const out: Topic[] = [];
  for (const t of topics) {
    if (!isObject(t) || typeof t.topic !== "string" || !Array.isArray(t.partitions)) continue;
    const partitions: Partition[] = [];
    for (const p of t.partitions) {
      if (!isObject(p) || typeof p.partition !== "number" || typeof p.leader !== "number") continue;
      partitions.push({ partition: p.partition, leader: p.leader, replicas: numbers(p.replicas), isr: numbers(p.isr) });
    }
    out.push({ topic: t.topic, partitions });
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function numbers(v: JsonValue | undefined): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
}
