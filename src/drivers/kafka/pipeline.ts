// `pipeline` workloads: pipeline freshness. Operations produce records to Kafka (one record per
// operation, through the produce path's RecordBatcher) while a watcher polls the pipeline's sink, a
// PostgreSQL table, until each record is queryable there. The latency recorded is produce →
// queryable ("freshness"), as end-to-end.ts records produce → consumed: the record carries its
// sequence number and send stamp (observer.wallNow()), and the stamp goes back to observer.arrived
// when the sequence number shows up in the sink.
//
// The record value is JSON, so that any pipeline can parse it:
//   {"pb_seq":123,"pb_sent":1732222222123.4, …generator fields, or "pb_pad":"…" up to recordSize}
// The pipeline must copy pb_seq into a bigint column of the sink table (`idColumn`, default pb_seq).
// The send stamps stay in this process's memory (by sequence number), so the sink need not store
// them; with `sentColumn` the sink's copy of pb_sent is used instead.
//
// Sequence numbers start above the largest one already in the table (read at prepare), so runs
// against the same table do not see each other's rows. The watcher keeps its queries cheap (with an
// index on idColumn): each poll asks for rows above the highest sequence number seen so far, plus
// the sequence numbers below it still missing (a pipeline with several partitions or workers
// inserts out of order); when too many are missing it scans from the lowest missing one instead.
//
// settle waits until every acked record is visible (or the timeout), then counts:
//   - lost: acked (acks 0: sent without error) but never visible in the sink;
//   - duplicated: sequence numbers of this run visible in more than one row (count(*) > 1).
import { randomBytes } from "node:crypto";
import { murmur2, Producer } from "@platformatic/kafka";
import pg from "pg";
import { generators } from "../../data/index.js";
import { UsageError } from "../../errors.js";
import type { Observer, OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import { baseOptions } from "./admin.js";
import { RecordBatcher } from "./batcher.js";
import { compileKeyTemplate } from "./key-template.js";
import { checkProducerSettings } from "./producer-checks.js";
import type { KafkaTarget, PipelineWorkload } from "./schema.js";
import { UNDEFINED_COLUMN, UNDEFINED_TABLE } from "../postgres/errors.js";

export interface PipelineParts {
  readonly target: KafkaTarget;
  readonly workload: PipelineWorkload;
  readonly scenario: string;
  readonly log: (line: string) => void;
}

/** Missing sequence numbers asked for by value at most; beyond, the watcher scans from the lowest. */
const MAX_MISSING_BY_VALUE = 10_000;
/** Rows one poll reads at most (the rest on the next poll). */
const POLL_LIMIT = 50_000;

const ACKED = 1;
const FAILED = 2;
const SEEN = 4;

/** Per sequence number (relative to the run's base): state bits and the send stamp. */
class Book {
  state = new Uint8Array(1 << 12);
  sent = new Float64Array(1 << 12);
  /** Sequence numbers assigned so far (relative). */
  next = 0;
  /** Acked and not yet seen. */
  waiting = 0;
  /** Distinct sequence numbers seen in the sink. */
  seen = 0;
  acked = 0;
  failed = 0;
  /** Every relative sequence number below this one is seen. */
  low = 0;
  /** The highest relative sequence number seen, −1 before any. */
  high = -1;

  assign(stamp: number): number {
    const seq = this.next++;
    if (seq >= this.state.length) {
      const size = this.state.length * 2;
      const state = new Uint8Array(size);
      state.set(this.state);
      this.state = state;
      const sent = new Float64Array(size);
      sent.set(this.sent);
      this.sent = sent;
    }
    this.sent[seq] = stamp;
    return seq;
  }

  ack(seq: number): void {
    const s = this.state[seq]!;
    if ((s & (ACKED | FAILED)) !== 0) return;
    this.state[seq] = s | ACKED;
    this.acked++;
    if ((s & SEEN) === 0) this.waiting++;
  }

  fail(seq: number): void {
    const s = this.state[seq]!;
    if ((s & (ACKED | FAILED)) !== 0) return;
    this.state[seq] = s | FAILED;
    this.failed++;
  }

  /** True the first time `seq` is seen. */
  see(seq: number): boolean {
    if (seq < 0 || seq >= this.next) return false;
    const s = this.state[seq]!;
    if ((s & SEEN) !== 0) return false;
    this.state[seq] = s | SEEN;
    this.seen++;
    if ((s & ACKED) !== 0) this.waiting--;
    if (seq > this.high) this.high = seq;
    while (this.low < this.next && (this.state[this.low]! & SEEN) !== 0) this.low++;
    return true;
  }

  /** Unseen sequence numbers between low and high, up to `limit` (+1 to tell "more"). */
  missingBelowHigh(limit: number): number[] {
    const out: number[] = [];
    for (let seq = this.low; seq < this.high && out.length <= limit; seq++) if ((this.state[seq]! & SEEN) === 0) out.push(seq);
    return out;
  }

  lost(): number {
    let lost = 0;
    for (let seq = 0; seq < this.next; seq++) if ((this.state[seq]! & (ACKED | SEEN)) === ACKED) lost++;
    return lost;
  }
}

/** "a.b" → "a"."b" (the schema's regexes already refuse quotes). */
function quoteName(name: string): string {
  return name
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
}

export async function preparePipeline({ target, workload, scenario, log }: PipelineParts): Promise<PreparedWorkload> {
  const settings = target.producer;
  const topic = workload.topic;
  const sink = workload.sink;
  const acks = workload.acks ?? settings.acks;
  checkProducerSettings(settings, acks);
  const maxInFlight = settings.idempotent ? 1 : settings.maxInFlight;
  const table = quoteName(sink.table);
  const id = quoteName(sink.idColumn);
  const sent = sink.sentColumn === undefined ? undefined : quoteName(sink.sentColumn);

  // The watcher's own small pool: one poll at a time, plus one for settle's count.
  const pool = new pg.Pool({ connectionString: sink.url, max: 2, connectionTimeoutMillis: 10_000, application_name: `pipebench-pipeline-${scenario}`.slice(0, 63) });
  pool.on("error", () => undefined); // an idle client's error; the next query reports it
  const producer = new Producer({
    ...baseOptions(target, "pipeline-producer", settings.requestTimeoutMs, settings.retries, settings.retryBackoffMs),
    metadataMaxAge: settings.metadataMaxAgeMs,
    maxInflights: maxInFlight,
    idempotent: settings.idempotent,
    ...(settings.compression === "none" ? {} : { compression: settings.compression }),
  });

  let base: number;
  let partitions = 0;
  try {
    // Where this run's sequence numbers start: above every one already in the sink.
    const { rows } = await pool.query<{ next: string }>(`select coalesce(max(${id}), -1) + 1 as next from ${table}`);
    base = Number(rows[0]?.next ?? 0);
    const metadata = await producer.metadata({ topics: [topic] });
    const described = metadata.topics.get(topic);
    partitions = described?.partitionsCount ?? 0;
    if (partitions === 0) throw new Error(`topic ${topic} has no partitions`);
    await producer.connectToBrokers([...new Set(described?.partitions.map((p) => p.leader) ?? [])]);
  } catch (error) {
    await producer.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    const message = `pipeline ${topic} → ${sink.table}: ${(error as Error).message}`;
    // The sink has no such table or id column: the suite names the wrong one (or the pipeline has not made it yet).
    const code = (error as { code?: unknown }).code;
    if (code === UNDEFINED_TABLE || code === UNDEFINED_COLUMN) {
      throw new UsageError(message, {
        hint: `check scenarios.${scenario}.workload.sink.table (${sink.table}) and sink.idColumn (${sink.idColumn}): the table must be in the sink database before the run, e.g. made in a postgres target's setup:`,
        cause: error,
      });
    }
    throw new Error(message, { cause: error });
  }
  log(`pipeline ${topic} → ${sink.table}: ${partitions} partition${partitions === 1 ? "" : "s"}, sequence numbers from ${base}, sink polled every ${sink.pollEvery} ms`);

  const batcher = new RecordBatcher<null>(producer, { topic, acks, batchBytes: Math.max(1, Math.min(settings.batchSize, settings.maxRequestSize)), lingerMs: settings.lingerMs, maxInFlight, bufferBytes: settings.bufferMemory }, null);

  // The record: {"pb_seq":…,"pb_sent":…} then the generator's fields or padding.
  let record: (seq: number, stamp: number, i: number) => { value: Buffer; key: Buffer | undefined; hash: number | undefined };
  if (workload.generator === undefined) {
    const size = workload.recordSize ?? 0;
    const pad = size > 0 ? randomBytes(Math.ceil(size / 2)).toString("hex") : "";
    record = (seq, stamp) => {
      const head = `{"pb_seq":${seq},"pb_sent":${stamp}`;
      const room = size - head.length - ',"pb_pad":""}'.length;
      const json = room > 0 ? `${head},"pb_pad":"${pad.slice(0, room)}"}` : `${head}}`;
      return { value: Buffer.from(json), key: undefined, hash: undefined };
    };
  } else {
    const source = generators[workload.generator].create(workload.seed);
    const keyOf = workload.key === undefined || workload.key === "" ? undefined : compileKeyTemplate(workload.key);
    record = (seq, stamp, i) => {
      const object = source.object(i);
      const json = JSON.stringify({ pb_seq: seq, pb_sent: stamp, ...object });
      const value = Buffer.from(json);
      if (keyOf === undefined) return { value, key: undefined, hash: undefined };
      const key = Buffer.from(keyOf(object));
      return { value, key, hash: murmur2(key) & 0x7fffffff };
    };
  }

  const book = new Book();
  let observer: Observer | undefined;
  const stop = new AbortController();
  let watching: Promise<void> | undefined;
  let pollErrors = 0;
  let lastPollError: unknown;
  let polls = 0;

  const run = async (ctx: OpContext): Promise<OpOutcome> => {
    if (observer === undefined) throw new Error("pipeline: an operation before attach");
    // With ctx: a warm-up operation that starts late stays on the warm-up side (driver.ts, Observer).
    const stamp = observer.wallNow(ctx);
    const seq = book.assign(stamp);
    const { value, key, hash } = record(base + seq, stamp, seq);
    try {
      await batcher.add({ key, value, partition: hash ?? (base + seq) % partitions });
    } catch (error) {
      book.fail(seq);
      throw error;
    }
    book.ack(seq);
    return { records: 1, bytes: value.length + (key?.length ?? 0) };
  };

  /** One poll: rows above the highest seen, and the missing ones below it. */
  const poll = async (obs: Observer): Promise<void> => {
    if (book.next === 0) return;
    const missing = book.missingBelowHigh(MAX_MISSING_BY_VALUE);
    const columns = sent === undefined ? `${id} as id` : `${id} as id, ${sent} as sent`;
    const upper = base + book.next;
    let text: string;
    let values: unknown[];
    if (missing.length > MAX_MISSING_BY_VALUE) {
      // Too many to name: scan from the lowest missing one.
      text = `select ${columns} from ${table} where ${id} >= $1 and ${id} < $2 order by ${id} limit ${POLL_LIMIT}`;
      values = [base + book.low, upper];
    } else {
      text = `select ${columns} from ${table} where (${id} > $1 and ${id} < $2) or ${id} = any($3::bigint[]) order by ${id} limit ${POLL_LIMIT}`;
      values = [base + book.high, upper, missing.map((m) => base + m)];
    }
    const { rows } = await pool.query<{ id: string; sent?: number | string | null }>({ text, values });
    polls++;
    for (const row of rows) {
      const seq = Number(row.id) - base;
      if (!book.see(seq)) continue;
      const stamp = row.sent === undefined || row.sent === null ? book.sent[seq]! : Number(row.sent);
      obs.arrived(stamp);
    }
  };

  const watch = async (obs: Observer): Promise<void> => {
    const signal = stop.signal;
    while (!signal.aborted) {
      const started = performance.now();
      try {
        await poll(obs);
      } catch (error) {
        if (signal.aborted) return;
        pollErrors++;
        lastPollError = error;
      }
      const wait = sink.pollEvery - (performance.now() - started);
      if (wait > 0) await sleep(wait, signal);
    }
  };

  let closing: Promise<void> | undefined;
  return {
    run,
    concurrencyHint: 256,
    observes: "freshness",
    attach(obs: Observer): void {
      observer = obs;
      for (const name of ["lost", "duplicated"]) obs.count(name, 0);
      watching = watch(obs);
    },
    async settle(timeoutMs: number): Promise<Record<string, number>> {
      const deadline = performance.now() + timeoutMs;
      await Promise.race([batcher.idle(), sleep(timeoutMs)]);
      // Leave room for the duplicate count before the engine stops waiting.
      const waitUntil = deadline - Math.min(500, timeoutMs / 4);
      while (book.waiting > 0 && performance.now() < waitUntil) await sleep(Math.min(10, Math.max(1, waitUntil - performance.now())));
      stop.abort();
      await watching?.catch(() => undefined);
      // A last look, so that a record made visible during the final poll interval is not counted lost.
      if (book.waiting > 0 && observer !== undefined) await poll(observer).catch(() => undefined);
      const lost = book.lost();
      let duplicated = 0;
      try {
        const { rows } = await pool.query<{ n: string }>({
          text: `select count(*) as n from (select ${id} from ${table} where ${id} >= $1 and ${id} < $2 group by ${id} having count(*) > 1) d`,
          values: [base, base + book.next],
          query_timeout: Math.max(1_000, deadline - performance.now() + 500),
        } as pg.QueryConfig);
        duplicated = Number(rows[0]?.n ?? 0);
      } catch (error) {
        pollErrors++;
        lastPollError = error;
      }
      log(
        `pipeline ${topic} → ${sink.table}: ${book.next} sent, ${book.acked} acked, ${book.failed} failed sends, ${book.seen} visible, ` +
          `${lost} lost, ${duplicated} duplicated (${polls} polls` +
          (pollErrors > 0 ? `, ${pollErrors} query errors, last: ${(lastPollError as Error)?.message ?? String(lastPollError)}` : "") +
          ")",
      );
      return { lost, duplicated };
    },
    close(): Promise<void> {
      closing ??= (async () => {
        stop.abort();
        await batcher.close().catch(() => undefined);
        await producer.close().catch(() => undefined);
        await watching?.catch(() => undefined);
        await pool.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
