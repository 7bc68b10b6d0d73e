// Suites are stored with every run; secrets are not. A key that names a secret has its value
// replaced, and a password inside a URL (postgres://user:pw@host) is masked wherever it appears.

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|credential|private[-_]?key|sasl/i;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;
export const REDACTED = "***";

export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

export function redact(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && typeof inner !== "object" ? REDACTED : redact(inner);
    }
    return out;
  }
  return value;
}
