// A test reporter for `npm test`: how long each test file ran (the runner's own measure of the
// file's process), the slowest first, so the suite's time budget (20 minutes on 2 cores) can be
// watched file by file.
import { relative, resolve } from "node:path";

const SHOWN = 15;

export default async function* slowestFiles(source) {
  const seconds = new Map();
  for await (const event of source) {
    // The file itself completes as a test named by its path (absolute in Node 20, as given in 22).
    const { file, name, nesting, details } = event.data ?? {};
    if (event.type === "test:complete" && nesting === 0 && file !== undefined && resolve(name) === resolve(file)) {
      seconds.set(relative(process.cwd(), file), (details?.duration_ms ?? 0) / 1000);
    }
  }
  const rows = [...seconds].sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return;
  const total = rows.reduce((sum, [, s]) => sum + s, 0);
  yield `\nslowest test files (${rows.length} files, ${total.toFixed(0)} s in all):\n`;
  for (const [file, s] of rows.slice(0, SHOWN)) yield `  ${s.toFixed(1).padStart(6)} s  ${file}\n`;
}
