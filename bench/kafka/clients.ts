// bench/kafka/clients.ts: the three Node Kafka clients on one broker, without pipebench's engine, to
// choose the kafka driver's client by measurement (docs/decisions.md, "Kafka client").
//
// For each client, in its own fresh process: produce N records of S random bytes to a new topic
// (acks=all, as fast as the client goes: many sends in flight, batched the way the client batches
// best), wait for every ack, then consume all N back from the beginning with a new group. Prints
// records/s and the client process's CPU seconds (process.cpuUsage, user + system) for each phase;
// rounds rotate the order, and the table shows medians.
//
//   @platformatic/kafka   pure JS. One send() is one Produce request per leader, so the client
//                         batches in the application: sends of `--batch` records, `--in-flight` of
//                         them at once. Consumer: the messages stream from `earliest`.
//   platformatic-fetch    the same producer; the consumer joins its group, then calls the low-level
//                         fetch() in a loop and counts records (no message objects, no stream): the
//                         path the kafka driver's `consume` takes.
//   kafkajs               pure JS, same shape: send() of `--batch` records, `--in-flight` at once.
//                         Consumer: run() with eachBatch.
//   @confluentinc/kafka-javascript   librdkafka. produce() per record (librdkafka batches them, linger.ms 5),
//                         delivery reports per record. Consumer: KafkaConsumer.consume(1000) in a loop.
//
// The candidates are not all project dependencies: point --modules at a node_modules that has them,
// e.g. a scratch install (the librdkafka one builds from source here, see docs/decisions.md):
//   mkdir /tmp/kclients && cd /tmp/kclients && npm init -y &&
//     CKJS_LINKING=dynamic npm install @confluentinc/kafka-javascript @platformatic/kafka kafkajs
//
// Usage: npx tsx bench/kafka/clients.ts --modules /tmp/kclients/node_modules
//          [--bootstrap 127.0.0.1:9092] [--records 200000] [--size 1024] [--rounds 3]
//          [--clients platformatic,platformatic-fetch,kafkajs,confluent] [--batch 500] [--in-flight 5] [--partitions 1]
// Without --bootstrap it starts a broker with scripts/kafka-local and stops it at the end.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    modules: { type: "string" },
    bootstrap: { type: "string" },
    records: { type: "string", default: "200000" },
    size: { type: "string", default: "1024" },
    rounds: { type: "string", default: "3" },
    clients: { type: "string", default: "platformatic,platformatic-fetch,kafkajs,confluent" },
    batch: { type: "string", default: "500" },
    "in-flight": { type: "string", default: "5" },
    partitions: { type: "string", default: "1" },
    // Internal: measure one client on one topic and print one JSON line.
    one: { type: "string" },
    topic: { type: "string" },
  },
});

const CLIENTS = ["platformatic", "platformatic-fetch", "kafkajs", "confluent"] as const;
type ClientName = (typeof CLIENTS)[number];
const PACKAGES: Record<ClientName, string> = {
  platformatic: "@platformatic/kafka",
  "platformatic-fetch": "@platformatic/kafka",
  kafkajs: "kafkajs",
  confluent: "@confluentinc/kafka-javascript",
};

const records = Number(values.records);
const size = Number(values.size);
const batch = Number(values.batch);
const inFlight = Number(values["in-flight"]);
const partitions = Number(values.partitions);

interface Phase {
  seconds: number;
  cpuSeconds: number;
}
interface Measurement {
  client: ClientName;
  version: string;
  produce: Phase;
  consume: Phase;
  /** Milliseconds from subscribing to the first record. */
  firstRecordMs: number;
}

// --- one client, in its own process ---------------------------------------------------------------

/** The few calls of each client the bench makes, typed here: the packages may not be installed. */
type Loose = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function load(client: ClientName): Promise<{ module: Loose; version: string }> {
  const require = createRequire(join(values.modules ?? process.cwd(), "noop.js"));
  const entry = require.resolve(PACKAGES[client]);
  const module: Loose = await import(pathToFileURL(entry).href);
  // The package.json sits above the entry point; walk up to it.
  let dir = entry;
  let version = "?";
  for (let i = 0; i < 5; i++) {
    dir = join(dir, "..");
    try {
      const pkg = require(join(dir, "package.json")) as { name?: string; version?: string };
      if (pkg.name === PACKAGES[client]) {
        version = pkg.version ?? "?";
        break;
      }
    } catch {
      // not here
    }
  }
  return { module, version };
}

function timed<T>(work: () => Promise<T>): Promise<{ result: T; phase: Phase }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return work().then((result) => {
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { result, phase: { seconds, cpuSeconds: (used.user + used.system) / 1e6 } };
  });
}

/** Runs `total` sends of up to `batch` records, `inFlight` at a time. */
async function batchedSends(total: number, send: (count: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const count = Math.min(batch, total - next);
      next += count;
      await send(count);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

async function measurePlatformatic(bootstrap: string, topic: string, payload: Buffer, viaFetch: boolean): Promise<Omit<Measurement, "client">> {
  const { module: k, version } = await load("platformatic");
  const producer = new k.Producer({ clientId: "bench", bootstrapBrokers: [bootstrap], acks: -1, autocreateTopics: false });
  const messages = (count: number) => Array.from({ length: count }, () => ({ topic, value: payload }));
  await producer.send({ messages: messages(1), acks: -1 }); // metadata and connection, not measured
  const produce = await timed(() => batchedSends(records - 1, (count) => producer.send({ messages: messages(count), acks: -1 })));
  await producer.close();

  const consumer = new k.Consumer({ clientId: "bench", groupId: `bench-${topic}`, bootstrapBrokers: [bootstrap], maxBytes: 50 * 1024 * 1024, maxWaitTime: 500 });
  let firstRecordMs = 0;
  if (viaFetch) {
    const consume = await timed(async () => {
      const started = performance.now();
      await consumer.joinGroup({});
      const metadata = await consumer.metadata({ topics: [topic] });
      const t = metadata.topics.get(topic);
      const offsets: bigint[] = t.partitions.map(() => 0n);
      let seen = 0;
      while (seen < records) {
        // One fetch per leader; every partition of this single-broker topic has the same leader.
        const response = await consumer.fetch({
          node: t.partitions[0].leader,
          topics: [{ topicId: t.id, partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })) }],
          maxWaitTime: 500,
          maxBytes: 50 * 1024 * 1024,
          minBytes: 1,
        });
        for (const topicResponse of response.responses) {
          for (const p of topicResponse.partitions) {
            for (const b of p.records ?? []) {
              offsets[p.partitionIndex] = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
              if (seen === 0) firstRecordMs = performance.now() - started;
              seen += b.records.length;
            }
          }
        }
      }
    });
    await consumer.close(true);
    return { version, produce: produce.phase, consume: consume.phase, firstRecordMs };
  }
  const consume = await timed(async () => {
    const started = performance.now();
    // autocommit as an interval: with autocommit off the stream binds a commit() per message.
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: 60_000, maxBytesPerPartition: 1024 * 1024 });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("data", () => {
        if (seen++ === 0) firstRecordMs = performance.now() - started;
        if (seen === records) resolve();
      });
    });
    await stream.close();
  });
  await consumer.close(true);
  return { version, produce: produce.phase, consume: consume.phase, firstRecordMs };
}

async function measureKafkajs(bootstrap: string, topic: string, payload: Buffer): Promise<Omit<Measurement, "client">> {
  const { module: mod, version } = await load("kafkajs");
  const k = mod.default ?? mod;
  const kafka = new k.Kafka({ clientId: "bench", brokers: [bootstrap], logLevel: k.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = (count: number) => Array.from({ length: count }, () => ({ value: payload }));
  await producer.send({ topic, acks: -1, messages: messages(1) });
  const produce = await timed(() => batchedSends(records - 1, (count) => producer.send({ topic, acks: -1, messages: messages(count) })));
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxBytes: 50 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 });
  let firstRecordMs = 0;
  const consume = await timed(async () => {
    const started = performance.now();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch: b }: { batch: { messages: unknown[] } }) => {
            if (seen === 0) firstRecordMs = performance.now() - started;
            seen += b.messages.length;
            if (seen >= records) resolve();
          },
        })
        .catch(reject);
    });
  });
  await consumer.disconnect();
  return { version, produce: produce.phase, consume: consume.phase, firstRecordMs };
}

async function measureConfluent(bootstrap: string, topic: string, payload: Buffer): Promise<Omit<Measurement, "client">> {
  const { module: mod, version } = await load("confluent");
  const k = mod.default ?? mod;
  const producer = new k.Producer({ "bootstrap.servers": bootstrap, "client.id": "bench", acks: "all", dr_cb: true, "linger.ms": 5 });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error: unknown) => (error ? reject(error) : resolve())));
  producer.setPollInterval(1);
  let acked = 0;
  let failed: unknown;
  let onAck: (() => void) | undefined;
  producer.on("delivery-report", (error: unknown) => {
    if (error) failed = error;
    acked++;
    onAck?.();
  });
  const produceAll = async (count: number): Promise<void> => {
    const target = acked + count;
    const done = new Promise<void>((resolve) => {
      onAck = () => {
        if (acked >= target) resolve();
      };
    });
    for (let i = 0; i < count; ) {
      try {
        producer.produce(topic, null, payload, null, Date.now());
        i++;
      } catch (error) {
        // Local queue full (queue.buffering.max.messages): let delivery reports drain it.
        if ((error as { code?: number }).code !== k.CODES.ERRORS.ERR__QUEUE_FULL) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    await done;
    if (failed) throw failed;
  };
  await produceAll(1);
  const produce = await timed(() => produceAll(records - 1));
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));

  const consumer = new k.KafkaConsumer(
    { "bootstrap.servers": bootstrap, "group.id": `bench-${topic}`, "client.id": "bench", "enable.auto.commit": false },
    { "auto.offset.reset": "earliest" },
  );
  let firstRecordMs = 0;
  const consume = await timed(async () => {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => consumer.connect({}, (error: unknown) => (error ? reject(error) : resolve())));
    consumer.subscribe([topic]);
    let seen = 0;
    while (seen < records) {
      const got = await new Promise<unknown[]>((resolve, reject) =>
        consumer.consume(1000, (error: unknown, messages: unknown[]) => (error ? reject(error) : resolve(messages))),
      );
      if (seen === 0 && got.length > 0) firstRecordMs = performance.now() - started;
      seen += got.length;
    }
  });
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  return { version, produce: produce.phase, consume: consume.phase, firstRecordMs };
}

async function measureOne(client: ClientName, bootstrap: string, topic: string): Promise<Measurement> {
  const payload = randomBytes(size);
  const measured =
    client === "platformatic" || client === "platformatic-fetch"
      ? await measurePlatformatic(bootstrap, topic, payload, client === "platformatic-fetch")
      : client === "kafkajs"
        ? await measureKafkajs(bootstrap, topic, payload)
        : await measureConfluent(bootstrap, topic, payload);
  return { client, ...measured };
}

// --- the driver process: broker, topics, rounds, table ---------------------------------------------

const KAFKA_LOCAL = fileURLToPath(new URL("../../scripts/kafka-local", import.meta.url));

function kafkaLocal(args: string[]): string {
  const r = spawnSync(KAFKA_LOCAL, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`scripts/kafka-local ${args.join(" ")} failed`);
  return r.stdout;
}

function createTopic(bootstrap: string, topic: string): void {
  kafkaLocal(["run", "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--create", "--topic", topic, "--partitions", String(partitions), "--replication-factor", "1"]);
}

function runChild(client: ClientName, bootstrap: string, topic: string): Promise<Measurement> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), "--one", client, "--bootstrap", bootstrap, "--topic", topic,
    "--records", String(records), "--size", String(size), "--batch", String(batch), "--in-flight", String(inFlight)];
  if (values.modules !== undefined) args.push("--modules", values.modules);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`${client} failed (exit ${code}): ${out}`));
      else resolve(JSON.parse(line) as Measurement);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  if (values.one !== undefined) {
    const m = await measureOne(values.one as ClientName, values.bootstrap ?? "", values.topic ?? "");
    console.log(JSON.stringify(m));
    process.exit(0); // some clients keep timers alive after close
  }
  const clients = (values.clients ?? "").split(",").filter((c): c is ClientName => (CLIENTS as readonly string[]).includes(c));
  let bootstrap = values.bootstrap;
  let ownBroker: string | undefined;
  if (bootstrap === undefined) {
    const started = kafkaLocal(["start"]);
    const m = /^bootstrap=(\S+) dir=(\S+)/m.exec(started);
    if (!m) throw new Error(`no bootstrap line from scripts/kafka-local start: ${started}`);
    bootstrap = m[1]!;
    ownBroker = m[2]!;
  }
  const results: Measurement[] = [];
  try {
    const rounds = Number(values.rounds);
    const run = `${Date.now().toString(36)}`;
    for (let round = 0; round < rounds; round++) {
      const order = clients.map((_, i) => clients[(i + round) % clients.length]!);
      for (const client of order) {
        const topic = `clients-${run}-${client}-${round}`;
        createTopic(bootstrap, topic);
        const m = await runChild(client, bootstrap, topic);
        results.push(m);
        const rate = (p: Phase) => Math.round(records / p.seconds);
        console.error(
          `round ${round + 1} ${client.padEnd(12)} produce ${rate(m.produce)} rec/s, ${m.produce.cpuSeconds.toFixed(2)} s CPU; ` +
            `consume ${rate(m.consume)} rec/s, ${m.consume.cpuSeconds.toFixed(2)} s CPU (first record after ${Math.round(m.firstRecordMs)} ms)`,
        );
      }
    }
  } finally {
    if (ownBroker !== undefined) kafkaLocal(["stop", "--dir", ownBroker]);
  }

  const mib = (records * size) / (1024 * 1024);
  console.log(`\n${records} records × ${size} B, acks=all, ${partitions} partition(s), medians of ${values.rounds} rounds:\n`);
  console.log("| client | version | produce rec/s | produce MB/s | produce CPU s | consume rec/s | consume MB/s | consume CPU s |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const client of clients) {
    const mine = results.filter((r) => r.client === client);
    if (mine.length === 0) continue;
    const p = median(mine.map((r) => r.produce.seconds));
    const c = median(mine.map((r) => r.consume.seconds));
    console.log(
      `| ${client === "platformatic-fetch" ? "@platformatic/kafka (fetch loop)" : PACKAGES[client]} | ${mine[0]!.version} | ${Math.round(records / p)} | ${(mib / p).toFixed(1)} | ${median(mine.map((r) => r.produce.cpuSeconds)).toFixed(2)} | ` +
        `${Math.round(records / c)} | ${(mib / c).toFixed(1)} | ${median(mine.map((r) => r.consume.cpuSeconds)).toFixed(2)} |`,
    );
  }
}

await main();
