// What an `http` target and its `request` workload accept. Durations are milliseconds once parsed.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { Duration } from "../../suite/units.js";

const Headers = z.record(z.string(), z.string());

/** A command pipebench starts as the system under test, on a free port it passes as `PORT`. */
export const HttpStartSchema = z.strictObject({
  command: z.array(z.string()).min(1),
  /** Working directory, relative to the suite file's directory. */
  cwd: z.string().optional(),
  /** Extra environment; `{{targets.NAME.url}}` is replaced by that target's URL. */
  env: z.record(z.string(), z.string()).optional(),
  /** Path polled until it answers 2xx. */
  ready: z.string().startsWith("/").default("/"),
  /** How long to wait for `ready`. */
  timeout: Duration.default(30_000),
  /** How long the service may take to exit after SIGTERM before it gets SIGKILL. */
  stopTimeout: Duration.default(5_000),
});

export const HttpTargetSchema = z
  .strictObject({
    kind: z.literal("http"),
    /** Base URL; a path in it prefixes every request path. Required unless `start` is given. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    connections: z.number().int().positive().default(10),
    /** Requests in flight per connection (HTTP/1.1 pipelining); 1 turns it off. */
    pipelining: z.number().int().positive().default(1),
    /** Sent with every request; a workload's headers override them. */
    headers: Headers.optional(),
    /** Per request: the longest wait for the response headers, and between body chunks. */
    timeout: Duration.default(30_000),
    start: HttpStartSchema.optional(),
  })
  .refine((t) => t.url !== undefined || t.start !== undefined, {
    message: "an http target needs `url` or `start`",
    path: ["url"],
    params: { fix: 'give the service address, e.g. url: "http://127.0.0.1:8080", or a `start:` command' },
  });

const Method = z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A JSON body made from a generator's record `i` for operation `i` (seeded, so reproducible). */
const GeneratedBody = z.strictObject({
  generator: z.enum(GENERATOR_NAMES),
  seed: z.number().int().optional(),
});

const Status = z.number().int().min(100).max(599);

export const RequestWorkloadSchema = z.strictObject({
  type: z.literal("request"),
  method: Method.default("GET"),
  path: z.string().startsWith("/").default("/"),
  headers: Headers.optional(),
  body: z.union([z.string(), GeneratedBody]).optional(),
  /** Which statuses count as success; default any 2xx. */
  expect: z.strictObject({ status: z.union([Status, z.array(Status).min(1)]).optional() }).optional(),
});

export const HttpWorkloadSchema = z.discriminatedUnion("type", [RequestWorkloadSchema]);

export type HttpTarget = z.output<typeof HttpTargetSchema>;
export type HttpStart = z.output<typeof HttpStartSchema>;
export type HttpWorkload = z.output<typeof HttpWorkloadSchema>;
export type RequestWorkload = z.output<typeof RequestWorkloadSchema>;
