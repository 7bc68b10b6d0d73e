// A process pipebench starts (a service under test) must not outlive pipebench, even when pipebench
// is SIGKILLed and runs no exit handler. A tiny detached shell polls pipebench's pid once a second
// and, once it is gone, stops the process group it was given: SIGTERM, then SIGKILL after a grace.
// The embedded PostgreSQL has its own watchdog of the same shape (it also removes its data dir).
import { spawn } from "node:child_process";
import { platform } from "node:os";

export interface OwnerWatchdog {
  /** The group was stopped in order (or has exited): the watchdog goes, and will signal nothing. */
  cancel(): void;
}

/**
 * Watches this process on behalf of process group `pgid` (a child spawned `detached`). Call
 * `cancel` as soon as the child exits, so that a later group given the same id is never signalled.
 */
export function watchOwnerForGroup(pgid: number, graceMs: number): OwnerWatchdog {
  if (platform() === "win32") return { cancel: () => undefined };
  const tenths = Math.max(1, Math.ceil(graceMs / 100));
  const watchdog = spawn(
    "sh",
    [
      "-c",
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
        'kill -TERM -"$2" 2>/dev/null || exit 0; ' +
        'n=0; while kill -0 -"$2" 2>/dev/null && [ $n -lt "$3" ]; do sleep 0.1; n=$((n+1)); done; ' +
        'kill -KILL -"$2" 2>/dev/null; exit 0',
      "pipebench-service-watchdog",
      String(process.pid),
      String(pgid),
      String(tenths),
    ],
    { detached: true, stdio: "ignore" },
  );
  watchdog.on("error", () => undefined); // no `sh`: only the crash cleanup is lost
  watchdog.unref();
  return {
    cancel: () => {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill("SIGTERM");
    },
  };
}
