// What a postgres target and its workloads accept. Strict objects: an unknown key is a mistake
// the suite loader reports with the field's line, not something to ignore.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { exactlyOneQuery, matching, QUERY_FIELDS } from "../sql-schema.js";

/** A table name as written in SQL, optionally schema-qualified. It is interpolated unquoted, so it
 * folds to lower case exactly as it does in the user's own queries against it. */
const TableName = matching(
  /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/,
  "is not a plain table name",
  "use letters, digits and underscores, optionally schema-qualified, e.g. metrics_hot or public.metrics_hot",
);

const PostgresUrl = matching(
  /^postgres(ql)?:\/\//,
  "is not a postgres:// URL",
  "write e.g. postgres://user:password@db.example.com:5432/metrics",
);

export const EmbeddedOptions = z.strictObject({
  /** Major (or major.minor) the bundled server must be, e.g. 18; checked, not downloaded. */
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  /** Server settings passed as `-c name=value`, e.g. { shared_buffers: "256MB" }. */
  settings: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type EmbeddedOptions = z.output<typeof EmbeddedOptions>;

export const PostgresTargetSchema = z
  .strictObject({
    kind: z.literal("postgres"),
    url: PostgresUrl.optional(),
    /** The password for `url`'s user, kept out of the URL (and so out of shell history and diffs). */
    password: z.string().min(1).optional(),
    /** A file holding the password (e.g. a mounted secret); relative to the suite. Trailing newlines are dropped. */
    passwordFile: z.string().min(1).optional(),
    embedded: z.union([z.boolean(), EmbeddedOptions]).optional(),
    /** Connections in the workload pool; also the concurrency the engine is told suits it. */
    pool: z.number().int().min(1).max(10_000).default(10),
    /** SQL run once, in order, right after connecting (schemas, indexes, settings). */
    setup: z.array(z.string().min(1)).default([]),
    /** Named SQL for `query` workloads. */
    queries: z.record(z.string().min(1), z.string().min(1)).default({}),
  })
  .superRefine((target, ctx) => {
    const embedded = target.embedded !== undefined && target.embedded !== false;
    if (target.url !== undefined && embedded) {
      ctx.addIssue({
        code: "custom",
        path: ["embedded"],
        message: "a target is either a server at `url` or an embedded one, not both",
        params: { fix: "remove `embedded` to use the server at url, or remove `url` to start an embedded PostgreSQL" },
      });
    } else if (embedded && (target.password !== undefined || target.passwordFile !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [target.password !== undefined ? "password" : "passwordFile"],
        message: "an embedded PostgreSQL makes its own password",
        params: { fix: "remove it, or remove `embedded` and give the server's url" },
      });
    } else if (target.url === undefined && !embedded) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "a postgres target needs `url` or `embedded`",
        params: { fix: "add url: postgres://user:password@host:5432/db, or embedded: true to start a throwaway PostgreSQL" },
      });
    }
    if (target.password !== undefined && target.passwordFile !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["passwordFile"],
        message: "give the password once: `password` or `passwordFile`, not both",
        params: { fix: "remove one of them" },
      });
    }
    if ((target.password !== undefined || target.passwordFile !== undefined) && target.url !== undefined && urlHasPassword(target.url)) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: `the url has a password and \`${target.password !== undefined ? "password" : "passwordFile"}\` gives another`,
        params: { fix: "remove the password from the url (postgres://user@host/db)" },
      });
    }
  });
export type PostgresTarget = z.output<typeof PostgresTargetSchema>;

function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}

export const InsertWorkload = z.strictObject({
  type: z.literal("insert"),
  table: TableName,
  /** copy: COPY FROM STDIN; multi-row: INSERT … VALUES (…),(…); single: one INSERT per row in one transaction. */
  method: z.enum(["copy", "multi-row", "single"]).default("copy"),
  /** Rows per operation. */
  batchSize: z.number().int().min(1).max(1_000_000).default(1000),
  generator: z.enum(GENERATOR_NAMES),
  seed: z.number().int().default(1),
  /** Create the table from the generator's columns when it does not exist. */
  createTable: z.boolean().default(true),
});
export type InsertWorkload = z.output<typeof InsertWorkload>;

export const QueryWorkload = z
  .strictObject({
    ...QUERY_FIELDS,
    /** Values for $1, $2, … */
    params: z.array(z.unknown()).optional(),
  })
  .superRefine(exactlyOneQuery);
export type QueryWorkload = z.output<typeof QueryWorkload>;

export const PostgresWorkloadSchema = z.discriminatedUnion("type", [InsertWorkload, QueryWorkload]);
export type PostgresWorkload = z.output<typeof PostgresWorkloadSchema>;
