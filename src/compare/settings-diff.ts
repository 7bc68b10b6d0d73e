// What differs between two runs besides their numbers: the resolved suites, leaf by leaf (the
// settings a change applied), and the environments (pipebench, Node, host, target versions).
import type { StoredRun } from "../store/results-store.js";

export interface SettingDifference {
  path: string;
  before: unknown;
  after: unknown;
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function environmentDifferences(before: StoredRun, after: StoredRun): string[] {
  const out: string[] = [];
  const differ = (label: string, b: unknown, a: unknown): void => {
    if (JSON.stringify(b) !== JSON.stringify(a)) out.push(`${label}: ${b === undefined ? "–" : show(b)} → ${a === undefined ? "–" : show(a)}`);
  };
  const eb = before.environment;
  const ea = after.environment;
  differ("pipebench", eb.pipebench, ea.pipebench);
  differ("node", eb.node, ea.node);
  for (const key of [...new Set([...Object.keys(eb.host), ...Object.keys(ea.host)])]) {
    if (key === "node") continue; // reported above
    differ(`host ${key}`, eb.host[key], ea.host[key]);
  }
  for (const name of [...new Set([...Object.keys(eb.targets), ...Object.keys(ea.targets)])]) {
    const b = eb.targets[name];
    const a = ea.targets[name];
    differ(`target ${name}`, b === undefined ? undefined : `${b.kind}${b.version ? ` ${b.version}` : ""}`, a === undefined ? undefined : `${a.kind}${a.version ? ` ${a.version}` : ""}`);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf-by-leaf differences of two JSON values, paths dotted (array items by index). */
export function settingDifferences(before: unknown, after: unknown, path = ""): SettingDifference[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => settingDifferences(before[k], after[k], path === "" ? k : `${path}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => settingDifferences(before[i], after[i], `${path}.${i}`)).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}
