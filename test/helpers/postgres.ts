// One real, throwaway PostgreSQL per test file: started in `before`, stopped (and its temp dir
// removed) in `after`. Call at the top level of a test file:
//
//   const pg = useEmbeddedPostgres();
//   test("…", async () => { const client = new Client(pg.url); … });
import { after, before } from "node:test";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "../../src/drivers/postgres/embedded.js";

export interface TestPostgres {
  /** URL of the `postgres` database (pg_stat_statements installed there). */
  readonly url: string;
  readonly server: EmbeddedPostgres;
  /** The same server, another database. */
  urlFor(database: string): string;
  /** Runs SQL on a short-lived connection (to `database`, default `postgres`). */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[], database?: string): Promise<R[]>;
}

export function useEmbeddedPostgres(options: Omit<EmbeddedPostgresOptions, "log" | "target"> = {}): TestPostgres {
  let server: EmbeddedPostgres | undefined;
  before(async () => {
    server = await startEmbeddedPostgres({ ...options, target: "test" });
  });
  after(async () => {
    await server?.stop();
  });

  const started = (): EmbeddedPostgres => {
    if (!server) throw new Error("the embedded PostgreSQL is not running: use it inside tests, not at import time");
    return server;
  };
  const urlFor = (database: string): string => {
    const url = new URL(started().url);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    get url() {
      return started().url;
    },
    get server() {
      return started();
    },
    urlFor,
    async sql(text, values, database = "postgres") {
      const client = new pg.Client({ connectionString: urlFor(database) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
  };
}
