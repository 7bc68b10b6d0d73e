// Connecting a duckdb target: open the database in this process, fill the datasets, run the setup
// SQL. DuckDB has no server to reach; "unreachable" here means the file cannot be opened.
import { resolve } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { firstLine, TargetFailed, TargetUnreachable } from "../../errors.js";
import type { Connection, ConnectContext } from "../driver.js";
import { runSetup } from "../setup-sql.js";
import { createDataset } from "./datasets.js";
import { prepareQuery } from "./query.js";
import type { DuckDbTarget, DuckDbWorkload } from "./schema.js";

const MEMORY = ":memory:";

export async function connectDuckDb(target: DuckDbTarget, ctx: ConnectContext): Promise<Connection<DuckDbWorkload>> {
  const path = target.path === MEMORY ? MEMORY : resolve(ctx.suiteDir, target.path);
  const instance = await open(path, target, ctx.name);
  let admin: DuckDBConnection | undefined;
  try {
    admin = await instance.connect();
    const version = await versionOf(admin);
    for (const dataset of target.datasets) {
      ctx.log(`${ctx.name}: creating ${dataset.table}: ${dataset.rows.toLocaleString("en-US")} rows of ${dataset.generator} …`);
      const created = await createDataset(admin, dataset).catch((error: unknown) => {
        throw new TargetFailed(ctx.name, `could not create dataset ${dataset.table}: ${firstLine(error)}`, { cause: error });
      });
      ctx.log(`${ctx.name}: created ${created.table} in ${(created.ms / 1000).toFixed(2)}s`);
    }
    const setupOn = admin;
    await runSetup(target.setup, { target: ctx.name, field: "setup", run: (sql) => setupOn.run(sql) });
    admin.closeSync();
    admin = undefined;

    const queryTarget = { name: ctx.name, instance, queries: target.queries };
    return {
      // A file path is the natural thing for `{{targets.NAME.url}}` to give another target.
      info: { version, url: path },
      prepare: (workload, scenario) => prepareQuery(queryTarget, workload, scenario),
      async close() {
        instance.closeSync();
      },
    };
  } catch (error) {
    admin?.closeSync();
    instance.closeSync();
    throw error;
  }
}

async function open(path: string, target: DuckDbTarget, name: string): Promise<DuckDBInstance> {
  const options: Record<string, string> = {};
  if (target.threads !== undefined) options.threads = String(target.threads);
  try {
    return await DuckDBInstance.create(path, options);
  } catch (error) {
    throw new TargetUnreachable(name, `cannot open DuckDB database ${path}: ${firstLine(error)}`, {
      hint: "check that its directory exists and is writable, and that no other process has the file open (DuckDB allows one writing process)",
      cause: error,
    });
  }
}

/** "DuckDB v1.5.6" */
async function versionOf(connection: DuckDBConnection): Promise<string> {
  const reader = await connection.runAndReadAll("SELECT version()");
  const value = reader.getRows()[0]?.[0];
  return `DuckDB ${String(value ?? "unknown")}`;
}
