// Runs the built CLI as a user would: a child process, its stdout, stderr and exit code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/pipebench.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function pipebench(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `pipebench run SUITE` with `env`, the server `pid` SIGKILLed `afterMs` after `scenario` starts (its
 * progress line): a server stopped mid-run. Bounded at 50 s.
 */
export function runAndKillServer(
  args: { suite: string; store: string; env: NodeJS.ProcessEnv; pid: number; scenario: string; afterMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", args.suite, "--store", args.store], {
      env: { ...process.env, NO_COLOR: "1", ...args.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timer: NodeJS.Timeout | undefined;
    const started = new RegExp(`▸ \\[\\d+/\\d+\\] ${args.scenario}\\b`);
    const onData = (chunk: string): void => {
      output += chunk;
      if (timer === undefined && started.test(output)) timer = setTimeout(() => process.kill(args.pid, "SIGKILL"), args.afterMs);
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const bound = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(bound);
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
