// Plain YAML values as the loader meets them before validation: is this a map, and how does a
// person name what they wrote ("string \"lots\"", "a list").

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy with nothing shared: YAML aliases (`*defaults`) come out of the parser as one object in
 * several places, and a --set on one of them must not change the others.
 */
export function unshared(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unshared);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unshared(v)]));
  return value;
}

/** How a person would name a YAML value they wrote. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value)}`;
  if (typeof value === "number") return `number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return typeof value;
}
