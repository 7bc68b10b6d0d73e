// The `http` driver: requests against an HTTP service through an undici connection pool, optionally
// starting the service itself (`start:`).
import type { Driver } from "../driver.js";
import { connectHttp } from "./connect.js";
import { HttpTargetSchema, HttpWorkloadSchema, type HttpTarget, type HttpWorkload } from "./schema.js";

export const http: Driver<HttpTarget, HttpWorkload> = {
  kind: "http",
  targetSchema: HttpTargetSchema,
  workloadSchema: HttpWorkloadSchema,
  probeKinds: [],
  connect: connectHttp,
};

export { HttpStartSchema, HttpTargetSchema, HttpWorkloadSchema, RequestWorkloadSchema } from "./schema.js";
export type { HttpTarget, HttpWorkload, HttpStart, RequestWorkload } from "./schema.js";
export { HttpStatusError } from "./request.js";
export { startService, freePort, type StartedService } from "./service.js";
