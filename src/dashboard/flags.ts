// `--dashboard[=PORT]` and `--dashboard-linger <time>` as the command line gives them, checked.
import { UsageError } from "../errors.js";
import { parseDuration } from "../suite/units.js";

export interface DashboardFlags {
  /** true: a free port; a string: the port asked for (or, see below, the suite). */
  dashboard?: boolean | string;
  dashboardLinger?: string;
}

export interface DashboardSettings {
  /** Undefined: a free port. */
  port?: number;
  /** How long the page stays served after the run ends. */
  lingerMs: number;
}

/**
 * The dashboard's settings, or undefined when it was not asked for, and the suite argument.
 * `--dashboard` takes an optional value, so `run --dashboard my-suite.yaml` hands the suite to
 * it: a value that is not a port, with no suite given otherwise, is the suite.
 */
export function dashboardSettings(
  flags: DashboardFlags,
  suiteArg: string | undefined,
): { settings: DashboardSettings | undefined; suiteArg: string | undefined } {
  let lingerMs = 0;
  if (flags.dashboardLinger !== undefined) {
    const parsed = parseDuration(flags.dashboardLinger);
    if (parsed === undefined) {
      throw new UsageError(`--dashboard-linger ${flags.dashboardLinger} is not a duration`, {
        hint: "write e.g. --dashboard-linger 60 (seconds) or --dashboard-linger 5m",
      });
    }
    lingerMs = parsed;
  }
  const value = flags.dashboard;
  if (value === undefined || value === false) {
    if (flags.dashboardLinger !== undefined) {
      throw new UsageError("--dashboard-linger needs --dashboard", { hint: "add --dashboard (a free port) or --dashboard=8090" });
    }
    return { settings: undefined, suiteArg };
  }
  if (value === true) return { settings: { lingerMs }, suiteArg };
  if (/^\d+$/.test(value)) {
    const port = Number(value);
    if (port < 1 || port > 65535) {
      throw new UsageError(`--dashboard=${value} is not a port`, { hint: "give a port from 1 to 65535, or none for a free one" });
    }
    return { settings: { port, lingerMs }, suiteArg };
  }
  if (suiteArg === undefined) return { settings: { lingerMs }, suiteArg: value };
  throw new UsageError(`--dashboard ${value} is not a port`, {
    hint: "write --dashboard=8090 for a port, or --dashboard alone for a free one",
  });
}
