// The one way the store's modules talk to their database, SQLite or PostgreSQL: statements with
// `?` placeholders, rows as plain objects, transactions. The statements are written once, in the
// SQL both speak; where the two differ (JSON paths) a statement asks `dialect`.

export type Row = Record<string, unknown>;

export type Dialect = "sqlite" | "postgres";

export interface Sql {
  readonly dialect: Dialect;
  all(text: string, params?: readonly unknown[]): Promise<Row[]>;
  get(text: string, params?: readonly unknown[]): Promise<Row | undefined>;
  run(text: string, params?: readonly unknown[]): Promise<void>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** An opened store's database. */
export interface OpenedSql {
  /** Where the store is, as messages show it (a URL's password masked). */
  readonly location: string;
  readonly sql: Sql;
  close(): Promise<void>;
}

/** `json` (a text column of JSON) at `path`, as text: `json_extract` in SQLite, `#>>` in PostgreSQL. */
export function jsonText(dialect: Dialect, json: string, path: readonly string[]): string {
  if (dialect === "postgres") return `(${json}::jsonb #>> array[${path.join(", ")}])`;
  return `json_extract(${json}, '$' || ${path.map((p) => `'.' || '"' || ${p} || '"'`).join(" || ")})`;
}
