// The Ray driver's class for a task's failure, RAY_<Ray's exception class> (task.ts), e.g.
// RAY_RayTaskError(ZeroDivisionError) for a task that raised: the cluster answered with an error, so
// its kind is `server`, but for Ray's get timeout. The class in parentheses is the task's own.
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

const RAY = /^RAY_([A-Za-z_][A-Za-z0-9_]*(?:\([A-Za-z0-9_.]+\))?)$/;
const RAY_TIMEOUTS = new Set(["GetTimeoutError"]);
/** The agent could not find or load the suite's Python function: the suite's mistake. */
const RAY_CLIENT = new Set(["UnknownFunction"]);

export const rayErrorClass: ErrorClassifier = (errorClass) => {
  const ray = RAY.exec(errorClass);
  if (!ray) return undefined;
  const name = ray[1] ?? "";
  const kind: ErrorKind = RAY_TIMEOUTS.has(name) ? "timeout" : RAY_CLIENT.has(name) ? "client" : "server";
  return { kind, code: name, label: `${kind} ray ${name}` };
};
