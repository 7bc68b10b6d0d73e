// `pipebench plan plan.yaml`: a capacity plan (src/plan) month by month, from capacities typed in
// or measured by stored runs. Reads the plan file and, when a capacity is measured, the results
// store; starts and connects to nothing, and writes only with --out (plan.md, plan.json and plan.html).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { renderPlanHtml } from "../report/plan-html.js";
import { planMarkdown } from "../report/plan-markdown.js";
import { computePlan } from "../plan/model.js";
import type { RunReader } from "../plan/capacity-source.js";
import { loadPlan, planComponents } from "../plan/load-plan.js";
import { renderPlan } from "../report/plan-console.js";
import { findMaxAnswer } from "../report/find-max-answer.js";
import { ResultsStore } from "../store/results-store.js";
import { PLAN_FORMATS } from "./formats.js";


/** The reads a plan makes of an open store (plan/capacity-source.ts), find-max read back as `show` does. */
export function runReader(store: ResultsStore): RunReader {
  return { path: store.path, resolveRef: (ref) => store.resolveRef(ref), getRun: (id) => store.getRun(id), findMax: findMaxAnswer };
}

export async function planCommand(file: string, flags: { store: string; format: string; out?: string }): Promise<number> {
  if (!(PLAN_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table or json" });
  }
  const loaded = await loadPlan(file);
  let store: ResultsStore | undefined;
  try {
    const components = await planComponents(loaded, async () => {
      store = await ResultsStore.open(flags.store, { create: false });
      return runReader(store);
    });
    const plan = computePlan(loaded.plan, components, loaded.name);
    const json = `${JSON.stringify({ schema: "pipebench.plan/1", file: loaded.file, ...plan }, null, 2)}\n`;
    if (flags.out !== undefined) {
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, "plan.md"), `# Capacity plan: ${plan.name}\n\n${planMarkdown(plan, "## Capacity Plan")}`);
      writeFileSync(join(flags.out, "plan.json"), json);
      writeFileSync(join(flags.out, "plan.html"), renderPlanHtml(plan, loaded.file));
      process.stderr.write(`wrote ${join(flags.out, "plan.md")}, plan.json and plan.html\n`);
    }
    if (flags.format === "json") {
      process.stdout.write(json);
    } else {
      process.stdout.write(`${renderPlan(plan)}\n`);
    }
    return 0;
  } finally {
    await store?.close();
  }
}
