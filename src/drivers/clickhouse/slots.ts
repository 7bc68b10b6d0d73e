// The connection's requests at the server at once, counted by the driver. @clickhouse/client queues
// a request beyond its open sockets inside Node's HTTP agent, where nobody can see when it leaves;
// with at most `connections` requests admitted here (the agent's own limit), a request that holds a
// slot goes out at once, so taking the slot is the moment it leaves pipebench (OpContext.sent), and
// the wait before it is pipebench's own queue, as a PostgreSQL pool's checkout is.
import type { OpContext } from "../driver.js";

export interface Slots {
  /** Waits for a free slot, tells `op` the request leaves, and returns the release. */
  take(op: Pick<OpContext, "sent" | "signal">): Promise<() => void>;
}

export function slots(count: number): Slots {
  let free = count;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async take(op) {
      if (free > 0) free--;
      else {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void => {
            const i = waiting.indexOf(admit);
            if (i >= 0) waiting.splice(i, 1);
            reject(op.signal.reason instanceof Error ? op.signal.reason : new Error("aborted"));
          };
          const admit = (): void => {
            op.signal.removeEventListener("abort", onAbort);
            resolve();
          };
          if (op.signal.aborted) return onAbort();
          op.signal.addEventListener("abort", onAbort, { once: true });
          waiting.push(admit);
        });
      }
      op.sent();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}
