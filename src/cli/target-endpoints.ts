// Where a run will send load, printed before anything connects, so a person sees a production host
// before it is hit: host:port for servers, never a user or password.
import { redactText } from "../store/redact.js";
import type { Suite } from "../suite/types.js";
import { isRecord } from "../suite/values.js";

const DEFAULT_PORT: Readonly<Record<string, string>> = { "postgres:": "5432", "postgresql:": "5432", "http:": "80", "https:": "443" };

/** "pg → 127.0.0.1:5432" for each target the chosen scenarios and probes use, in suite order. */
/** The targets a scenario or a probe uses: the ones a run connects to. */
export function usedTargets(suite: Pick<Suite, "scenarios" | "probes">): Set<string> {
  return new Set([...suite.scenarios.map((s) => s.target), ...suite.probes.flatMap((p) => (p.target === undefined ? [] : [p.target]))]);
}

export function targetEndpoints(suite: Suite): string[] {
  const used = usedTargets(suite);
  return Object.entries(suite.targets)
    .filter(([name]) => used.has(name))
    .map(([name, target]) => `${name} → ${endpointOf(isRecord(target.config) ? target.config : {})}`);
}

export function endpointOf(config: Record<string, unknown>): string {
  if (config.embedded !== undefined && config.embedded !== false) return "embedded (started by pipebench)";
  if (isRecord(config.start)) return "a service started by pipebench";
  if (Array.isArray(config.brokers)) return config.brokers.map(String).join(", ");
  if (typeof config.url === "string") return hostPort(config.url);
  if (typeof config.path === "string") return config.path === ":memory:" ? "in-process (in memory)" : `in-process (${config.path})`;
  return "in-process";
}

/** host:port of a URL; a `{{targets.…}}` reference or an unparsable value shown redacted. */
function hostPort(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get("host") ?? u.hostname;
    if (host === "") return redactText(url);
    const port = u.searchParams.get("port") ?? (u.port || DEFAULT_PORT[u.protocol] || "");
    const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    return port === "" ? shown : `${shown}:${port}`;
  } catch {
    return redactText(url);
  }
}
