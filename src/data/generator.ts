// The generator contract. A generator describes a table (its columns) and, for a seed, yields
// rows by index. Row i depends only on (seed, i) — never on rows before it — so concurrent writers
// can take disjoint index ranges and a run can be repeated row for row.

/** One column, in PostgreSQL terms; `duckType` when DuckDB wants a different spelling. */
export interface Column {
  readonly name: string;
  /** PostgreSQL type, e.g. "timestamptz", "double precision", "jsonb". */
  readonly sqlType: string;
  readonly duckType?: string;
}

/**
 * A value as a generator emits it. Timestamps are ISO-8601 UTC strings (already formatted, so
 * writers never format dates per value); jsonb columns carry their JSON text in `row()` and the
 * parsed value in `object()`.
 */
export type RowValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Date
  | Uint8Array
  | readonly unknown[]
  | { readonly [key: string]: unknown };

export interface RowSource {
  /** Values of row i, in column order. A fresh array each call: callers may keep it. */
  row(i: number): readonly RowValue[];
  /** Row i as a JSON-ready object keyed by column name (an HTTP body, a Kafka message). */
  object(i: number): Record<string, unknown>;
}

export interface CreateOptions {
  /**
   * Epoch milliseconds that generated timestamps are relative to. Defaults to the time `create`
   * is called, so "the last hour" means the hour before the source was made; tests pin it to get
   * byte-identical rows.
   */
  readonly baseTime?: number;
}

export interface Generator {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly Column[];
  create(seed: number, options?: CreateOptions): RowSource;
}
