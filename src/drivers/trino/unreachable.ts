// "Cannot reach Trino" as one line naming host:port, what went wrong and what to check: the
// network codes read as for every driver, then what only a Trino coordinator answers (HTTP 401,
// a /v1/info that is not Trino's).
import type { TargetUnreachable } from "../../errors.js";
import { hostPort } from "../endpoint.js";
import { Unreachable } from "../unreachable.js";
import { TrinoHttpError } from "./protocol.js";

/** How long /v1/info may take to answer before the coordinator counts as unreachable. */
export const INFO_TIMEOUT_MS = 10_000;

export function unreachable(error: unknown, url: string, target: string): TargetUnreachable {
  const u = new Unreachable(error, {
    product: "Trino",
    at: hostPort(url),
    target,
    refused: { ask: "is the coordinator running and listening on that port?", hint: "start one with scripts/trino-local start (it prints url=…), then set TRINO_URL to that url" },
    reset: "is this the coordinator's HTTP port?",
  });
  const network = u.network();
  if (network) return network;
  if (error instanceof TrinoHttpError) {
    if (error.status === 401) {
      return u.fail(`Trino at ${u.reach.at} wants authentication (HTTP 401): pipebench sends X-Trino-User only; check ${u.where}`, "use a coordinator that accepts X-Trino-User without a password, e.g. over plain HTTP on a private network");
    }
    return u.fail(`${u.reach.at} answered /v1/info with HTTP ${error.status}: is it a Trino coordinator? check ${u.where}`, "the url is the coordinator's base URL, e.g. http://trino.example.com:8080");
  }
  return u.timedOut(INFO_TIMEOUT_MS) ?? u.other();
}
