// Connecting a kafka target: ask the bootstrap brokers for the cluster's metadata (bounded: 10 s,
// not the client's retry-for-minutes), check that every broker the cluster advertises is reachable
// from here (the classic advertised.listeners trap), create the target's topics. Anything that
// stops us from talking to the cluster becomes one TargetUnreachable line naming host:port and what
// to check; later failures of single operations are the engine's to count.
import { createConnection } from "node:net";
import { Admin, type ClusterMetadata } from "@platformatic/kafka";
import type { ConnectContext, Connection, PreparedWorkload, WorkloadProblem } from "../driver.js";
import { TargetFailed, TargetUnreachable, UsageError } from "../../errors.js";
import { kafkaAdminProbe, type KafkaGroupWatch } from "../../probes/kafka-admin.js";
import type { Probe } from "../../probes/probe.js";
import { baseOptions, CONNECT_TIMEOUT_MS, ensureTopic } from "./admin.js";
import { prepareConsume } from "./consume.js";
import { prepareEndToEnd } from "./end-to-end.js";
import { errorTree, kafkaErrorDetail, socketErrorCode } from "./errors.js";
import { keyTemplateProblem } from "./key-template.js";
import { prepareProduce, type RecordCounter } from "./produce.js";
import type { KafkaTarget, KafkaWorkload } from "./schema.js";

/** One entry of the ApiVersions response, as the client's listApis() returns it. */
export interface ApiVersionsResponseApi {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
}

export async function connectKafka(target: KafkaTarget, ctx: ConnectContext): Promise<Connection<KafkaWorkload>> {
  // No retries: an unreachable cluster should say so within the bound, not after minutes.
  const admin = new Admin(baseOptions(target, "admin", CONNECT_TIMEOUT_MS, 0));
  let metadata: ClusterMetadata;
  let apis: ApiVersionsResponseApi[] = [];
  try {
    metadata = await withDeadline(admin.metadata({ topics: [] }), CONNECT_TIMEOUT_MS + 1_000);
    await checkAdvertised(metadata, target, ctx.name);
    apis = await admin.listApis().catch(() => []);
  } catch (error) {
    await admin.close().catch(() => undefined);
    if (error instanceof TargetUnreachable) throw error;
    throw unreachable(error, target.brokers, ctx.name);
  }
  try {
    for (const [name, spec] of Object.entries(target.topics)) await ensureTopic(admin, name, spec, (line) => ctx.log(`${ctx.name}: ${line}`));
  } catch (error) {
    await admin.close().catch(() => undefined);
    if (error instanceof UsageError) {
      throw new UsageError(`targets.${ctx.name}.topics: ${error.message}`, { ...(error.hint === undefined ? {} : { hint: error.hint }), cause: error });
    }
    throw new TargetFailed(ctx.name, `targets.${ctx.name}.topics: ${(error as Error).message}`, {
      hint: "check the topic's partitions, replicationFactor (at most the number of brokers) and config names",
      cause: error,
    });
  }
  return kafkaConnection({ target, ctx, admin, metadata, apis });
}

interface ConnectionParts {
  target: KafkaTarget;
  ctx: ConnectContext;
  admin: Admin;
  metadata: ClusterMetadata;
  apis: readonly ApiVersionsResponseApi[];
}

function kafkaConnection({ target, ctx, admin, metadata, apis }: ConnectionParts): Connection<KafkaWorkload> {
  const log = (line: string): void => ctx.log(`${ctx.name}: ${line}`);
  // Topics and groups this connection has used: what the kafka-admin probe describes.
  const topics = new Set(Object.keys(target.topics));
  const groups = new Map<string, KafkaGroupWatch>();
  // Record counters outlive one scenario: a later scenario (or trial) producing the same topic
  // from the same generator and seed continues where the last stopped instead of repeating.
  const counters = new Map<string, RecordCounter>();
  const probes: (Probe & { close(): Promise<void> })[] = [];
  let closing: Promise<void> | undefined;

  return {
    info: { version: describeCluster(metadata, apis), url: target.brokers.join(",") },
    async prepare(workload: KafkaWorkload, scenario: string): Promise<PreparedWorkload> {
      topics.add(workload.topic);
      if (workload.type === "produce") {
        const problem = keyTemplateProblem(workload);
        if (problem) throw workloadMistake(problem, scenario);
        const spec = target.topics[workload.topic] ?? {};
        await ensureTopic(admin, workload.topic, workload.partitions === undefined ? spec : { ...spec, partitions: workload.partitions }, log);
        const key = `${workload.topic}\u0000${workload.generator ?? ""}\u0000${workload.seed}`;
        let counter = counters.get(key);
        if (!counter) counters.set(key, (counter = { next: 0 }));
        return prepareProduce({ target, workload, counter, log });
      }
      if (workload.type === "end-to-end") {
        const problem = keyTemplateProblem(workload);
        if (problem) throw workloadMistake(problem, scenario);
        const spec = target.topics[workload.topic] ?? {};
        await ensureTopic(admin, workload.topic, workload.partitions === undefined ? spec : { ...spec, partitions: workload.partitions }, log);
        return prepareEndToEnd({ target, workload, scenario, log });
      }
      if (workload.type === "pipeline") {
        const problem = keyTemplateProblem(workload);
        if (problem) throw workloadMistake(problem, scenario);
        // The sink's url may name another target's: `{{targets.pg.url}}` (an embedded PostgreSQL).
        const url = substituteSinkRefs(workload.sink.url, ctx);
        await ensureTopic(admin, workload.topic, { ...(target.topics[workload.topic] ?? {}), ...(workload.partitions === undefined ? {} : { partitions: workload.partitions }) }, log);
        return (await import("./pipeline.js")).preparePipeline({ target, workload: { ...workload, sink: { ...workload.sink, url } }, scenario, log });
      }
      return prepareConsume({ target, workload, scenario, log, onGroup: (group, watch) => groups.set(group, watch) });
    },
    probe(kind: string): Probe | undefined {
      if (kind !== "kafka-admin") return undefined;
      const probe = kafkaAdminProbe({
        brokers: target.brokers,
        clientId: `${target.clientId}-probe`,
        topics: () => [...topics],
        groups: () => new Map(groups),
      });
      probes.push(probe);
      return probe;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all(probes.map((p) => p.close()));
        await admin.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}

/** A problem of the workload's (a field it names, what is wrong, how to fix it) as the suite's mistake. */
function workloadMistake(problem: WorkloadProblem, scenario: string): UsageError {
  return new UsageError(problem.message, { hint: `scenarios.${scenario}.workload.${problem.path}: ${problem.fix}` });
}

/** Replaces `{{targets.NAME.url}}` in a pipeline's sink url with that target's url. */
export function substituteSinkRefs(url: string, ctx: Pick<ConnectContext, "resolveRef">): string {
  return url.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, ref: string) => {
    const resolved = ctx.resolveRef(ref);
    if (resolved === undefined) {
      throw new UsageError(`workload.sink.url refers to {{${ref}}}, which has no value`, {
        hint:
          "name a target of this suite that has a url and is connected for this run (one a scenario or a probe uses), " +
          "e.g. {{targets.pg.url}} for a postgres target pg with a postgres-stats probe",
      });
    }
    return resolved;
  });
}

/** e.g. "Apache Kafka, cluster Q1…, 3 brokers (Produce v12, Fetch v17)". The protocol does not carry the release. */
function describeCluster(metadata: ClusterMetadata, apis: readonly ApiVersionsResponseApi[]): string {
  const max = (name: string): string => {
    const api = apis.find((a) => a.name === name);
    return api === undefined ? "" : `${name} v${api.maxVersion}`;
  };
  const versions = [max("Produce"), max("Fetch")].filter((v) => v !== "").join(", ");
  const n = metadata.brokers.size;
  return `Apache Kafka, cluster ${metadata.id}, ${n} broker${n === 1 ? "" : "s"}${versions === "" ? "" : ` (${versions})`}`;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Every broker in the metadata must take a TCP connection from here; clients talk to them, not to the bootstrap address. */
async function checkAdvertised(metadata: ClusterMetadata, target: KafkaTarget, name: string): Promise<void> {
  const checks = [...metadata.brokers].map(async ([id, broker]) => {
    const error = await tcpProbe(broker.host, broker.port, 5_000);
    return error === undefined ? undefined : { id, at: hostPort(broker.host, broker.port), error };
  });
  const failed = (await Promise.all(checks)).find((c) => c !== undefined);
  if (failed === undefined) return;
  throw new TargetUnreachable(
    name,
    `the Kafka cluster at ${target.brokers.join(",")} answered, but its broker ${failed.id} advertises ${failed.at}, which this machine cannot reach (${failed.error}): ` +
      `check advertised.listeners on that broker`,
    {
      hint: `clients connect to the advertised address, not the bootstrap one; set advertised.listeners to an address reachable from here (or make its host name resolve here)`,
    },
  );
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: string | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
    socket.once("connect", () => done(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

function hostPort(host: string, port: number | string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One line naming the broker address(es), what went wrong and what to check. */
export function unreachable(error: unknown, brokers: readonly string[], target: string): TargetUnreachable {
  // The client names the address it failed on ("Connection to host:port failed."); else all of them.
  const named = errorTree(error)
    .map((e) => (typeof e.message === "string" ? /Connection to (\S+?) failed/.exec(e.message)?.[1] : undefined))
    .find((a) => a !== undefined);
  const at = named ?? brokers.join(",");
  const code = socketErrorCode(error);
  const where = `targets.${target}.brokers`;
  const fail = (message: string, hint: string): TargetUnreachable => new TargetUnreachable(target, message, { hint, cause: error });
  switch (code) {
    case "ECONNREFUSED":
      return fail(
        `cannot reach Kafka at ${at} (ECONNREFUSED): is the broker running and listening on that port? check ${where}`,
        "start the broker (for a local one: scripts/kafka-local start), or fix the host:port",
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(`cannot resolve the host of Kafka at ${at} (${code}): check the host name in ${where}`, "check for typos and that DNS works from this machine");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return fail(
        `cannot reach Kafka at ${at} (${code}, no answer within ${CONNECT_TIMEOUT_MS / 1000} s): is the host up, is it a Kafka PLAINTEXT listener, and is a firewall in the way? check ${where}`,
        "check the network path and the listener's port (TLS and SASL listeners are not supported yet)",
      );
    default:
      return fail(`cannot connect to Kafka at ${at}${code === undefined ? "" : ` (${code})`}: ${kafkaErrorDetail(error)}; check ${where}`, "check that the broker is up and that the address is a PLAINTEXT listener");
  }
}
