// SQL text as pg_stat_statements shows it and as a suite writes it: the same shape, parameters
// inlined as literals only outside strings and comments, one line, the tables named.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inlineParams, oneLine, splitStatements, sqlLiteral, statementShape, tablesOf, writesData } from "../../src/probes/postgres-sql-text.js";

test("a statement as written and as pg_stat_statements normalised it have one shape", () => {
  const same: [string, string][] = [
    ["select date_trunc('hour', time) from t where m = 'cpu' and time > now() - interval '24 hours'", "select date_trunc($1, time) from t where m = $2 and time > now() - interval $3"],
    ["SELECT *\n  FROM t -- newest\n WHERE id = -1 LIMIT 10;", "SELECT * FROM t WHERE id = $1 LIMIT $2"],
    ["select x - 1 from t", "select x - $1 from t"],
    ["select * from t where a = $1 and b = 'x'", "select * from t where a = $1 and b = $2"],
    ["select * from t where id in (1, 2, 3)", "select * from t where id in ($1 /*, ... */)"],
    ["select E'a\\'b', $$c;d$$, true, 1.5e3", "select $1, $2, $3, $4"],
    ["select \"Time\" from t /* a /* nested */ comment */", "select \"Time\" from t"],
  ];
  for (const [written, normalised] of same) assert.equal(statementShape(written), statementShape(normalised), written);
  const differ: [string, string][] = [
    ["select a from t", "select b from t"],
    ["select \"A\" from t", "select a from t"],
    ["select * from t where a = 1", "select * from t where a > $1"],
  ];
  for (const [x, y] of differ) assert.notEqual(statementShape(x), statementShape(y), `${x} / ${y}`);
});

test("params become quoted literals, outside strings, comments and dollar quotes only", () => {
  assert.equal(
    inlineParams("select '$1', $1 -- $2\n, $$ $2 $$, $2::int", ["it's", 5]),
    "select '$1', 'it''s' -- $2\n, $$ $2 $$, '5'::int",
  );
  assert.equal(inlineParams("select $2", ["a"]), undefined);
  const cases: [unknown, string][] = [
    [null, "NULL"],
    [true, "'true'"],
    [0.25, "'0.25'"],
    ["a\\b", "E'a\\\\b'"],
    // The array literal escapes the quote with a backslash, so the literal is an E'' one.
    [["x", "y\"z", null], `E'{"x","y\\\\"z",NULL}'`],
    [{ a: "it's" }, `'{"a":"it''s"}'`],
  ];
  for (const [value, literal] of cases) assert.equal(sqlLiteral(value as never), literal, JSON.stringify(value));
});

test("one line, statements split, writes told apart, tables named", () => {
  assert.equal(oneLine("select 'a\n  b'  -- c\nfrom   t"), "select 'a\n  b' from t");
  assert.deepEqual(splitStatements("select ';'; select 2;\n"), ["select ';'", "select 2"]);
  assert.equal(writesData("with x as (delete from t returning *) select * from x"), true);
  assert.equal(writesData("select 'delete' from t"), false);
  assert.deepEqual(tablesOf("select * from public.metrics_hot m join \"Hosts\" h on true, lateral generate_series(1, 2) where x in (select y from only z)"), ["public.metrics_hot", "\"Hosts\"", "z"]);
  assert.deepEqual(tablesOf("update t set a = 1"), ["t"]);
});
