// What drivers share to describe where a target sends load (Driver.describeEndpoint): host:port of
// a URL, never a user or password.
import { redactText } from "../store/redact.js";

const DEFAULT_PORT: Readonly<Record<string, string>> = { "postgres:": "5432", "postgresql:": "5432", "http:": "80", "https:": "443" };

/** host:port of a URL; a `{{targets.…}}` reference or an unparsable value shown redacted. */
export function hostPort(url: string): string {
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

/** Said of a server pipebench starts and stops itself. */
export const EMBEDDED = "embedded (started by pipebench)";
