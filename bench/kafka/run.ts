// bench/kafka: pipebench against Kafka's own perf tools on one local broker, in one run.
//
//   produce: pipebench in both timings (bench/kafka/suite.yaml: scenario `produce-perf`, loaded and
//            timed as the Java tool, `timing: producer-perf`; scenario `produce`, pipebench's own
//            `max`) vs org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test.sh):
//            N records of --record-size bytes (default 1 KiB), acks=all, --throughput -1, each to
//            its own new 3-partition topic; records/s and p50/p95/p99 of each, and the ratios
//            pipebench / Java of records/s and p50.
//   consume: pipebench (scenario `consume`, one group member) vs
//            org.apache.kafka.tools.ConsumerPerformance (kafka-consumer-perf-test.sh): N records of
//            one 3-partition topic, from the beginning, each with a new consumer group.
//
// The broker (scripts/kafka-local start, its own temp dir) is warmed first by a throwaway produce,
// which also fills the topic both consumers read. Each round runs pipebench and the Java tool
// side by side, alternating which goes first; medians of the rounds, and the ratio
// pipebench / Java for each. Every number is the tool's own measurement of its interval (JVM and
// Node start-up, connecting and joining the group excluded on both sides):
//   ProducerPerformance   records/sec and the 50th/95th/99th of its final summary line
//   ConsumerPerformance   fetch.nMsg.sec: records over fetch.time.ms, the time after the group was
//                         joined and partitions assigned. (nMsg.sec divides by the whole run,
//                         rebalance.time.ms included: a group join of ~0.4–3 s that is not
//                         consumption. pipebench's consume throughput also starts once the group
//                         has joined, so fetch.nMsg.sec is the like-for-like figure; nMsg.sec is
//                         printed beside it.)
//   pipebench             the scenario's throughput (records/s) and latency from `--format json`
//
// Usage: npx tsx bench/kafka/run.ts [--records 500000] [--record-size 1024] [--rounds 3] [--no-consume]
//          [--bootstrap HOST:PORT]
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
    "record-size": { type: "string", default: "1024" },
    "no-consume": { type: "boolean", default: false },
    bootstrap: { type: "string" },
  },
});
const records = Number(values.records);
const rounds = Number(values.rounds);
if (!Number.isInteger(records) || records < 1) throw new Error("--records must be a positive integer");
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds must be a positive integer");
const RECORD_SIZE = Number(values["record-size"]);
if (!Number.isInteger(RECORD_SIZE) || RECORD_SIZE < 1) throw new Error("--record-size must be a positive integer");
const withConsume = !values["no-consume"];
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

/** records/s and latency percentiles (ms) of one produce run. */
interface Produced { rate: number; p50: number; p95: number; p99: number }

/** ProducerPerformance's final line: "N records sent, R records/sec (M MB/sec), … ms 99.9th." */
function javaProduce(topic: string, n: number): Produced & { line: string } {
  createTopic(topic);
  const out = run(KAFKA_LOCAL, [
    "perf-producer", "--topic", topic, "--num-records", String(n), "--record-size", String(RECORD_SIZE),
    "--throughput", "-1", "--producer-props", `bootstrap.servers=${broker}`, "acks=all",
  ]);
  const line = out.split("\n").filter((l) => / ms 99\.9th\.$/.test(l.trim())).at(-1);
  const m = line === undefined ? null : /^(\d+) records sent, ([\d.]+) records\/sec/.exec(line.trim());
  if (!m || line === undefined) throw new Error(`cannot read ProducerPerformance's summary:\n${out.slice(-2000)}`);
  if (Number(m[1]) !== n) throw new Error(`ProducerPerformance sent ${m[1]} records, expected ${n}`);
  const p = / (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th,/.exec(line);
  return { rate: Number(m[2]), p50: Number(p?.[1]), p95: Number(p?.[2]), p99: Number(p?.[3]), line: line.trim() };
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

interface PbResult { records: number; throughput: number; errors: number; latency: { p50: number; p95: number; p99: number } }
function pipebench(scenario: "produce" | "produce-perf" | "consume", topic: string, n: number): PbResult {
  const out = run(
    process.execPath,
    [
      "bin/pipebench.js", "run", "bench/kafka/suite.yaml", "-s", scenario, "--format", "json", "--store", join(work, "results.db"),
      "--set", `scenarios.${scenario}.workload.topic=${topic}`, "--set", `scenarios.${scenario}.load.iterations=${n}`,
      ...(scenario === "consume" ? [] : ["--set", `scenarios.${scenario}.workload.recordSize=${RECORD_SIZE}`]),
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

  // Produce: three tools per round, the order turned round every other round.
  const produced = { perf: [] as Produced[], own: [] as Produced[], java: [] as Produced[] };
  const consumed = { pb: [] as number[], java: [] as number[], javaTotal: [] as number[] };
  const pb = (r: PbResult): Produced => ({ rate: r.throughput, p50: r.latency.p50, p95: r.latency.p95, p99: r.latency.p99 });
  for (let round = 1; round <= rounds; round++) {
    const pbFirst = round % 2 === 1;
    const produce = [
      () => produced.perf.push(pb(pipebench("produce-perf", `bench-produce-perf-${round}`, records))),
      () => produced.own.push(pb(pipebench("produce", `bench-produce-pb-${round}`, records))),
      () => produced.java.push(javaProduce(`bench-produce-java-${round}`, records)),
    ];
    const consume = [
      () => consumed.pb.push(pipebench("consume", "bench-consume", records).throughput),
      () => {
        const j = javaConsume("bench-consume", records);
        consumed.java.push(j.fetchRate);
        consumed.javaTotal.push(j.totalRate);
      },
    ];
    for (const step of pbFirst ? produce : [...produce].reverse()) step();
    if (withConsume) for (const step of pbFirst ? consume : [...consume].reverse()) step();
    const last = (xs: Produced[]): string => {
      const x = xs.at(-1);
      return x === undefined ? "?" : `${fmt(x.rate)}/s p50 ${fmt(x.p50)} ms`;
    };
    console.log(
      `round ${round} (${pbFirst ? "pipebench first" : "Java first"}): produce pipebench producer-perf ${last(produced.perf)} · pipebench own ${last(produced.own)} · Java ${last(produced.java)}` +
        (withConsume ? ` | consume pipebench ${fmt(consumed.pb.at(-1) ?? NaN)}/s · Java ${fmt(consumed.java.at(-1) ?? NaN)}/s fetch.nMsg.sec (${fmt(consumed.javaTotal.at(-1) ?? NaN)}/s nMsg.sec)` : ""),
    );
  }
  const perRound = (a: number[], b: number[]): number => median(a.map((x, i) => x / (b[i] ?? NaN)));
  const ratio = (a: number[], b: number[]): string => `${(median(a) / median(b)).toFixed(2)} (rounds' ${perRound(a, b).toFixed(2)})`;
  const of = (xs: Produced[], k: keyof Produced): number[] => xs.map((x) => x[k]);
  console.log("");
  console.log(`produce, medians of ${rounds} rounds     records/s      p50 ms    p95 ms    p99 ms   ratio to Java: records/s   p50 (median of the rounds' ratios)`);
  for (const [name, xs] of [["pipebench producer-perf", produced.perf], ["pipebench own (max)", produced.own], ["ProducerPerformance", produced.java]] as const) {
    const cols = (["rate", "p50", "p95", "p99"] as const).map((k, i) => fmt(median(of(xs, k))).padStart(i === 0 ? 12 : 10));
    const vsJava = xs === produced.java ? "" : `   ${ratio(of(xs, "rate"), of(produced.java, "rate"))}   ${ratio(of(xs, "p50"), of(produced.java, "p50"))}`;
    console.log(`${name.padEnd(34)}${cols.join("")}${vsJava}`);
  }
  if (withConsume) {
    console.log(`consume  pipebench ${fmt(median(consumed.pb)).padStart(9)} records/s   ConsumerPerformance ${fmt(median(consumed.java)).padStart(9)} records/s   ratio pipebench/Java ${(median(consumed.pb) / median(consumed.java)).toFixed(2)} (median of rounds' ratios ${perRound(consumed.pb, consumed.java).toFixed(2)}; vs nMsg.sec ${(median(consumed.pb) / median(consumed.javaTotal)).toFixed(2)})`);
  }
} finally {
  if (brokerDir !== undefined) spawnSync(KAFKA_LOCAL, ["stop", "--dir", brokerDir], { stdio: "inherit", timeout: 90_000 });
  rmSync(work, { recursive: true, force: true });
}
