// The pipeline workload (pipeline freshness) against real servers: a real broker (scripts/kafka-local)
// and a real embedded PostgreSQL. The system under test is a small real pipeline started here: a
// Kafka consumer (@platformatic/kafka, in a consumer group) that parses each record's JSON and
// inserts its pb_seq into the sink table. The workload produces at a rate and watches the table:
// the freshness histogram counts every record, and lost / duplicated at the sink catch a record
// the pipeline deliberately drops and one it deliberately inserts twice.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { Consumer, MessagesStreamModes, stringDeserializers } from "@platformatic/kafka";
import pg from "pg";
import type { ConnectContext, Connection, PreparedWorkload } from "../../../src/drivers/driver.js";
import { kafka } from "../../../src/drivers/kafka/index.js";
import type { KafkaWorkload } from "../../../src/drivers/kafka/schema.js";
import { LoadProfile } from "../../../src/engine/load.js";
import { UsageError } from "../../../src/errors.js";
import { runScenario } from "../../../src/engine/run-scenario.js";
import { useKafkaBroker } from "../../helpers/kafka.js";
import { useEmbeddedPostgres } from "../../helpers/postgres.js";

const broker = useKafkaBroker();
const postgres = useEmbeddedPostgres();

const lines: string[] = [];
// As a suite with a postgres target `pg` would resolve `{{targets.pg.url}}`.
const ctx: ConnectContext = { name: "k", suiteDir: process.cwd(), log: (line) => lines.push(line), resolveRef: (ref) => (ref === "targets.pg.url" ? postgres.url : undefined) };
const workload = (input: Record<string, unknown>): KafkaWorkload => kafka.workloadSchema.parse(input);

let connecting: Promise<Connection<KafkaWorkload>> | undefined;
const connection = (): Promise<Connection<KafkaWorkload>> => (connecting ??= kafka.connect(kafka.targetSchema.parse({ kind: "kafka", brokers: broker.bootstrap }), ctx));
after(async () => {
  await (await connecting?.catch(() => undefined))?.close();
});

interface Faults {
  /** The pipeline drops the record with this pb_seq (never inserts it). */
  readonly dropSeq?: number;
  /** The pipeline inserts the record with this pb_seq twice. */
  readonly duplicateSeq?: number;
}

/** The system under test: consume `topic` from the earliest offset, insert each pb_seq into `table`. */
async function startPipeline(topic: string, table: string, faults: Faults = {}): Promise<{ inserted: () => number; stop: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  const consumer = new Consumer({
    clientId: "sut",
    bootstrapBrokers: [broker.bootstrap],
    groupId: `sut-${randomBytes(4).toString("hex")}`,
    deserializers: stringDeserializers,
    maxWaitTime: 50,
  });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500 });
  let inserted = 0;
  let failure: unknown;
  const loop = (async () => {
    for await (const message of stream) {
      const { pb_seq: seq } = JSON.parse(String(message.value)) as { pb_seq: number };
      if (seq === faults.dropSeq) continue;
      const copies = seq === faults.duplicateSeq ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        await pool.query(`insert into ${table} (pb_seq) values ($1)`, [seq]);
        inserted++;
      }
    }
  })().catch((error: unknown) => (failure = error));
  return {
    inserted: () => inserted,
    async stop() {
      await stream.close().catch(() => undefined);
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await pool.end();
      if (failure !== undefined && !/close|abort/i.test(String(failure))) throw failure;
    },
  };
}

async function run(prepared: PreparedWorkload, settleTimeoutMs: number) {
  try {
    return await runScenario({
      load: LoadProfile.parse({ executor: "constant-rate", rate: 100, duration: "3s" }),
      operation: prepared.run,
      concurrencyHint: prepared.concurrencyHint ?? 1,
      observe: prepared,
      settleTimeoutMs,
    });
  } finally {
    await prepared.close?.();
  }
}

describe("pipeline (Kafka → consumer → PostgreSQL)", () => {
  test("100 records/s for 3 s: every record becomes queryable once; the freshness histogram counts them all", { timeout: 90_000 }, async () => {
    const topic = "pipe-clean";
    await postgres.sql("create table sink_clean (pb_seq bigint not null, at timestamptz not null default clock_timestamp())");
    await postgres.sql("create index on sink_clean (pb_seq)");
    const prepared = await (await connection()).prepare(workload({ type: "pipeline", topic, partitions: 2, recordSize: 200, sink: { kind: "postgres", url: "{{targets.pg.url}}", table: "sink_clean" } }), "clean");
    assert.equal(prepared.observes, "freshness");
    const sut = await startPipeline(topic, "sink_clean");
    let r;
    try {
      r = await run(prepared, 20_000);
    } finally {
      await sut.stop();
    }
    assert.equal(r.status, "completed", r.failure);
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.equal(r.records, 300);
    assert.deepEqual(r.counters, { lost: 0, duplicated: 0 });
    assert.equal(r.observed?.name, "freshness");
    const f = r.observed?.latency;
    assert.equal(f?.count, 300);
    assert.ok(f !== undefined && f.min > 0 && f.max < 10_000, `freshness ${JSON.stringify(f)}`);
    const [{ n }] = (await postgres.sql<{ n: string }>("select count(*) as n from sink_clean")) as [{ n: string }];
    assert.equal(Number(n), 300);
    console.log(`freshness: ${JSON.stringify(f)}`);
    assert.ok(lines.some((l) => /pipeline pipe-clean → sink_clean: 300 sent, 300 acked, 0 failed sends, 300 visible, 0 lost, 0 duplicated/.test(l)), lines.join("\n"));
  });

  test("the pipeline drops one record and inserts another twice: lost 1, duplicated 1", { timeout: 90_000 }, async () => {
    const topic = "pipe-faulty";
    await postgres.sql("create table sink_faulty (pb_seq bigint not null)");
    // A row from an earlier run: this run's sequence numbers start above it.
    await postgres.sql("insert into sink_faulty values (999)");
    const prepared = await (await connection()).prepare(workload({ type: "pipeline", topic, sink: { kind: "postgres", url: postgres.url, table: "sink_faulty", pollEvery: "20ms" } }), "faulty");
    const sut = await startPipeline(topic, "sink_faulty", { dropSeq: 1000 + 37, duplicateSeq: 1000 + 142 });
    const started = performance.now();
    let r;
    try {
      // The settle runs out (one record never arrives): long enough for every other record to pass
      // broker, consumer and PostgreSQL on a loaded machine, or the late ones count as lost too.
      r = await run(prepared, 8_000);
    } finally {
      await sut.stop();
    }
    const took = performance.now() - started;
    assert.ok(took < 20_000, `3 s of load and an 8 s settle took ${Math.round(took)} ms`);
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.equal(r.records, 300);
    assert.equal(sut.inserted(), 300, "299 records inserted once, one twice");
    assert.deepEqual(r.counters, { lost: 1, duplicated: 1 });
    assert.equal(r.observed?.latency.count, 299, "the dropped record never arrives; the duplicate is recorded once");
  });

  test("a sink table that is not there is a suite mistake, the hint naming sink.table and sink.idColumn", async () => {
    await assert.rejects(
      (await connection()).prepare(workload({ type: "pipeline", topic: "pipe-missing", sink: { kind: "postgres", url: "{{targets.pg.url}}", table: "no_such_sink" } }), "missing"),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^pipeline pipe-missing → no_such_sink: relation "no_such_sink" does not exist$/);
        assert.match(error.hint ?? "", /^check scenarios\.missing\.workload\.sink\.table \(no_such_sink\) and sink\.idColumn \(pb_seq\)/);
        return true;
      },
    );
  });

  test("a sink url naming a target with no url is refused, with what to name", async () => {
    await assert.rejects(
      (await connection()).prepare(workload({ type: "pipeline", topic: "pipe-ref", sink: { kind: "postgres", url: "{{targets.nope.url}}", table: "t" } }), "ref"),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, "workload.sink.url refers to {{targets.nope.url}}, which has no value");
        assert.match(error.hint ?? "", /^name a target of this suite that has a url/);
        return true;
      },
    );
  });
});

describe("pipeline workload schema", () => {
  test("defaults", () => {
    const w = workload({ type: "pipeline", topic: "t", sink: { kind: "postgres", url: "postgres://x/y", table: "public.events" } });
    assert.deepEqual(w, { type: "pipeline", topic: "t", seed: 1, sink: { kind: "postgres", url: "postgres://x/y", table: "public.events", idColumn: "pb_seq", pollEvery: 50 } });
    assert.equal((workload({ type: "pipeline", topic: "t", sink: { kind: "postgres", url: "u", table: "e", pollEvery: "1s" } }) as { sink: { pollEvery: number } }).sink.pollEvery, 1_000);
  });

  test("a table name that is not a plain identifier is refused", () => {
    assert.throws(() => workload({ type: "pipeline", topic: "t", sink: { kind: "postgres", url: "u", table: 'e"; drop table x; --' } }), /table name/);
  });
});
