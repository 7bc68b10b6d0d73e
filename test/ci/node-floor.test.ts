// Node 22 LTS is the floor (issue 12, item 9): package.json's engines, @types/node and the README
// say one number, and `.ci/run` fetches Node 22 wherever the machine's Node is below it — Node 20,
// and a Node 22 older than 22.19, on which `npm ci` warns as it did on 20. The script's own Node
// block runs here under a stand-in `node` that reports the version asked (the real Node underneath),
// with a Node 22 already in its cache, so nothing is downloaded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

test("the floor is one number: package.json engines, @types/node and the README say Node 22.19", () => {
  assert.equal(pkg.engines.node, ">=22.19");
  assert.match(pkg.devDependencies["@types/node"] ?? "", /^\^22\./);
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  assert.match(readme, /Needs Node 22 LTS \(≥ 22\.19/);
  // The sample output's environment line was printed by the Node the README names.
  assert.match(readme, /· node v22\.\d+\.\d+ ·/);
  assert.doesNotMatch(readme, /· node v(1\d|20|21)\./);
});

const dir = mkdtempSync(join(tmpdir(), "pipebench-node-floor-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `.ci/run`'s Node block: from its comment to the line that prints the Node it ended with. */
function nodeBlock(): string {
  const lines = readFileSync(join(ROOT, ".ci", "run"), "utf8").split("\n");
  const from = lines.findIndex((l) => l.startsWith("# Node 22 LTS is the floor"));
  const to = lines.findIndex((l) => l.startsWith('echo "node $(node --version)'));
  assert.ok(from >= 0 && to > from, "the Node block of .ci/run");
  return lines.slice(from, to).join("\n");
}

/** A `node` on PATH that is the real one reporting `version` (process.versions.node and --version). */
function standIn(where: string, version: string): void {
  mkdirSync(where, { recursive: true });
  const pretend = join(where, "pretend.cjs");
  writeFileSync(pretend, `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} });\n`);
  const node = join(where, "node");
  writeFileSync(node, `#!/bin/sh\n[ "$1" = --version ] && { echo v${version}; exit 0; }\nexec ${JSON.stringify(process.execPath)} --require ${JSON.stringify(pretend)} "$@"\n`);
  chmodSync(node, 0o755);
}

/** Runs the block with the machine's Node at `version`: which node is first on PATH after it. */
function nodeAfterBlock(version: string): { node: string; version: string; nodedir: string } {
  const home = join(dir, `home-${version}`);
  // Node 22 already fetched into the cache, as a second run of .ci/run finds it.
  standIn(join(home, ".cache", "pipebench", `node-22-${process.arch}`, "bin"), "22.23.5");
  const machine = join(dir, `machine-${version}`);
  standIn(machine, version);
  const r = spawnSync("bash", ["-c", `set -euo pipefail\n${nodeBlock()}\necho "$(command -v node) $(node --version) \${npm_config_nodedir:-none}"`], {
    cwd: ROOT,
    env: { PATH: `${machine}:/usr/bin:/bin`, HOME: home },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const [node = "", shown = "", nodedir = ""] = r.stdout.trim().split(" ");
  return { node, version: shown, nodedir };
}

test(".ci/run puts Node 22 first on PATH where the machine's Node is below 22.19, and keeps one that meets it", () => {
  const cached = join(dir, "home-%", ".cache", "pipebench", `node-22-${process.arch}`);
  for (const below of ["20.20.2", "22.12.0", "22.18.9"]) {
    const r = nodeAfterBlock(below);
    assert.equal(r.version, "v22.23.5", `machine Node ${below}: ${JSON.stringify(r)}`);
    assert.equal(r.node, join(cached.replace("%", below), "bin", "node"));
    assert.equal(r.nodedir, cached.replace("%", below), "node-gyp builds against the fetched Node's headers");
  }
  for (const meets of ["22.19.0", "22.23.5", "24.3.0"]) {
    const r = nodeAfterBlock(meets);
    assert.deepEqual([r.node, r.version, r.nodedir], [join(dir, `machine-${meets}`, "node"), `v${meets}`, "none"], `machine Node ${meets}`);
  }
});
