// Sweep keys: `workload.batchSize`, `load.workers`, `target.producer.linger.ms`. A key is relative
// to its scenario: `workload.…` and `load.…` are the scenario's own, `target.…` the settings of the
// target it runs on. Kafka's settings have dots in their names, so a key is resolved against the
// schemas rather than split blindly:
//
//   key      = root "." segment { "." segment }
//   root     = "workload" | "load" | "target"
//   segment  = name | '"' any text but '"' '"'       (a quoted segment is one key, dots and all)
//
// Walking the schema from the root, an unquoted name is one key where the schema lists the keys it
// takes (an object), or where the value under it is itself a map; in a free-form map of scalars
// (a Kafka target's `producer:`, a topic's `config:`) the rest of the key is one setting name.
import type { z } from "zod";
import { splitDotted } from "./overrides.js";
import { allowedKeys } from "./schema-keys.js";
import { isRecord } from "./values.js";

export const SWEEP_ROOTS = ["workload", "load", "target"] as const;
export type SweepRoot = (typeof SWEEP_ROOTS)[number];

/** A key split into its written segments; quoted ones are kept whole. */
export interface WrittenKey {
  readonly text: string;
  readonly root: SweepRoot;
  readonly segments: readonly { readonly name: string; readonly quoted: boolean }[];
}

/** Splits a key, or says what is wrong with it. */
export function splitKey(text: string): { key?: WrittenKey; problem?: string } {
  const { segments, problem } = splitDotted(text);
  if (segments === undefined) return { problem: problem ?? `"${text}" is not a key` };
  if (segments.some((s) => !s.quoted && (s.name === "" || s.name.includes('"')))) return { problem: `"${text}" has an empty or half-quoted name` };
  const [root, ...rest] = segments;
  if (root === undefined || root.quoted || !(SWEEP_ROOTS as readonly string[]).includes(root.name)) {
    return { problem: `"${text}" does not start with workload., load. or target.` };
  }
  if (rest.length === 0 || rest.some((s) => s.name === "")) return { problem: `"${text}" names no setting under ${root.name}` };
  return { key: { text, root: root.name as SweepRoot, segments: rest } };
}

/**
 * The data path under the root that `key` means, given the schema that validates the root's value
 * and the value as written (for a map whose keys are names, e.g. a target's `topics:`).
 */
export function resolveKey(key: WrittenKey, schema: z.core.$ZodType, written: unknown): string[] {
  const path: string[] = [];
  const segs = key.segments;
  let node: unknown = written;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === undefined) break;
    let name = seg.name;
    if (!seg.quoted && allowedKeys(schema, written, path).length === 0) {
      // A free-form map: one key unless what is under it is a map (of settings or of names).
      const child = isRecord(node) ? node[name] : undefined;
      const isMapBelow = isRecord(child) || allowedKeys(schema, written, [...path, name]).length > 0;
      if (!isMapBelow) {
        let j = i + 1;
        while (j < segs.length && segs[j]?.quoted === false) j++;
        name = segs.slice(i, j).map((s) => s.name).join(".");
        i = j - 1;
      }
    }
    path.push(name);
    node = isRecord(node) ? node[name] : undefined;
  }
  return path;
}

/** The short name a variant's label uses: the last setting name (`batchSize`, `linger.ms`). */
export function shortName(path: readonly string[]): string {
  return path[path.length - 1] ?? "";
}
