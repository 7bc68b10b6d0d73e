// A test reporter for `npm test`: how long each test file took, from its first event to its
// last, the slowest first, so the suite's time budget (20 minutes on 2 cores) can be watched.
import { relative } from "node:path";

const SHOWN = 12;

export default async function* slowestFiles(source) {
  const spans = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (file === undefined) continue;
    const now = performance.now();
    const span = spans.get(file);
    if (span === undefined) spans.set(file, { first: now, last: now });
    else span.last = now;
  }
  const rows = [...spans].map(([file, s]) => [relative(process.cwd(), file), (s.last - s.first) / 1000]).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return;
  yield `\nslowest test files (first to last event):\n`;
  for (const [file, s] of rows.slice(0, SHOWN)) yield `  ${s.toFixed(1).padStart(6)} s  ${file}\n`;
}
