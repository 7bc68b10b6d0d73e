// The `http` driver: requests against an HTTP service over a pool of keep-alive connections, optionally
// starting the service itself (`start:`).
import type { Driver } from "../driver.js";
import { hostPort } from "../endpoint.js";
import { httpErrorClass } from "./error-classes.js";
import { HttpTargetSchema, HttpWorkloadSchema, type HttpTarget, type HttpWorkload } from "./schema.js";

export const http: Driver<HttpTarget, HttpWorkload> = {
  kind: "http",
  targetSchema: HttpTargetSchema,
  workloadSchema: HttpWorkloadSchema,
  probeKinds: [],
  errorClasses: httpErrorClass,
  describeEndpoint: (target) =>
    target.start !== undefined ? "a service started by pipebench" : target.url !== undefined ? hostPort(target.url) : "in-process",
  // The HTTP client is loaded on first use.
  connect: async (target, ctx) => (await import("./connect.js")).connectHttp(target, ctx),
};

export { HttpStartSchema, HttpTargetSchema, HttpWorkloadSchema, RequestWorkloadSchema } from "./schema.js";
export type { HttpTarget, HttpWorkload, HttpStart, RequestWorkload } from "./schema.js";
