// One phase of `npm test`: test files CONCURRENCY at a time, started in the order given (`node
// --test` on the command line sorts them by name), reported by Node's spec reporter, then the
// slowest files listed so the time budget (20 minutes on 2 cores) can be watched file by file.
//
//   node --import tsx scripts/run-tests.mjs CONCURRENCY FILE...
//
// Each file runs in a process of its own, which inherits `--import tsx` from this one.
import { relative, resolve } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";

const SHOWN = 15;

const [concurrency, ...files] = process.argv.slice(2);
const seconds = new Map();
let failed = false;

const tests = run({ files, concurrency: Number(concurrency) });
tests.on("test:fail", (data) => {
  if (data.todo === undefined || data.todo === false) failed = true;
});
tests.on("test:complete", ({ file, name, nesting, details }) => {
  // A file completes as a top-level test named by its path.
  if (nesting === 0 && file !== undefined && resolve(name) === resolve(file)) {
    seconds.set(relative(process.cwd(), file), (details?.duration_ms ?? 0) / 1000);
  }
});
for await (const chunk of tests.pipe(new spec())) process.stdout.write(chunk);

const rows = [...seconds].sort((a, b) => b[1] - a[1]);
const total = rows.reduce((sum, [, s]) => sum + s, 0);
console.log(`\nslowest test files (${rows.length} files, ${total.toFixed(0)} s in all):`);
for (const [file, s] of rows.slice(0, SHOWN)) console.log(`  ${s.toFixed(1).padStart(6)} s  ${file}`);
process.exitCode = failed ? 1 : 0;
