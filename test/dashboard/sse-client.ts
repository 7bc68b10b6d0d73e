// A plain Server-Sent Events client on node:http, as a script or another tool would follow the
// live view: it parses the frames itself, so the tests check the wire format, not a library's idea of it.
import { request, type IncomingMessage } from "node:http";
import { connect } from "node:net";

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown> & { type: string };
}

export interface EventStream {
  readonly events: SseEvent[];
  readonly headers: IncomingMessage["headers"];
  /** Settles when the server ends the stream. */
  readonly ended: Promise<void>;
  /** The first event (seen already or still to come) that `match` accepts. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export function followEvents(url: string, options: { lastEventId?: number } = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("events", url), {
      headers: {
        accept: "text/event-stream",
        ...(options.lastEventId === undefined ? {} : { "last-event-id": String(options.lastEventId) }),
      },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of frame.split("\n")) {
            if (line.startsWith(":")) continue; // a comment (keep-alive)
            const colon = line.indexOf(":");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ""));
          }
          const data = fields.get("data");
          if (data === undefined) continue; // `retry:` and the like
          events.push({
            id: Number(fields.get("id")),
            event: fields.get("event") ?? "message",
            data: JSON.parse(data) as SseEvent["data"],
          });
          for (const w of waiters) w();
        }
      });
      const ended = new Promise<void>((done) => res.on("close", () => done()));
      resolve({
        events,
        headers: res.headers,
        ended,
        waitFor(match, timeoutMs = 30_000) {
          return new Promise((found, fail) => {
            const check = (): boolean => {
              const hit = events.find(match);
              if (hit === undefined) return false;
              waiters.delete(check);
              clearTimeout(timer);
              found(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; saw: ${events.map((e) => e.event).join(", ")}`));
            }, timeoutMs);
            if (!check()) {
              waiters.add(check);
              void ended.then(() => {
                if (waiters.has(check)) {
                  waiters.delete(check);
                  clearTimeout(timer);
                  fail(new Error(`the stream ended without a matching event; saw: ${events.map((e) => e.event).join(", ")}`));
                }
              });
            }
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.end();
  });
}

/** Whether a TCP connection to host:port is accepted (true) or refused (false). */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`connecting to ${host}:${port} timed out`));
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" || error.code === "EADDRNOTAVAIL" || error.code === "ENETUNREACH") resolve(false);
      else reject(error);
    });
  });
}
