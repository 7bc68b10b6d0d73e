// Record keys from a template over a generator's fields: "{metric_name}:{host}" (seed 004's key).
import { generators } from "../../data/index.js";
import type { WorkloadProblem } from "../driver.js";
import type { ProduceWorkload } from "./schema.js";

const FIELD = /\{([^{}]+)\}/g;

/** "{metric_name}:{host}" → a function of a record object. */
export function compileKeyTemplate(template: string): (record: Record<string, unknown>) => string {
  const parts = template.split(FIELD); // text, field, text, field, …, text
  return (record) => {
    let out = parts[0] ?? "";
    for (let i = 1; i < parts.length; i += 2) {
      const value = record[parts[i]!];
      out += (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)) + (parts[i + 1] ?? "");
    }
    return out;
  };
}

/** A key template naming a field the generator's records lack, as a problem for the suite loader. */
export function keyTemplateProblem(workload: Pick<ProduceWorkload, "generator" | "key">): WorkloadProblem | undefined {
  if (workload.generator === undefined || workload.key === undefined) return undefined;
  const fields = generators[workload.generator].columns.map((c) => c.name);
  for (const m of workload.key.matchAll(FIELD)) {
    const field = m[1] ?? "";
    if (!fields.includes(field)) {
      return {
        path: "key",
        message: `the key template names {${field}}, which ${workload.generator} records do not have`,
        fix: `use fields of ${workload.generator}: ${fields.map((f) => `{${f}}`).join(", ")}`,
      };
    }
  }
  return undefined;
}
