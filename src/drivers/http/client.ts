// What connect.ts needs from an HTTP client: a reachability check, the `request` workload's hot
// path, and closing. Two implement it: socket-client.ts (net sockets + http-parser-js, for http://)
// and undici-client.ts (for https://); connect.ts says which and why.
import type { RequestSender } from "./request.js";

export interface ClientOptions {
  /** scheme://host:port of the target. */
  readonly origin: URL;
  readonly connections: number;
  /** Requests in flight per connection. */
  readonly pipelining: number;
  /** Per request: the longest wait for the response headers, and between body chunks. */
  readonly timeout: number;
  /** The longest wait for a TCP (and TLS) connection. */
  readonly connectTimeout: number;
}

export interface HttpClient extends RequestSender {
  /** One GET of `path`; any status will do. Resolves with the `Server` header; rejects with the
   * error (its `code`) when there is no answer. */
  check(path: string): Promise<string | undefined>;
  /** Lets requests in flight finish for up to `graceMs`, then cuts them off. */
  close(graceMs: number): Promise<void>;
  /** Cuts everything off now. */
  destroy(): Promise<void>;
}
