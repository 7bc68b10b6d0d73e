// pipebench's side of the load agent (agent.ts): listen on a loopback port, submit the agent as a
// Ray job whose entrypoint carries its source, wait for it to connect back, then send one request
// line per task and settle each promise when its answer comes. Submitting and waiting happen in
// connect, before any scenario: outside every measured interval.
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { AGENT_PY } from "./agent.js";
import type { RayDashboard } from "./jobs.js";
import { networkCode } from "../unreachable.js";

/** A task that failed on the cluster: its Ray error class ("RayTaskError(ZeroDivisionError)"). */
export class RayTaskFailure extends Error {
  constructor(
    readonly rayClass: string,
    message: string,
    readonly rayMs: number,
  ) {
    super(`${rayClass}: ${message}`);
    this.name = "RayTaskFailure";
  }
}

/** The agent's connection is gone (its job stopped, the head died). `code`: the network class it counts as. */
export class AgentLost extends Error {
  constructor(
    message: string,
    readonly code: string = "ECONNRESET",
  ) {
    super(message);
    this.name = "AgentLost";
  }
}

/** How often the head's dashboard is asked whether it is alive while the agent is connected. */
const HEARTBEAT_MS = 1_000;
/** Refusals in a row that mean the head is gone (nothing listens), and other failures in a row
 * (timeouts: a dashboard on a busy machine can take seconds, so only ~30 s of silence counts). */
const REFUSED_LIMIT = 2;
const FAILURE_LIMIT = 6;
const HEARTBEAT_TIMEOUT_MS = 5_000;

export interface FunctionDef {
  readonly kind: "noop" | "cpu" | "io" | "python";
  readonly cpus: number;
  readonly module?: string;
  readonly source?: string;
  readonly function?: string;
}

interface Waiter {
  resolve(rayMs: number): void;
  reject(error: Error): void;
}

export interface AgentHello {
  readonly ray: string;
  /** The job's id in hex (the State API's job_id), e.g. "03000000". */
  readonly job: string;
  readonly pid: number;
}

export class AgentClient {
  private next = 0;
  private readonly waiters = new Map<number, Waiter>();
  private readonly defs = new Map<string, { resolve(): void; reject(e: Error): void }>();
  private buffer = "";
  private lost: AgentLost | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly socket: Socket,
    private readonly server: Server,
    readonly submissionId: string,
    readonly hello: AgentHello,
    private readonly dashboard: RayDashboard,
  ) {
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", () => this.fail("the Ray load agent's connection broke (its job stopped, or the head died)"));
    socket.on("close", () => this.fail("the Ray load agent's connection closed (its job stopped, or the head died)"));
    // A head that dies all at once (the machine lost, SIGKILL) can leave the agent's process alive
    // and its tasks unanswered forever: the dashboard not answering is the sign.
    let refused = 0;
    let failed = 0;
    let asking = false;
    this.heartbeat = setInterval(() => {
      if (asking) return;
      asking = true;
      void dashboard
        .getJson("/api/version", HEARTBEAT_TIMEOUT_MS)
        .then(
          () => {
            refused = 0;
            failed = 0;
          },
          (error: unknown) => {
            const code = networkCode(error) ?? "TIMEOUT";
            if (code === "ECONNREFUSED") refused++;
            failed++;
            if (refused >= REFUSED_LIMIT || failed >= FAILURE_LIMIT) {
              this.fail(`the Ray head's dashboard stopped answering (${code}): the head is gone`, code === "ECONNREFUSED" ? code : "ECONNRESET");
              socket.destroy();
            }
          },
        )
        .finally(() => (asking = false));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Submits the agent's job and waits until it has connected back (≤ timeoutMs). */
  static async start(dashboard: RayDashboard, options: { python: string; callbackHost: string; timeoutMs: number }): Promise<AgentClient> {
    const token = randomBytes(12).toString("hex");
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, options.callbackHost, () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const code = Buffer.from(AGENT_PY).toString("base64");
    // base64 is shell-safe inside single quotes: the entrypoint runs through a shell on the head.
    const entrypoint = `${options.python} -u -c 'import base64;exec(base64.b64decode("${code}"))' ${options.callbackHost} ${port} ${token}`;
    let submissionId: string;
    try {
      submissionId = await dashboard.submitJob(entrypoint, { source: "pipebench", role: "load-agent" });
    } catch (error) {
      server.close();
      throw error;
    }
    try {
      const { socket, hello, rest } = await acceptHello(server, token, dashboard, submissionId, options.timeoutMs);
      const client = new AgentClient(socket, server, submissionId, hello, dashboard);
      if (rest !== "") client.onData(rest);
      return client;
    } catch (error) {
      server.close();
      await dashboard.stopJob(submissionId).catch(() => undefined);
      throw error;
    }
  }

  /** Registers a function under `key` on the agent (a module is loaded and shipped by value). */
  define(key: string, def: FunctionDef): Promise<void> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      this.defs.set(key, { resolve, reject });
      this.write({ def: key, kind: def.kind, cpus: def.cpus, module: def.module, source: def.source, function: def.function });
    });
  }

  /** Runs one task of `key`; resolves with the agent's own time for it (ms), or rejects. */
  run(key: string, args: readonly unknown[]): Promise<number> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.write({ i: id, f: key, a: args });
    });
  }

  get isLost(): boolean {
    return this.lost !== undefined;
  }

  async close(): Promise<void> {
    this.fail("the load agent was closed");
    this.socket.destroy();
    this.server.close();
    await this.dashboard.stopJob(this.submissionId).catch(() => undefined);
  }

  private write(message: unknown): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== "") this.onMessage(JSON.parse(line) as AgentMessage);
    }
  }

  private onMessage(m: AgentMessage): void {
    if (m.i !== undefined) {
      const w = this.waiters.get(m.i);
      if (w === undefined) return;
      this.waiters.delete(m.i);
      if (m.e === undefined) w.resolve(m.ms ?? 0);
      else w.reject(new RayTaskFailure(m.e, m.m ?? "", m.ms ?? 0));
    } else if (m.d !== undefined) {
      const d = this.defs.get(m.d);
      if (d === undefined) return;
      this.defs.delete(m.d);
      if (m.e === undefined) d.resolve();
      else d.reject(new Error(`${m.e}: ${m.m ?? ""}`));
    }
  }

  private fail(message: string, code?: string): void {
    if (this.lost) return;
    clearInterval(this.heartbeat);
    this.lost = new AgentLost(message, code);
    for (const w of this.waiters.values()) w.reject(this.lost);
    for (const d of this.defs.values()) d.reject(this.lost);
    this.waiters.clear();
    this.defs.clear();
  }
}

interface AgentMessage {
  i?: number;
  d?: string;
  e?: string;
  m?: string;
  ms?: number;
}

/** The first connection that says our token; meanwhile the job must not have ended. */
function acceptHello(
  server: Server,
  token: string,
  dashboard: RayDashboard,
  submissionId: string,
  timeoutMs: number,
): Promise<{ socket: Socket; hello: AgentHello; rest: string }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, value?: { socket: Socket; hello: AgentHello; rest: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      server.removeListener("connection", onConnection);
      if (error) reject(error);
      else resolve(value!);
    };
    const onConnection = (socket: Socket): void => {
      let text = "";
      socket.setEncoding("utf8");
      const onData = (chunk: string): void => {
        text += chunk;
        const nl = text.indexOf("\n");
        if (nl < 0) return;
        socket.removeListener("data", onData);
        let hello: { hello?: unknown; ray?: unknown; job?: unknown; pid?: unknown };
        try {
          hello = JSON.parse(text.slice(0, nl)) as typeof hello;
        } catch {
          socket.destroy();
          return;
        }
        if (hello.hello !== token) {
          socket.destroy(); // not our agent
          return;
        }
        finish(undefined, { socket, hello: { ray: String(hello.ray), job: String(hello.job), pid: Number(hello.pid) }, rest: text.slice(nl + 1) });
      };
      socket.on("data", onData);
      socket.on("error", () => undefined);
    };
    server.on("connection", onConnection);
    const timer = setTimeout(() => {
      void dashboard.jobLogs(submissionId).catch(() => "").then((logs) => {
        finish(new Error(`the load agent (Ray job ${submissionId}) did not connect back within ${timeoutMs / 1000} s${tailOf(logs)}`));
      });
    }, timeoutMs);
    // A job that fails (no ray in that python, a callback address the cluster cannot reach) ends:
    // say so with its log instead of waiting out the timeout.
    const poll = setInterval(() => {
      void dashboard.job(submissionId).then(
        async (info) => {
          if (info.status === "FAILED" || info.status === "STOPPED" || info.status === "SUCCEEDED") {
            const logs = await dashboard.jobLogs(submissionId).catch(() => "");
            // (The job's message repeats its log: the log's end is enough.)
            finish(new Error(`the load agent (Ray job ${submissionId}) ended ${info.status} before connecting back${tailOf(logs)}`));
          }
        },
        () => undefined,
      );
    }, 1000);
  });
}

function tailOf(logs: string): string {
  // The entrypoint line carries the agent's source (base64): left out.
  const lines = logs.trimEnd().split("\n").filter((l) => l !== "" && !l.startsWith("Running entrypoint for job")).slice(-8).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  return lines.length === 0 ? "" : `; its log ends:\n${lines.join("\n")}`;
}
