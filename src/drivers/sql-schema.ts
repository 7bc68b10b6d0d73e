// What the SQL drivers' schemas share: a `query` workload naming one of the target's `queries` or
// giving its SQL inline (exactly one), plain identifiers, row counts as people write them, and a
// string check whose issue carries a fix (zod's own regex issue cannot).
import { z } from "zod";
import { parseCount } from "../suite/units.js";

/** A string matching `re`, or a custom issue carrying a fix. */
export function matching(re: RegExp, problem: string, fix: string) {
  return z.string().superRefine((value, ctx) => {
    if (!re.test(value)) ctx.addIssue({ code: "custom", message: `"${value}" ${problem}`, params: { fix } });
  });
}

/** A plain SQL identifier: datasets name tables that the suite's own SQL refers to unquoted. */
export const Identifier = z.string().refine((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name), {
  message: "not a plain identifier",
  params: { fix: "use letters, digits and underscores, starting with a letter, e.g. commodity_prices" },
});

/** A row count: 100000, "100k", "1M". */
export const RowCount = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = parseCount(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a row count`, params: { fix: 'write a whole number of rows, e.g. 100000, "100k" or "1M"' } });
    return z.NEVER;
  }
  return n;
});

/** The fields every `query` workload has; a driver adds its own (`params`) beside them. */
export const QUERY_FIELDS = {
  type: z.literal("query"),
  /** The name of a query in the target's `queries`. */
  query: z.string().min(1).optional(),
  /** SQL given here instead. */
  sql: z.string().min(1).optional(),
};

/** A query workload names a query or gives SQL, never both, never neither (the issue's path is the field to write). */
export function exactlyOneQuery(workload: { query?: string | undefined; sql?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((workload.query === undefined) === (workload.sql === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: workload.query === undefined ? ["query"] : ["sql"],
      message: "a query workload needs exactly one of `query` (a name from the target's queries) and `sql`",
      params: { fix: "write query: <name> to run a named query, or sql: select … to run SQL given here" },
    });
  }
}
