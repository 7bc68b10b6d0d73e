// SQL text the drivers write themselves: ANSI literals and identifiers (DuckDB, Trino, PostgreSQL),
// and a statement shortened to one line for a hint.

/** 'text' with its quotes doubled. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** "identifier" with its quotes doubled (ANSI; ClickHouse quotes with backticks instead). */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A statement on one line, at most `max` characters. */
export function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}…` : flat;
}
