// Suites are stored with every run; secrets are not. A key that names a secret has its value
// replaced, and a password inside a URL (postgres://user:pw@host) is masked wherever it appears.

// `authorization` and `cookie`: HTTP headers that carry credentials (Bearer tokens, sessions).
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|credential|private[-_]?key|sasl|authorization|cookie/i;
// user:password@ after `//`, with or without a scheme (a typo such as `postgresql//u:pw@h` is
// printed back in the error about it). The password runs to the last @ before the path, as URLs
// parse; failing that, past a `/` too (people write unencoded / in passwords), unless what comes
// before the `/` is a port (http://host:8080/a@b has no password).
const URL_PASSWORD = /((?:\b[a-z][a-z0-9+.-]*:)?\/\/[^\s:/@"'`]*:)([^\s"'`/]*|(?!\d*\/)[^\s"'`]*)@/gi;
// A credential in a URL's query (postgres://app@db/x?password=…, ?sslpassword=, ?api_key=, ?token=):
// libpq and pg take the password from there too.
const QUERY_SECRET = /([?&][\w.-]*?(?:pass(?:word)?|secret|token|api[-_]?key)=)([^&#\s"'`]+)/gi;
export const REDACTED = "***";

/** `password`, `apiKey`, `sasl.password` … but not `passwordFile`: a path is not the secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/file$/i.test(key);
}

/** Not a secret: a `${VAR}` reference not yet substituted (quoted back in errors about it). */
const PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Secrets learned while running (a substituted $PGPASSWORD, a `password:`, a passwordFile's
 * contents), masked by redactText from then on: a failing setup statement or a server's log line
 * may quote one anywhere, not only in a URL. Filled at run time by the loader and the drivers.
 */
const known = new Set<string>();
const MIN_SECRET_LENGTH = 4;

export function rememberSecret(value: string): void {
  // Shorter values would mask unrelated text ("1" everywhere); a password is longer.
  if (value.length >= MIN_SECRET_LENGTH) known.add(value);
}

export function redactText(text: string): string {
  let out = text
    .replace(URL_PASSWORD, (match, head: string, password: string) => (PLACEHOLDER.test(password) ? match : `${head}${REDACTED}@`))
    .replace(QUERY_SECRET, (match, head: string, value: string) => (PLACEHOLDER.test(value) ? match : `${head}${REDACTED}`));
  for (const secret of known) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

/** Every occurrence of each known secret (e.g. a substituted $PGPASSWORD) replaced, deep. */
export function maskSecrets<T>(value: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0) return value;
  const mask = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.replaceAll(s, REDACTED);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}

/** redactText on every string inside `value`; keys are left as they are (results, probe details). */
export function redactStrings<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}

export function redact(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretKey(key) && typeof inner !== "object" ? REDACTED : redact(inner);
    }
    return out;
  }
  return value;
}
