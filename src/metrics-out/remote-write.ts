// A Prometheus remote-write 1.0 client: protobuf (prompb) compressed with snappy's block format,
// POSTed with the protocol's headers. Pushes go one at a time, in order (a series' samples must
// arrive in time order); a push that fails is reported, not retried: the next one carries the
// cumulative counts anyway.
import { compressSync } from "snappy";
import { encodeWriteRequest, type TimeSeries } from "./prompb.js";

/** A push still unanswered after this is abandoned (the run must not hang on its monitoring). */
const PUSH_TIMEOUT_MS = 10_000;

export interface PushReport {
  pushes: number;
  failed: number;
  /** The last failure: status and Prometheus's message, or the network error. */
  lastError?: string;
}

export class RemoteWriter {
  private chain: Promise<void> = Promise.resolve();
  private readonly report: PushReport = { pushes: 0, failed: 0 };

  constructor(
    readonly url: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Queues one write; returns at once. */
  push(timeseries: readonly TimeSeries[]): void {
    if (timeseries.length === 0) return;
    const body = compressSync(Buffer.from(encodeWriteRequest(timeseries)));
    this.chain = this.chain.then(() => this.send(body));
  }

  /** Waits for every queued write. */
  async flush(): Promise<PushReport> {
    await this.chain;
    return { ...this.report };
  }

  private async send(body: Buffer): Promise<void> {
    this.report.pushes++;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-encoding": "snappy",
          "content-type": "application/x-protobuf",
          "user-agent": "pipebench",
          "x-prometheus-remote-write-version": "0.1.0",
        },
        body,
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const text = (await response.text()).trim().slice(0, 300);
      this.failed(`${response.status} ${response.statusText}${text === "" ? "" : `: ${text}`}`);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      this.failed(cause?.code ?? (error instanceof Error ? error.message : String(error)));
    }
  }

  private failed(message: string): void {
    const first = this.report.failed === 0 || this.report.lastError !== message;
    this.report.failed++;
    this.report.lastError = message;
    if (first) this.onError(`prometheus remote write to ${this.url} failed: ${message}`);
  }
}
