// `pipebench --help` says every exit code a CI job may see, as the README's table does.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pipebench } from "./helpers.js";

test("--help lists every exit code with its meaning, and exits 0", async () => {
  const r = await pipebench(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  const section = r.stdout.slice(r.stdout.indexOf("Exit codes:"));
  for (const [code, meaning] of [["0", /every threshold passed/], ["1", /a threshold failed/], ["2", /bad input/], ["3", /a target could not be reached/], ["4", /the thresholds passed, but a result they judged is INVALID/], ["70", /a bug in pipebench/], ["130", /interrupted/]] as const) {
    assert.match(section, new RegExp(`\\n  ${code} +${meaning.source}`), section);
  }
});
