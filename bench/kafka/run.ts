// bench/kafka: pipebench against Kafka's own perf tools on one local broker, in one run.
//
//   produce: pipebench (bench/kafka/suite.yaml, scenario `produce`) vs
//            org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test.sh):
//            N × 1 KiB records, acks=all, --throughput -1, each to its own new 3-partition topic.
//   consume: pipebench (scenario `consume`, one group member) vs
//            org.apache.kafka.tools.ConsumerPerformance (kafka-consumer-perf-test.sh): N records of
//            one 3-partition topic, from the beginning, each with a new consumer group.
//
// The broker (scripts/kafka-local start, its own temp dir) is warmed first by a throwaway produce,
// which also fills the topic both consumers read. Each round runs pipebench and the Java tool
// side by side, alternating which goes first; medians of the rounds, and the ratio
// pipebench / Java for each. Every number is the tool's own measurement of its interval (JVM and
// Node start-up, connecting and joining the group excluded on both sides):
//   ProducerPerformance   records/sec of its final summary line
//   ConsumerPerformance   fetch.nMsg.sec: records over fetch.time.ms, the time after the group was
//                         joined and partitions assigned. (nMsg.sec divides by the whole run,
//                         rebalance.time.ms included: a group join of ~0.4–3 s that is not
//                         consumption. pipebench's consume throughput also starts once the group
//                         has joined, so fetch.nMsg.sec is the like-for-like figure; nMsg.sec is
//                         printed beside it.)
//   pipebench             the scenario's throughput (records/s) from `--format json`
//
// Usage: npx tsx bench/kafka/run.ts [--records 500000] [--rounds 3] [--bootstrap HOST:PORT]
// (npm run build first: pipebench runs as bin/pipebench.js.) Needs Java 17+ and the jars
// (scripts/kafka-local fetch). With --bootstrap it uses that broker and starts none.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "../stats.js";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "500000" },
    rounds: { type: "string", default: "3" },
    bootstrap: { type: "string" },
  },
});
const records = Number(values.records);
const rounds = Number(values.rounds);
if (!Number.isInteger(records) || records < 1) throw new Error("--records must be a positive integer");
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds must be a positive integer");
const RECORD_SIZE = 1024;
const PARTITIONS = 3;
const KAFKA_LOCAL = "scripts/kafka-local";

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; allow?: number[]; timeoutMs?: number } = {}): string {
  const r = spawnSync(command, args, {
    env: options.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: options.timeoutMs ?? 10 * 60_000,
    killSignal: "SIGKILL",
  });
  if (r.error) throw new Error(`${command} ${args.join(" ")}: ${r.error.message}`);
  if (!(options.allow ?? [0]).includes(r.status ?? -1)) {
    throw new Error(`${command} ${args.join(" ")} failed (${r.signal ?? `exit ${r.status}`}):\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  }
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), "pipebench-bench-kafka-"));
let brokerDir: string | undefined;
let bootstrap = values.bootstrap;
if (bootstrap === undefined) {
  brokerDir = join(work, "broker");
  const out = run(KAFKA_LOCAL, ["start", "--dir", brokerDir, "--owner-pid", String(process.pid)], { timeoutMs: 180_000 });
  const m = /^bootstrap=(\S+) /m.exec(out);
  if (!m) throw new Error(`scripts/kafka-local start printed no bootstrap line:\n${out}`);
  bootstrap = m[1]!;
}
const broker: string = bootstrap;

function createTopic(topic: string): void {
  run(KAFKA_LOCAL, ["run", "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", broker, "--create", "--if-not-exists", "--topic", topic, "--partitions", String(PARTITIONS), "--replication-factor", "1"]);
}

/** ProducerPerformance's final line: "N records sent, R records/sec (M MB/sec), … ms 99.9th." */
function javaProduce(topic: string, n: number): { rate: number; line: string } {
  createTopic(topic);
  const out = run(KAFKA_LOCAL, [
    "perf-producer", "--topic", topic, "--num-records", String(n), "--record-size", String(RECORD_SIZE),
    "--throughput", "-1", "--producer-props", `bootstrap.servers=${broker}`, "acks=all",
  ]);
  const line = out.split("\n").filter((l) => / ms 99\.9th\.$/.test(l.trim())).at(-1);
  const m = line === undefined ? null : /^(\d+) records sent, ([\d.]+) records\/sec/.exec(line.trim());
  if (!m || line === undefined) throw new Error(`cannot read ProducerPerformance's summary:\n${out.slice(-2000)}`);
  if (Number(m[1]) !== n) throw new Error(`ProducerPerformance sent ${m[1]} records, expected ${n}`);
  return { rate: Number(m[2]), line: line.trim() };
}

/** ConsumerPerformance's CSV summary: header line, then one row. */
function javaConsume(topic: string, n: number): { fetchRate: number; totalRate: number; rebalanceMs: number } {
  const out = run(KAFKA_LOCAL, ["perf-consumer", "--bootstrap-server", broker, "--topic", topic, "--messages", String(n), "--timeout", "30000"]);
  const lines = out.split("\n").map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith("start.time,"));
  const header = lines[at]?.split(",").map((s) => s.trim());
  const row = lines[at + 1]?.split(",").map((s) => s.trim());
  if (at < 0 || !header || !row) throw new Error(`cannot read ConsumerPerformance's summary:\n${out.slice(-2000)}`);
  const field = (name: string): number => Number(row[header.indexOf(name)]);
  if (field("data.consumed.in.nMsg") < n) throw new Error(`ConsumerPerformance read ${field("data.consumed.in.nMsg")} records, expected ${n}`);
  return { fetchRate: field("fetch.nMsg.sec"), totalRate: field("nMsg.sec"), rebalanceMs: field("rebalance.time.ms") };
}

interface PbResult { records: number; throughput: number; errors: number }
function pipebench(scenario: "produce" | "consume", topic: string, n: number): PbResult {
  const out = run(
    process.execPath,
    [
      "bin/pipebench.js", "run", "bench/kafka/suite.yaml", "-s", scenario, "--format", "json", "--store", join(work, "results.db"),
      "--set", `scenarios.${scenario}.workload.topic=${topic}`, "--set", `scenarios.${scenario}.load.iterations=${n}`,
    ],
    { env: { ...process.env, PIPEBENCH_BENCH_KAFKA: broker } },
  );
  const json = JSON.parse(out) as { scenarioResults: { result: PbResult }[] };
  const r = json.scenarioResults[0]?.result;
  if (!r || r.errors > 0 || r.records !== n) throw new Error(`pipebench ${scenario}: ${r?.records} records, ${r?.errors} errors (expected ${n}, 0)`);
  return r;
}

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
try {
  const java = run("java", ["-version"]).trim() || spawnSync("java", ["-version"], { encoding: "utf8" }).stderr.split("\n")[0];
  console.log(`Kafka on ${broker}${brokerDir ? " (scripts/kafka-local, one broker)" : ""} · ${fmt(records)} × ${RECORD_SIZE} B, acks=all, unlimited · topics of ${PARTITIONS} partitions · ${rounds} rounds · ${java}`);
  // Warm-up: a throwaway produce (JIT, page cache, log segments), which also fills the topic
  // both consumers read.
  const warm = javaProduce("bench-consume", records);
  console.log(`warm-up (fills bench-consume): ProducerPerformance ${fmt(warm.rate)} records/s`);

  const rates = { pbProduce: [] as number[], javaProduce: [] as number[], pbConsume: [] as number[], javaConsume: [] as number[], javaConsumeTotal: [] as number[] };
  for (let round = 1; round <= rounds; round++) {
    const pbFirst = round % 2 === 1;
    const produce = [
      () => rates.pbProduce.push(pipebench("produce", `bench-produce-pb-${round}`, records).throughput),
      () => rates.javaProduce.push(javaProduce(`bench-produce-java-${round}`, records).rate),
    ];
    const consume = [
      () => rates.pbConsume.push(pipebench("consume", "bench-consume", records).throughput),
      () => {
        const j = javaConsume("bench-consume", records);
        rates.javaConsume.push(j.fetchRate);
        rates.javaConsumeTotal.push(j.totalRate);
      },
    ];
    for (const step of pbFirst ? produce : [...produce].reverse()) step();
    for (const step of pbFirst ? consume : [...consume].reverse()) step();
    const last = (xs: number[]): string => fmt(xs.at(-1) ?? NaN);
    console.log(
      `round ${round} (${pbFirst ? "pipebench first" : "Java first"}): produce pipebench ${last(rates.pbProduce)}/s · Java ${last(rates.javaProduce)}/s` +
        ` | consume pipebench ${last(rates.pbConsume)}/s · Java ${last(rates.javaConsume)}/s fetch.nMsg.sec (${last(rates.javaConsumeTotal)}/s nMsg.sec)`,
    );
  }
  const perRound = (a: number[], b: number[]): number => median(a.map((x, i) => x / (b[i] ?? NaN)));
  console.log("");
  console.log(`produce  pipebench ${fmt(median(rates.pbProduce)).padStart(9)} records/s   ProducerPerformance ${fmt(median(rates.javaProduce)).padStart(9)} records/s   ratio pipebench/Java ${(median(rates.pbProduce) / median(rates.javaProduce)).toFixed(2)} (median of rounds' ratios ${perRound(rates.pbProduce, rates.javaProduce).toFixed(2)})`);
  console.log(`consume  pipebench ${fmt(median(rates.pbConsume)).padStart(9)} records/s   ConsumerPerformance ${fmt(median(rates.javaConsume)).padStart(9)} records/s   ratio pipebench/Java ${(median(rates.pbConsume) / median(rates.javaConsume)).toFixed(2)} (median of rounds' ratios ${perRound(rates.pbConsume, rates.javaConsume).toFixed(2)}; vs nMsg.sec ${(median(rates.pbConsume) / median(rates.javaConsumeTotal)).toFixed(2)})`);
  console.log("goal: ratio ≥ 1.0 for both");
} finally {
  if (brokerDir !== undefined) spawnSync(KAFKA_LOCAL, ["stop", "--dir", brokerDir], { stdio: "inherit", timeout: 90_000 });
  rmSync(work, { recursive: true, force: true });
}
