// The embedded server's life cycle: settings reach the server, pipebench keeps the ones its URL
// depends on, stop() shuts it down and removes every file, and a version mismatch is refused early.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import pg from "pg";
import { startEmbeddedPostgres } from "../../../src/drivers/postgres/embedded.js";
import { TargetFailed } from "../../../src/errors.js";

test("starts with the given settings, pg_stat_statements ready, and stop() removes everything", async () => {
  const lines: string[] = [];
  const server = await startEmbeddedPostgres({
    version: "18",
    settings: { work_mem: "12MB", port: 1, shared_preload_libraries: "auto_explain" },
    log: (line) => lines.push(line),
  });
  try {
    assert.match(server.version, /^PostgreSQL 18\.\d+$/);
    assert.notEqual(server.port, 1, "the port is pipebench's to choose");
    assert.ok(existsSync(server.dir));
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      const settings = await client.query<{ work_mem: string; preload: string; listen: string }>(
        "select current_setting('work_mem') as work_mem, current_setting('shared_preload_libraries') as preload, current_setting('listen_addresses') as listen",
      );
      assert.deepEqual(settings.rows[0], { work_mem: "12MB", preload: "pg_stat_statements,auto_explain", listen: "127.0.0.1" });
      const statements = await client.query("select calls from pg_stat_statements limit 1");
      assert.ok(Array.isArray(statements.rows));
    } finally {
      await client.end();
    }
    assert.ok(lines.some((l) => /ready on 127\.0\.0\.1:\d+/.test(l)), JSON.stringify(lines));
    assert.ok(lines.some((l) => /ignoring the setting port/.test(l)), JSON.stringify(lines));
  } finally {
    await server.stop();
  }
  assert.equal(existsSync(server.dir), false, "the temp dir is gone");
  await server.stop(); // idempotent
  const client = new pg.Client(server.url);
  await assert.rejects(client.connect(), /ECONNREFUSED/);
});

test("a version other than the bundled one is refused before anything starts", async () => {
  await assert.rejects(startEmbeddedPostgres({ version: "9.6", target: "pg" }), (error: unknown) => {
    assert.ok(error instanceof TargetFailed);
    assert.equal(error.target, "pg");
    assert.match(error.message, /the embedded server is PostgreSQL \d+\.\d+, not 9\.6/);
    assert.match(error.hint ?? "", /embedded\.version/);
    return true;
  });
});
