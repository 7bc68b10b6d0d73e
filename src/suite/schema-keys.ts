// The keys a zod schema accepts at a path, for "did you mean …" on an unknown key. zod's
// unrecognized_keys issue names the stray key but not the allowed ones, so walk the schema.
// Reads zod 4's documented introspection surface (`schema._zod.def`).
import type { z } from "zod";
import { isRecord } from "./values.js";
import type { DataPath } from "./yaml-source.js";

type Schema = z.core.$ZodType;

/** The fields of a zod def this walk reads; which are present depends on `type`. */
interface DefView {
  readonly type: string;
  readonly shape?: Readonly<Record<string, Schema>>;
  readonly innerType?: Schema;
  readonly in?: Schema;
  readonly options?: readonly Schema[];
  readonly discriminator?: string;
  readonly element?: Schema;
  readonly valueType?: Schema;
  readonly items?: readonly Schema[];
  readonly getter?: () => Schema;
  readonly left?: Schema;
  readonly right?: Schema;
  readonly values?: readonly unknown[];
}

function defOf(schema: Schema): DefView {
  return schema._zod.def as unknown as DefView;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch", "success"]);

/** The object schemas `schema` may stand for, given the value it was handed. */
function objectsOf(schema: Schema, value: unknown, depth = 0): Schema[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (def.type === "object") return [schema];
  if (WRAPPERS.has(def.type) && def.innerType) return objectsOf(def.innerType, value, depth + 1);
  if (def.type === "pipe" && def.in) return objectsOf(def.in, value, depth + 1);
  if (def.type === "lazy" && def.getter) return objectsOf(def.getter(), value, depth + 1);
  if (def.type === "intersection" && def.left && def.right) {
    return [...objectsOf(def.left, value, depth + 1), ...objectsOf(def.right, value, depth + 1)];
  }
  if (def.type === "union" && def.options) {
    const all = def.options.flatMap((o) => objectsOf(o, value, depth + 1));
    // A discriminated union: the option the value's discriminator picks, when it picks one.
    const key = def.discriminator;
    if (key !== undefined && isRecord(value)) {
      const picked = all.filter((o) => literalValues(defOf(o).shape?.[key]).includes(value[key]));
      if (picked.length > 0) return picked;
    }
    return all;
  }
  return [];
}

function literalValues(schema: Schema | undefined): readonly unknown[] {
  if (schema === undefined) return [];
  const def = defOf(schema);
  if (def.type === "literal") return def.values ?? [];
  if (WRAPPERS.has(def.type) && def.innerType) return literalValues(def.innerType);
  return [];
}

/** Schemas for the value under `segment` of a value `schema` validates. */
function childrenOf(schema: Schema, value: unknown, segment: string | number, depth = 0): Schema[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return childrenOf(def.innerType, value, segment, depth + 1);
  if (def.type === "pipe" && def.in) return childrenOf(def.in, value, segment, depth + 1);
  if (def.type === "lazy" && def.getter) return childrenOf(def.getter(), value, segment, depth + 1);
  if (def.type === "array" && def.element) return [def.element];
  if (def.type === "tuple" && typeof segment === "number") return def.items?.[segment] ? [def.items[segment]] : [];
  if (def.type === "record" && def.valueType) return [def.valueType];
  return objectsOf(schema, value, depth + 1).flatMap((o) => {
    const child = defOf(o).shape?.[String(segment)];
    return child ? [child] : [];
  });
}

/** Keys accepted at `path` of `root` (validated by `schema`), in schema order. */
export function allowedKeys(schema: Schema, root: unknown, path: DataPath): string[] {
  return [...new Set(fieldSchemas(schema, root, path).map(([key]) => key))];
}

/** Each key accepted at `path` of `root` with its schema, in schema order (a key may repeat, once per union option). */
export function fieldSchemas(schema: Schema, root: unknown, path: DataPath): [string, Schema][] {
  let schemas: Schema[] = [schema];
  let value = root;
  for (const segment of path) {
    schemas = schemas.flatMap((s) => childrenOf(s, value, segment));
    value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[segment] : undefined;
  }
  return schemas.flatMap((s) => objectsOf(s, value)).flatMap((o) => Object.entries(defOf(o).shape ?? {}));
}

/** The values a union of objects takes for `key`, e.g. a driver's workload `type`s, in schema order. */
export function discriminatorValues(schema: Schema, key: string): unknown[] {
  return [...new Set(objectsOf(schema, undefined).flatMap((o) => literalValues(defOf(o).shape?.[key])))];
}
