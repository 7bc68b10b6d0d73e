// The `http` driver: requests against an HTTP service over a pool of keep-alive connections, optionally
// starting the service itself (`start:`).
import type { Driver } from "../driver.js";
import { HttpTargetSchema, HttpWorkloadSchema, type HttpTarget, type HttpWorkload } from "./schema.js";

export const http: Driver<HttpTarget, HttpWorkload> = {
  kind: "http",
  targetSchema: HttpTargetSchema,
  workloadSchema: HttpWorkloadSchema,
  probeKinds: [],
  // The HTTP client is loaded on first use.
  connect: async (target, ctx) => (await import("./connect.js")).connectHttp(target, ctx),
};

export { HttpStartSchema, HttpTargetSchema, HttpWorkloadSchema, RequestWorkloadSchema } from "./schema.js";
export type { HttpTarget, HttpWorkload, HttpStart, RequestWorkload } from "./schema.js";
