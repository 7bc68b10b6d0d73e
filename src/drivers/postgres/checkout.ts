// A client checked out of the pool for one operation, as pool.query checks one out: the moment the
// pool hands it over is when the operation leaves pipebench (OpContext.sent), and while it is out
// its 'error' event has a listener, or a connection that dies mid-operation (a server restart)
// would crash the process; the operation's query fails with that error instead.
import type pg from "pg";
import type { OpContext } from "../driver.js";

export interface CheckedOut {
  readonly client: pg.PoolClient;
  /** Back to the pool; `discard` drops the connection instead (its state cannot be trusted). */
  release(discard?: boolean | Error): void;
}

export async function checkout(pool: pg.Pool, op: Pick<OpContext, "sent">): Promise<CheckedOut> {
  const client = await pool.connect();
  op.sent();
  const onError = (): void => undefined;
  client.on("error", onError);
  return {
    client,
    release(discard) {
      client.removeListener("error", onError);
      client.release(discard);
    },
  };
}
