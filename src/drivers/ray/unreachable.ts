// "Cannot reach Ray" as one line naming host:port, what went wrong and what to check.
import { TargetUnreachable } from "../../errors.js";
import { hostPort } from "../endpoint.js";
import { RayHttpError } from "./jobs.js";

const START_HINT = "start one with scripts/ray-local start (it prints url=…), then set RAY_URL to that url";

export function unreachable(error: unknown, url: string, target: string): TargetUnreachable {
  const at = hostPort(url);
  const where = `targets.${target}.url`;
  const fail = (message: string, hint: string): TargetUnreachable => new TargetUnreachable(target, message, { hint, cause: error });
  const code = codeOf(error);
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return fail(`cannot reach Ray at ${at} (no answer within 10 s): is it a Ray head's dashboard, and is the host up? check ${where}`, "check the network path from this machine to the head");
  }
  if (error instanceof RayHttpError) {
    return fail(`${at} answered ${error.path} with HTTP ${error.status}: is it a Ray dashboard (ray[default])? check ${where}`, "the url is the head's dashboard, e.g. http://ray-head:8265, and the head needs ray[default] for the Jobs API");
  }
  if (error instanceof SyntaxError) {
    return fail(`${at} did not answer /api/version with JSON: is it a Ray dashboard? check ${where}`, "the url is the head's dashboard, e.g. http://ray-head:8265");
  }
  switch (code) {
    case "ECONNREFUSED":
      return fail(`cannot reach Ray at ${at} (ECONNREFUSED): is the head running with its dashboard on that port? check ${where}`, START_HINT);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(`cannot resolve the host of Ray at ${at} (${code}): check the host name in ${where}`, "check for typos and that DNS works from this machine");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return fail(`cannot reach Ray at ${at} (${code}): is the host up, and is a firewall in the way? check ${where}`, "check the network path from this machine to the head");
    default:
      return fail(`cannot connect to Ray at ${at}${code ? ` (${code})` : ""}: ${messageOf(error)}`, `check the head and ${where}`);
  }
}

/** The errno-like code of a network error, looking through wrapping. */
export function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
