// Ray's dashboard REST APIs as pipebench uses them: the version, the Jobs API (submit, status, logs,
// stop) and the State API's task summary. POST goes through node:http: Node's fetch sends
// Sec-Fetch-Mode, and the dashboard refuses POST from anything that looks like a browser (405).
import { request } from "node:http";
import { request as requestTls } from "node:https";

export class RayHttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    body: string,
  ) {
    super(`HTTP ${status} from ${path}: ${body.slice(0, 200)}`);
    this.name = "RayHttpError";
  }
}

export type JobStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "STOPPED";

export interface JobInfo {
  readonly status: JobStatus;
  readonly message?: string;
  readonly job_id?: string;
}

export class RayDashboard {
  constructor(readonly url: string) {}

  async getJson(path: string, timeoutMs = 10_000): Promise<unknown> {
    return JSON.parse(await this.call("GET", path, undefined, timeoutMs));
  }

  /** (The first job on a head creates its supervisor actor: 1–3 s, far more on a busy machine.) */
  async postJson(path: string, body: unknown, timeoutMs = 90_000): Promise<unknown> {
    return JSON.parse(await this.call("POST", path, body, timeoutMs));
  }

  /** "2.60.0", from GET /api/version. */
  async version(): Promise<string> {
    const v = (await this.getJson("/api/version", 10_000)) as { ray_version?: unknown };
    if (typeof v.ray_version !== "string") throw new RayHttpError(200, "/api/version", "no ray_version: is it a Ray dashboard?");
    return v.ray_version;
  }

  async submitJob(entrypoint: string, metadata: Record<string, string>): Promise<string> {
    const r = (await this.postJson("/api/jobs/", { entrypoint, metadata })) as { submission_id?: unknown };
    if (typeof r.submission_id !== "string") throw new RayHttpError(200, "/api/jobs/", "no submission_id");
    return r.submission_id;
  }

  async job(id: string): Promise<JobInfo> {
    return (await this.getJson(`/api/jobs/${encodeURIComponent(id)}`)) as JobInfo;
  }

  async jobLogs(id: string): Promise<string> {
    const r = (await this.getJson(`/api/jobs/${encodeURIComponent(id)}/logs`)) as { logs?: unknown };
    return typeof r.logs === "string" ? r.logs : "";
  }

  async stopJob(id: string): Promise<void> {
    await this.postJson(`/api/jobs/${encodeURIComponent(id)}/stop`, {}, 10_000);
  }

  /**
   * Task counts by state of one job, from the State API's summary (GET /api/v0/tasks/summarize):
   * slow with many tasks stored (6–8 s at 12,000), so called once per scenario, after it.
   */
  async taskStates(jobIdHex: string): Promise<Record<string, number>> {
    const q = `filter_keys=job_id&filter_predicates=%3D&filter_values=${encodeURIComponent(jobIdHex)}&timeout=30`;
    const r = (await this.getJson(`/api/v0/tasks/summarize?${q}`, 35_000)) as {
      data?: { result?: { result?: { node_id_to_summary?: { cluster?: { summary?: Record<string, { state_counts?: Record<string, number> }> } } } } };
    };
    const summary = r.data?.result?.result?.node_id_to_summary?.cluster?.summary ?? {};
    const out: Record<string, number> = {};
    for (const fn of Object.values(summary)) {
      for (const [state, n] of Object.entries(fn.state_counts ?? {})) out[state] = (out[state] ?? 0) + n;
    }
    return out;
  }

  private call(method: "GET" | "POST", path: string, body: unknown, timeoutMs: number): Promise<string> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const target = new URL(path, this.url);
    const send = target.protocol === "https:" ? requestTls : request;
    return new Promise((resolve, reject) => {
      const req = send(
        target,
        {
          method,
          headers: payload === undefined ? { accept: "application/json" } : { "content-type": "application/json", "content-length": payload.length },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 0) >= 300) reject(new RayHttpError(res.statusCode ?? 0, path, text));
            else resolve(text);
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
}
