// "Cannot reach Ray" as one line naming host:port, what went wrong and what to check: the network
// codes read as for every driver, then what only a Ray dashboard answers (an HTTP error, a
// /api/version that is not Ray's).
import type { TargetUnreachable } from "../../errors.js";
import { hostPort } from "../endpoint.js";
import { Unreachable } from "../unreachable.js";
import { RayHttpError } from "./jobs.js";

/** How long /api/version may take to answer before the head counts as unreachable. */
export const VERSION_TIMEOUT_MS = 10_000;

export function unreachable(error: unknown, url: string, target: string): TargetUnreachable {
  const u = new Unreachable(error, {
    product: "Ray",
    at: hostPort(url),
    target,
    refused: { ask: "is the head running with its dashboard on that port?", hint: "start one with scripts/ray-local start (it prints url=…), then set RAY_URL to that url" },
    reset: "is this the head's dashboard port (8265 by default)?",
  });
  const network = u.network();
  if (network) return network;
  if (error instanceof RayHttpError) {
    return u.fail(`${u.reach.at} answered ${error.path} with HTTP ${error.status}: is it a Ray dashboard (ray[default])? check ${u.where}`, "the url is the head's dashboard, e.g. http://ray-head:8265; the Jobs API needs ray[default] on the head");
  }
  if (error instanceof SyntaxError) {
    return u.fail(`${u.reach.at} did not answer /api/version with JSON: is it a Ray dashboard? check ${u.where}`, "the url is the head's dashboard, e.g. http://ray-head:8265");
  }
  return u.timedOut(VERSION_TIMEOUT_MS) ?? u.other();
}
