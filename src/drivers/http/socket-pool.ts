// A lean HTTP/1.1 client, built as autocannon's is: one net.Socket per connection, kept alive,
// Nagle off, request bytes written as given (socket-client.ts precomputes them), responses parsed by
// http-parser-js. No streams, no header objects, no per-request timers: per response it counts the
// body's bytes and settles one promise.
//
// Rules, in the order they come up:
// - A request goes to a connection with room (fewer than `pipelining` in flight); an idle one, or a
//   new one while fewer than `connections` are open, is preferred; otherwise it waits in a FIFO.
// - Responses on a connection answer its requests in the order they were written.
// - A response that says the connection will close (`connection: close`, HTTP/1.0) ends that
//   connection; requests written behind it go back to the front of the queue.
// - A connection that closes or breaks (FIN, ECONNRESET, EPIPE) fails its requests with the socket's
//   error, except that a request with nothing of its response received, on a connection that had
//   already answered one (the server dropping an idle keep-alive connection as we wrote), is sent
//   again once. A request on a fresh connection is never retried: that server did not answer it.
// - No byte for `timeout` ms while requests are in flight: they fail with code TIMEOUT and the
//   connection is dropped (its later responses could no longer be matched). No connection within
//   `connectTimeout`: CONNECT_TIMEOUT.
import { connect, type Socket } from "node:net";
import { HTTPParser, type OnHeadersCompleteParser } from "http-parser-js";
import type { OpContext, OpOutcome } from "../driver.js";
import { formatDuration } from "../../suite/units.js";
import { Fifo } from "./fifo.js";
import { ERROR_BODY_CHARS, errorBodyStart, HttpStatusError } from "./request.js";

type ResponseInfo = Parameters<OnHeadersCompleteParser>[0];
type Parser = InstanceType<typeof HTTPParser>;

/** A connection-level failure of one request; `code` is what the engine counts errors by. */
export class HttpConnectionError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "HttpConnectionError";
    this.code = code;
  }
}

/** What a workload's requests share. Also the identity that cancels them (SocketPool.cancel). */
export interface ExchangeKind {
  /** 1 at the statuses that count as success. */
  readonly expected: Uint8Array;
  /** "METHOD path", for error messages. */
  readonly what: string;
  /** HEAD: the response has no body, whatever its content-length says. */
  readonly headOnly: boolean;
}

/** One request and what has been read of its response. */
export class Exchange {
  status = 0;
  bodyBytes = 0;
  errorBody = "";
  /** The response's raw headers, [name, value, name, value, …]. */
  headers: readonly string[] | undefined = undefined;
  /** Sent once more already, after its connection closed before any of its response came. */
  retried = false;

  constructor(
    readonly kind: ExchangeKind,
    /** The whole request: head and body. */
    readonly bytes: Buffer,
    /** The body's length, counted with the response body's bytes. */
    readonly requestBodyBytes: number,
    readonly resolve: (outcome: OpOutcome) => void,
    readonly reject: (error: unknown) => void,
    /** Told when the request is written to a socket: it leaves pipebench's queue there. */
    readonly op?: Pick<OpContext, "sent">,
  ) {}
}

export interface SocketPoolOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly timeout: number;
  readonly connectTimeout: number;
}

export class SocketPool {
  /** Open connections, retired ones removed. */
  private readonly open = new Set<SocketConnection>();
  /** Connections with room for a request; may hold stale entries, skipped on the way out. */
  private readonly ready = new Fifo<SocketConnection>();
  /** Requests waiting for a connection with room. */
  private readonly waiting = new Fifo<Exchange>();
  /** Requests sent and not settled. */
  private pending = 0;
  private idle: (() => void) | undefined;
  private destroyed = false;
  /**
   * Every connection reads into this one buffer (net's `onread`): no Buffer per read and no
   * Readable stream in between. Safe because the parser is done with a read before the next one
   * (reads are delivered one at a time) and keeps nothing of it but strings and counts.
   */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly options: SocketPoolOptions) {}

  send(exchange: Exchange): void {
    if (this.destroyed) {
      exchange.reject(new HttpConnectionError("CLOSED", `${exchange.kind.what}: the connection pool is closed`));
      return;
    }
    this.pending++;
    const conn = this.pick();
    if (conn === undefined) this.waiting.push(exchange);
    else this.assign(conn, exchange);
  }

  /** Fails every request of `kind`, waiting or in flight, with `reason` (the scenario's abort). */
  cancel(kind: ExchangeKind, reason: unknown): void {
    for (const exchange of this.waiting.drain()) {
      if (exchange.kind === kind) this.failed(exchange, reason);
      else this.waiting.push(exchange);
    }
    for (const conn of [...this.open]) if (conn.carries(kind)) conn.abandon(kind, reason);
  }

  /** Lets requests in flight finish for up to `graceMs`, then destroys every connection. */
  async close(graceMs: number): Promise<void> {
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((done) => (this.idle = done)),
        new Promise<void>((done) => (timer = setTimeout(done, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const error = new HttpConnectionError("CLOSED", "the connection pool was closed with this request in flight");
    for (const exchange of this.waiting.drain()) this.failed(exchange, error);
    for (const conn of [...this.open]) conn.fail(error);
  }

  // ---- called by connections

  /** A response ended: settle its request. */
  completed(exchange: Exchange): void {
    this.pending--;
    if (exchange.kind.expected[exchange.status] === 1) {
      exchange.resolve({ records: 1, bytes: exchange.bodyBytes + exchange.requestBodyBytes });
    } else {
      exchange.reject(new HttpStatusError(exchange.status, exchange.kind.what, errorBodyStart(exchange.errorBody)));
    }
    if (this.pending === 0) this.idle?.();
  }

  failed(exchange: Exchange, error: unknown): void {
    this.pending--;
    exchange.reject(error);
    if (this.pending === 0) this.idle?.();
  }

  /** `conn` has room again: give it the oldest waiting request, or mark it ready. */
  freed(conn: SocketConnection): void {
    const next = this.waiting.shift();
    if (next !== undefined) this.assign(conn, next);
    else if (!conn.queued) {
      conn.queued = true;
      this.ready.push(conn);
    }
  }

  /** `conn` is gone. `again` are requests to send once more, before the ones already waiting. */
  retired(conn: SocketConnection, again: readonly Exchange[]): void {
    this.open.delete(conn);
    for (let i = again.length - 1; i >= 0; i--) this.waiting.unshift(again[i] as Exchange);
    // Waiting requests may have counted on this connection: open others for them.
    while (this.waiting.length > 0) {
      const next = this.pick();
      if (next === undefined) break;
      this.assign(next, this.waiting.shift() as Exchange);
    }
  }

  // ---- internal

  /** A connection with room: an idle ready one, else a new one if allowed, else any ready one. */
  private pick(): SocketConnection | undefined {
    if (this.destroyed) return undefined;
    let conn = this.ready.peek();
    while (conn !== undefined && !conn.hasRoom()) {
      this.ready.shift();
      conn.queued = false;
      conn = this.ready.peek();
    }
    if ((conn === undefined || conn.inFlight.length > 0) && this.open.size < this.options.connections) {
      const fresh = new SocketConnection(this, this.options);
      this.open.add(fresh);
      return fresh;
    }
    if (conn !== undefined) {
      this.ready.shift();
      conn.queued = false;
    }
    return conn;
  }

  private assign(conn: SocketConnection, exchange: Exchange): void {
    conn.write(exchange);
    if (!conn.queued && conn.hasRoom()) {
      conn.queued = true;
      this.ready.push(conn);
    }
  }
}

class SocketConnection {
  /** Requests written and not yet answered, oldest first. */
  readonly inFlight = new Fifo<Exchange>();
  /** In the pool's ready queue. */
  queued = false;
  private retiredAlready = false;
  /** False once a response said the connection closes after it: nothing more is written. */
  private keepAlive = true;
  /** A response has completed on this connection: the server kept it open for us. */
  private reused = false;
  /** Bytes have arrived since the last complete response: the oldest request has a partial answer. */
  private receiving = false;
  /** The parser is in a 1xx response, which precedes the real one. */
  private informational = false;
  private connected = false;
  private lastActivityMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private socketError: Error | undefined;
  private readonly socket: Socket;
  private readonly parser: Parser;

  constructor(
    private readonly pool: SocketPool,
    private readonly options: SocketPoolOptions,
  ) {
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info: ResponseInfo) => this.onHeaders(info);
    parser[HTTPParser.kOnBody] = (chunk: Buffer, offset: number, length: number) => this.onBody(chunk, offset, length);
    parser[HTTPParser.kOnMessageComplete] = () => this.onMessageComplete();
    this.parser = parser;

    const socket = connect({
      host: options.host,
      port: options.port,
      onread: { buffer: pool.readBuffer, callback: (length: number) => this.onData(length) },
    });
    socket.setNoDelay(true);
    socket.once("connect", () => {
      this.connected = true;
      // Requests written before it were not on the wire: their response clock starts now.
      this.lastActivityMs = Date.now();
    });
    socket.on("end", () => this.onEnd());
    socket.on("error", (error: Error) => (this.socketError ??= error));
    socket.on("close", () => this.onClose());
    this.socket = socket;
    this.arm(options.connectTimeout);
  }

  hasRoom(): boolean {
    return !this.retiredAlready && this.keepAlive && this.inFlight.length < this.options.pipelining;
  }

  carries(kind: ExchangeKind): boolean {
    for (const exchange of this.snapshot()) if (exchange.kind === kind) return true;
    return false;
  }

  write(exchange: Exchange): void {
    if (this.inFlight.length === 0) {
      this.lastActivityMs = Date.now();
      if (this.timer === undefined) this.arm(this.options.timeout);
    }
    this.inFlight.push(exchange);
    this.socket.write(exchange.bytes);
    exchange.op?.sent();
  }

  /** Fails every request in flight with `error` and drops the connection. */
  fail(error: unknown): void {
    for (const exchange of this.takeDown()) this.pool.failed(exchange, error);
    this.pool.retired(this, []);
  }

  /** The scenario of `kind` stopped: fail its requests, send the others again elsewhere. */
  abandon(kind: ExchangeKind, reason: unknown): void {
    const again: Exchange[] = [];
    for (const exchange of this.takeDown()) {
      if (exchange.kind === kind) this.pool.failed(exchange, reason);
      else again.push(exchange);
    }
    this.pool.retired(this, again);
  }

  // ---- socket events

  /** `length` bytes arrived in the pool's read buffer. Returns true: keep reading. */
  private onData(length: number): boolean {
    this.lastActivityMs = Date.now();
    if (this.inFlight.length > 0) this.receiving = true;
    const result = this.parser.execute(this.pool.readBuffer, 0, length);
    if (result instanceof Error && !this.retiredAlready) this.fail(this.protocolError(result));
    return true;
  }

  private onEnd(): void {
    // A response without length or chunking ends with the connection: this completes it.
    if (this.inFlight.length > 0 && this.receiving) this.parser.finish();
    this.onClose();
  }

  /** The socket closed or broke (FIN, ECONNRESET, EPIPE, ECONNREFUSED, …). */
  private onClose(): void {
    if (this.retiredAlready) return;
    const error = this.socketError;
    const partial = this.receiving;
    const again: Exchange[] = [];
    let first = true;
    for (const exchange of this.takeDown()) {
      const answered = first && partial;
      first = false;
      if (!answered && this.reused && !exchange.retried) {
        exchange.retried = true;
        again.push(exchange);
      } else {
        this.pool.failed(exchange, error ?? this.closedError(exchange, answered));
      }
    }
    this.pool.retired(this, again);
  }

  // ---- parser events (inside parser.execute; they must not throw)

  private onHeaders(info: ResponseInfo): number {
    const exchange = this.inFlight.peek();
    if (exchange === undefined || this.retiredAlready) return 1;
    const status = info.statusCode;
    if (status < 200 && status !== 101) {
      this.informational = true;
      return 0;
    }
    exchange.status = status;
    exchange.headers = info.headers;
    if (!info.shouldKeepAlive || status === 101) this.keepAlive = false;
    return exchange.kind.headOnly ? 1 : 0;
  }

  private onBody(chunk: Buffer, offset: number, length: number): void {
    const exchange = this.inFlight.peek();
    if (exchange === undefined) return;
    exchange.bodyBytes += length;
    if (exchange.kind.expected[exchange.status] !== 1 && exchange.errorBody.length < ERROR_BODY_CHARS) {
      exchange.errorBody += chunk.toString("utf8", offset, offset + Math.min(length, ERROR_BODY_CHARS));
    }
  }

  private onMessageComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    const exchange = this.inFlight.shift();
    if (exchange === undefined) {
      // A response nobody asked for: the stream can no longer be matched to requests.
      if (!this.retiredAlready) this.fail(new HttpConnectionError("HTTP_UNEXPECTED", "the server sent a response to no request"));
      return;
    }
    // With pipelining, the next response may have begun in the same chunk; it then counts as not
    // begun, and a close right after would send its request once more.
    this.receiving = false;
    this.reused = true;
    this.pool.completed(exchange);
    if (this.retiredAlready) return;
    if (this.keepAlive) {
      this.pool.freed(this);
    } else {
      // The server closes after this response: what was written behind it goes elsewhere, and
      // counts as never sent.
      this.pool.retired(this, this.takeDown());
    }
  }

  // ---- internal

  /** Marks the connection gone, destroys the socket, and returns the requests it had in flight. */
  private takeDown(): Exchange[] {
    this.retiredAlready = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.socket.destroy();
    return this.inFlight.drain();
  }

  private snapshot(): Exchange[] {
    const all = this.inFlight.drain();
    for (const exchange of all) this.inFlight.push(exchange);
    return all;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  /**
   * pipebench's own event loop can stall past a deadline (a saturated generator launching a burst
   * of operations in one turn), and timers run before I/O callbacks: the connect or the response
   * already waiting in the kernel would be read after the timeout blamed the server. Judge only
   * after that I/O has had its turn (setImmediate runs after it).
   */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.retiredAlready) return;
    setImmediate(this.judge);
  };

  private readonly judge = (): void => {
    if (this.retiredAlready || this.timer !== undefined) return;
    if (!this.connected) {
      const where = `${this.options.host}:${this.options.port}`;
      this.fail(new HttpConnectionError("CONNECT_TIMEOUT", `no connection to ${where} within ${formatDuration(this.options.connectTimeout)}`));
      return;
    }
    const oldest = this.inFlight.peek();
    if (oldest === undefined) return; // idle: write() arms the timer again
    const left = this.lastActivityMs + this.options.timeout - Date.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.fail(new HttpConnectionError("TIMEOUT", `no response to ${oldest.kind.what} within ${formatDuration(this.options.timeout)}`));
  };

  private closedError(exchange: Exchange, answered: boolean): HttpConnectionError {
    return new HttpConnectionError(
      "SOCKET_CLOSED",
      answered
        ? `the server closed the connection in the middle of the response to ${exchange.kind.what}`
        : `the server closed the connection without answering ${exchange.kind.what}`,
    );
  }

  private protocolError(error: Error): HttpConnectionError {
    const code = (error as { code?: unknown }).code;
    const what = this.inFlight.peek()?.kind.what ?? "a request";
    return new HttpConnectionError("HTTP_PARSE", `invalid HTTP response to ${what}: ${typeof code === "string" ? code : error.message}`);
  }
}
