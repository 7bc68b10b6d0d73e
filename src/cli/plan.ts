// `pipebench plan plan.yaml`: a capacity plan (src/plan) month by month, from capacities typed in
// or measured by stored runs. Reads the plan file and, when a capacity is measured, the results
// store; starts, connects to and writes nothing.
import { UsageError } from "../errors.js";
import { computePlan } from "../plan/model.js";
import { loadPlan, planComponents } from "../plan/load-plan.js";
import { renderPlan } from "../plan/render.js";
import { ResultsStore } from "../store/results-store.js";

export const PLAN_FORMATS = ["table", "json"] as const;

export async function planCommand(file: string, flags: { store: string; format: string }): Promise<number> {
  if (!(PLAN_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format} is not a format`, { hint: "use --format table or json" });
  }
  const loaded = await loadPlan(file);
  let store: ResultsStore | undefined;
  try {
    const components = planComponents(loaded, () => (store = ResultsStore.open(flags.store, { create: false })));
    const plan = computePlan(loaded.plan, components, loaded.name);
    if (flags.format === "json") {
      process.stdout.write(`${JSON.stringify({ schema: "pipebench.plan/1", file: loaded.file, ...plan }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderPlan(plan)}\n`);
    }
    return 0;
  } finally {
    store?.close();
  }
}
