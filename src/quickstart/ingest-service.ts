// The quickstart's system under test: seed 001's ingest step as a small standalone HTTP service.
// It accepts one card transaction per `POST /ingest`, validates it and inserts it into PostgreSQL.
//
//   PORT=8080 DATABASE_URL=postgres://… node dist/quickstart/ingest-service.js
//
// The quickstart suite's http target starts it (`start.command`), passing PORT and DATABASE_URL
// (the embedded PostgreSQL's URL), and stops it with SIGTERM.
import pg from "pg";
import { CREATE_TABLE, createIngestServer } from "./ingest-app.js";

const POOL_SIZE = 10;

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const url = process.env.DATABASE_URL;
  if (!Number.isInteger(port) || port <= 0 || url === undefined || url === "") {
    console.error("ingest-service: set PORT and DATABASE_URL, e.g. PORT=8080 DATABASE_URL=postgres://user:pw@127.0.0.1:5432/db");
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // An idle client that loses its connection emits on the pool; without a listener that kills us.
  pool.on("error", (error) => console.error(`ingest-service: idle database connection failed: ${error.message}`));
  try {
    await pool.query(CREATE_TABLE);
  } catch (error) {
    console.error(`ingest-service: cannot prepare the transactions table: ${(error as Error).message}`);
    process.exit(1);
  }

  const server = createIngestServer(pool);
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => console.log(`ingest-service listening on http://127.0.0.1:${port}`));

  const shutdown = (signal: string): void => {
    console.log(`ingest-service: ${signal}, shutting down`);
    // Stop accepting, let in-flight requests finish, then close the pool; give up after 5 s.
    setTimeout(() => process.exit(1), 5_000).unref();
    server.close(() => void pool.end().then(() => process.exit(0), () => process.exit(1)));
    server.closeIdleConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

void main();
