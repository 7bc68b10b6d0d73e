// One real, throwaway Prometheus per test file (scripts/prometheus-local: Debian's prometheus, 2.42
// here, in the foreground on a free 127.0.0.1 port with its own temp dir; remote-write receiver and
// native histograms on), started in `before` and stopped (its dir removed) in `after`. Call at the
// top level of a file:
//
//   const prom = usePrometheus();
//   test("…", async () => { await prom.scrape(["127.0.0.1:1234"]); await prom.waitUp(1); … prom.url … });
//
// Scrape targets change while it runs (a file_sd file, `scripts/prometheus-local targets`), so a test
// can point it at a service it started after `before`; the first scrape of a new target lands about
// 5 s later (Prometheus's target sync), so wait with `waitUp`, never a fixed sleep.
//
// Needs prometheus installed (`scripts/prometheus-local fetch` as root, which .ci/run does). If it is
// missing, `before` fails with the script's message naming what to install: no silent skip.
import { fileURLToPath } from "node:url";
import { runScript, urlServer, useLocalServer, type ScriptResult, type UrlServer } from "./local-server.js";

export const PROMETHEUS_LOCAL = fileURLToPath(new URL("../../scripts/prometheus-local", import.meta.url));

/** The first fetch installs Debian's prometheus (~70 s on a busy box); a start takes about a second. */
const FETCH_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_S = 60;

export type { ScriptResult };

/** Runs `scripts/prometheus-local ARGS…` (see runScript); `promtool …` runs promtool. */
export function prometheusLocal(args: readonly string[], options: { timeoutMs: number; allowFailure?: boolean }): Promise<ScriptResult> {
  return runScript(PROMETHEUS_LOCAL, args, options);
}

/** One sample of an instant vector, as /api/v1/query gives it. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** `url` is e.g. http://127.0.0.1:41234 (remote write: `${url}/api/v1/write`); `startMs` until /-/ready and a query answered. */
export interface TestPrometheus extends UrlServer {
  /** Replace the scrape targets (HOST:PORT, path /metrics, every second). */
  scrape(targets: readonly string[]): Promise<void>;
  /** Waits until at least `count` targets are up (up == 1), or throws after `timeoutMs`. */
  waitUp(count: number, timeoutMs?: number): Promise<void>;
  /** An instant query; throws with Prometheus's message when it is rejected. */
  query(expr: string): Promise<PromSample[]>;
}

export function usePrometheus(options: { scrape?: readonly string[]; scrapeInterval?: string } = {}): TestPrometheus {
  const startArgs = [
    ...(options.scrape !== undefined && options.scrape.length > 0 ? ["--scrape", options.scrape.join(",")] : []),
    ...(options.scrapeInterval !== undefined ? ["--scrape-interval", options.scrapeInterval] : []),
  ];
  const server = useLocalServer({
    script: PROMETHEUS_LOCAL,
    name: "the Prometheus server",
    key: "url",
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    startTimeoutS: START_TIMEOUT_S,
    startArgs,
  });
  const query = async (expr: string): Promise<PromSample[]> => {
    const response = await fetch(`${server().address}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== "success") throw new Error(`Prometheus rejected ${expr}: ${body.error ?? response.status}`);
    const data = body.data!;
    if (data.resultType === "scalar") {
      const [, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v) }];
    }
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  return Object.assign(urlServer(server), {
    async scrape(targets: readonly string[]): Promise<void> {
      await runScript(PROMETHEUS_LOCAL, ["targets", server().dir, ...targets], { timeoutMs: 30_000 });
    },
    async waitUp(count: number, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = (await query("count(up == 1)"))[0]?.value ?? 0;
        if (up >= count) return;
        if (Date.now() > deadline) throw new Error(`only ${up} of ${count} scrape targets up after ${timeoutMs / 1000} s (see ${server().dir}/prometheus.log)`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    query,
  });
}
