// `pipebench merge` reads the recording files generators wrote: a file cut short (a generator killed
// while writing it) or from another pipebench version is refused naming that file, not merged.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readRecordings } from "../../src/engine/recording-wire.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-recordings-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A directory holding one recording file with `text`; returns both paths. */
function withFile(name: string, text: string): { d: string; file: string } {
  const d = join(dir, name);
  mkdirSync(d);
  const file = join(d, "0-0-1of2.json");
  writeFileSync(file, text);
  return { d, file };
}

test("a recording file cut short is refused with its path", () => {
  const { d, file } = withFile("cut", '{"scenario":"ingest","ordinal":0,"trial":0,"recording":{"version":1,"seg');
  assert.throws(() => readRecordings(d), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: `));
});

test("a recording of another version is refused with its path and both versions", () => {
  const { d, file } = withFile("version", JSON.stringify({ scenario: "ingest", ordinal: 0, trial: 0, recording: { version: 2 } }));
  assert.throws(() => readRecordings(d), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: recording.version is 2, this pipebench reads 1`));
});
