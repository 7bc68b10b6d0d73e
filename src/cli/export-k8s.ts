// `pipebench export k8s SUITE --workers N --image IMAGE`: see src/export/k8s-job.ts.
import { readFile, writeFile } from "node:fs/promises";
import { driverSchemas } from "../drivers/index.js";
import { UsageError } from "../errors.js";
import { jobName, k8sJobManifests, manifestsYaml } from "../export/k8s-job.js";
import { loadSuite } from "../suite/load-suite.js";
import { parseStartAt, parseWorkers } from "./scale-out.js";

export interface ExportK8sFlags {
  workers: string;
  image: string;
  cpu: string;
  memory: string;
  startAt?: string;
  resultsClaim?: string;
  storeSecret?: string;
  namespace?: string;
  out?: string;
}

export async function exportK8sCommand(file: string, flags: ExportK8sFlags): Promise<number> {
  // Loaded to check it (a suite mistake exits 2 here, not in N pods); the ConfigMap carries its text.
  const suite = await loadSuite(file, {}, driverSchemas);
  if (flags.workers === "auto") {
    throw new UsageError("--workers auto counts this machine's cores, not the cluster's generators", { hint: "give the number of pods, e.g. --workers 4" });
  }
  const workers = parseWorkers(flags.workers);
  if (flags.startAt !== undefined) parseStartAt(flags.startAt);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.resultsClaim ?? "a")) {
    throw new UsageError(`--results-claim ${flags.resultsClaim ?? ""} is not a PersistentVolumeClaim name`, { hint: "lower-case letters, digits and '-', e.g. --results-claim pipebench-results" });
  }
  const storeSecret = flags.storeSecret === undefined ? undefined : parseSecretRef(flags.storeSecret);
  const text = manifestsYaml(
    k8sJobManifests({
      suiteName: suite.name,
      suiteText: await readFile(suite.file, "utf8"),
      suiteFile: suite.file,
      workers,
      image: flags.image,
      cpu: flags.cpu,
      memory: flags.memory,
      ...(flags.startAt === undefined ? {} : { startAt: flags.startAt }),
      ...(flags.resultsClaim === undefined ? {} : { resultsClaim: flags.resultsClaim }),
      ...(storeSecret === undefined ? {} : { storeSecret }),
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    }),
  );
  if (flags.out === undefined) process.stdout.write(text);
  else {
    await writeFile(flags.out, text);
    console.error(`wrote ${flags.out}: ConfigMap ${jobName(suite.name)}-suite and Indexed Job ${jobName(suite.name)} (${workers} generators)`);
  }
  return 0;
}

/** `NAME` or `NAME:KEY` (key `url` when not given) of the Secret holding the store's URL. */
function parseSecretRef(text: string): { name: string; key: string } {
  const [name = "", key = "url", ...rest] = text.split(":");
  if (rest.length > 0 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || !/^[-._a-zA-Z0-9]+$/.test(key)) {
    throw new UsageError(`--store-secret ${text} is not a Secret's name and key`, {
      hint: "NAME or NAME:KEY, e.g. --store-secret pipebench-store:url (kubectl create secret generic pipebench-store --from-literal=url=postgres://…)",
    });
  }
  return { name, key };
}
