// Processes that burn a CPU each for a bounded time and then exit by themselves: a busy machine
// made on purpose, for the tests that check pipebench names it (and blames nobody else).
import { spawn, type ChildProcess } from "node:child_process";

export function burners(count: number, ms: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, ["-e", `const end = Date.now() + ${ms}; while (Date.now() < end);`], { stdio: "ignore" }),
  );
}
