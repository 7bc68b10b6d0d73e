// Live progress while a scenario runs. On a terminal one line is redrawn in place; elsewhere
// (CI logs, pipes) a line is printed every few seconds so a long run still shows signs of life.
// Written to stderr so `--format json` keeps stdout clean.
import type { Progress } from "../engine/run-scenario.js";
import { formatCount, formatMs } from "../report/format.js";

const WIDTH = 20;
const PLAIN_EVERY_MS = 5000;

export class ProgressLine {
  private readonly tty: boolean;
  private lastPlain = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  /** `trial` is "2/5" when scenarios repeat (`--trials`). */
  start(name: string, index: number, total: number, trial?: string): void {
    this.finish();
    const label = `[${index + 1}/${total}] ${name}${trial === undefined ? "" : ` · trial ${trial}`}`;
    if (!this.tty) this.stream.write(`▸ ${label}\n`);
    this.name = label;
    this.lastPlain = 0;
  }

  private name = "";

  update(p: Progress): void {
    const fraction = p.totalMs ? Math.min(1, p.elapsedMs / p.totalMs) : null;
    const bar =
      fraction === null ? "" : `${"█".repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, "░")} `;
    const time = `${(p.elapsedMs / 1000).toFixed(0)}s${p.totalMs ? `/${(p.totalMs / 1000).toFixed(0)}s` : ""}`;
    const line =
      `${p.phase === "warmup" ? "warm-up " : ""}${bar}${time}  ${formatCount(p.opsPerSec)} ops/s` +
      `  errors ${formatCount(p.errors)}  p99 ${formatMs(p.p99Ms)}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K▸ ${this.name}  ${line}`);
      this.drawn = true;
    } else if (p.elapsedMs - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = p.elapsedMs;
      this.stream.write(`    ${line}\n`);
    }
  }

  /** A line for things that happen between scenarios (starting servers, …). */
  log(message: string): void {
    this.finish();
    this.stream.write(`${message}\n`);
  }

  finish(): void {
    if (this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }
}
