// The live view of one `pipebench run`: the event feed, its server, and the run's beginning and
// end told to both. The CLI starts it before any target is connected (so the URL is printed before
// load starts) and closes it before the command returns, so it never keeps the process alive.
import { setTimeout as sleep } from "node:timers/promises";
import type { RunHooks, RunOutcome } from "../engine/run-suite.js";
import { ExitCode, isPipebenchError } from "../errors.js";
import type { Suite } from "../suite/types.js";
import { DashboardFeed, type RunEnd } from "./events.js";
import type { DashboardSettings } from "./flags.js";
import { startDashboard, type DashboardServer } from "./server.js";

/** The exit code the CLI gives a bug in pipebench (see src/cli/main.ts). */

export class LiveDashboard {
  private constructor(
    readonly feed: DashboardFeed,
    private readonly server: DashboardServer,
    private readonly lingerMs: number,
    private readonly log: (line: string) => void,
  ) {}

  static async start(settings: DashboardSettings, log: (line: string) => void): Promise<LiveDashboard> {
    const feed = new DashboardFeed();
    const server = await startDashboard(feed, settings.port === undefined ? {} : { port: settings.port });
    return new LiveDashboard(feed, server, settings.lingerMs, log);
  }

  get url(): string {
    return this.server.url;
  }

  runStart(suite: Suite, trials = 1): void {
    this.feed.runStart(suite, { trials });
  }

  /** `hooks` with the live view listening in. */
  observe(hooks: RunHooks): RunHooks {
    return this.feed.observe(hooks);
  }

  finished(outcome: RunOutcome): void {
    const status: RunEnd["status"] = outcome.status === "running" ? "error" : outcome.status;
    this.feed.end({
      status,
      exitCode: outcome.exitCode,
      runId: outcome.runId,
      thresholds: outcome.thresholds,
      ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
      ...(outcome.invalid === undefined ? {} : { invalid: outcome.invalid }),
    });
  }

  /** The run threw: the page shows the error the CLI is about to print. */
  failed(error: unknown): void {
    if (this.feed.isEnded) return;
    const message = error instanceof Error ? error.message : String(error);
    this.feed.end({
      status: "error",
      exitCode: isPipebenchError(error) ? error.exitCode : ExitCode.internal,
      runId: null,
      thresholds: [],
      failure: message,
    });
  }

  /** Keeps the page up for the linger (cut short by `signal`), then closes the server. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.lingerMs > 0 && signal?.aborted !== true) {
      this.log(`live view stays at ${this.url} for ${Math.round(this.lingerMs / 1000)} s (Ctrl-C to close it now)`);
      await sleep(this.lingerMs, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
    }
    await this.server.close();
  }
}

/** The run's hooks, observed by the live view when there is one. */
export function observedHooks(dashboard: LiveDashboard | undefined, hooks: RunHooks): RunHooks {
  return dashboard === undefined ? hooks : dashboard.observe(hooks);
}
