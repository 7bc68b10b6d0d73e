// "Cannot reach Trino" as one line naming host:port, what went wrong and what to check.
import { TargetUnreachable } from "../../errors.js";
import { hostPort } from "../endpoint.js";
import { TrinoHttpError } from "./protocol.js";

const START_HINT = "start one with scripts/trino-local start (it prints url=…), then set TRINO_URL to that url";

export function unreachable(error: unknown, url: string, target: string): TargetUnreachable {
  const at = hostPort(url);
  const where = `targets.${target}.url`;
  const fail = (message: string, hint: string): TargetUnreachable => new TargetUnreachable(target, message, { hint, cause: error });
  const code = codeOf(error);
  if (error instanceof Error && error.name === "TimeoutError") {
    return fail(`cannot reach Trino at ${at} (no answer within 10 s): is it a Trino coordinator, and is the host up? check ${where}`, "check the network path from this machine to the coordinator");
  }
  if (error instanceof TrinoHttpError) {
    if (error.status === 401) {
      return fail(`Trino at ${at} wants authentication (HTTP 401): pipebench sends X-Trino-User only; check ${where}`, "use a coordinator that accepts X-Trino-User without a password, e.g. over plain HTTP on a private network");
    }
    return fail(`${at} answered /v1/info with HTTP ${error.status}: is it a Trino coordinator? check ${where}`, "the url is the coordinator's base URL, e.g. http://trino.example.com:8080");
  }
  switch (code) {
    case "ECONNREFUSED":
      return fail(`cannot reach Trino at ${at} (ECONNREFUSED): is the coordinator running and listening on that port? check ${where}`, START_HINT);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(`cannot resolve the host of Trino at ${at} (${code}): check the host name in ${where}`, "check for typos and that DNS works from this machine");
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
      return fail(`cannot reach Trino at ${at} (${code}): is the host up, and is a firewall in the way? check ${where}`, "check the network path from this machine to the coordinator");
    default:
      return fail(`cannot connect to Trino at ${at}${code ? ` (${code})` : ""}: ${messageOf(error)}`, `check the coordinator and ${where}`);
  }
}

/** The errno-like code of a network error, looking through undici's and fetch's wrapping. */
function codeOf(error: unknown): string | undefined {
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
