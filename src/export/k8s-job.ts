// `pipebench export k8s SUITE --workers N`: the manifests that run a suite as N load generators on
// Kubernetes: the suite in a ConfigMap, and an Indexed Job (completionMode: Indexed, one pod per
// segment, JOB_COMPLETION_INDEX → --segment i/N, backoffLimit 0 so a failed generator is not
// rerun with the same index, pods on different nodes by anti-affinity, requests = limits so a
// generator gets the CPU it is given). There is no coordinator in the Job: the generators agree on
// a start time (--start-at), and each stores its segment's run in /results (a volume claim every
// pod mounts, or an emptyDir when none is given), or in a shared PostgreSQL store whose URL a
// Secret holds (PIPEBENCH_STORE), with its recording, which `pipebench merge` turns into one run.
import { basename } from "node:path";
import { stringify } from "yaml";

export interface K8sJobOptions {
  readonly suiteName: string;
  /** The suite file's text, as the ConfigMap carries it. */
  readonly suiteText: string;
  readonly suiteFile: string;
  readonly workers: number;
  readonly image: string;
  /** CPU and memory of each generator (requests and limits alike), e.g. "1" and "1Gi". */
  readonly cpu: string;
  readonly memory: string;
  /** The agreed start, ISO or epoch ms; absent: each pod starts when it is ready. */
  readonly startAt?: string;
  /** A PersistentVolumeClaim (ReadWriteMany) the generators store their runs in. */
  readonly resultsClaim?: string;
  /** A Secret's key holding a postgres:// results store URL the generators store their runs in. */
  readonly storeSecret?: { readonly name: string; readonly key: string };
  readonly namespace?: string;
}

/** A DNS-1123 label from the suite's name, short enough for `<job>-<index>-<suffix>` pod names. */
export function jobName(suiteName: string): string {
  const name = `pipebench-${suiteName}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 50)
    .replace(/^-+|-+$/g, "");
  return name === "" ? "pipebench" : name;
}

const SUITE_DIR = "/etc/pipebench";
const RESULTS_DIR = "/results";

/** The ConfigMap and the Indexed Job, as plain objects (apiVersion, kind, metadata, …). */
export function k8sJobManifests(o: K8sJobOptions): Record<string, unknown>[] {
  const name = jobName(o.suiteName);
  const file = basename(o.suiteFile);
  const labels = { "app.kubernetes.io/name": "pipebench", "app.kubernetes.io/instance": name };
  const metadata = (n: string) => ({ name: n, ...(o.namespace === undefined ? {} : { namespace: o.namespace }), labels });
  const resources = { cpu: o.cpu, memory: o.memory };
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(`${name}-suite`),
      data: { [file]: o.suiteText },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata(name),
      spec: {
        completionMode: "Indexed",
        completions: o.workers,
        parallelism: o.workers,
        // A generator that fails is not started again with its index: its segment's run says why.
        backoffLimit: 0,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            affinity: {
              // One generator per node: two on one node share its CPU and network, and measure that.
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" }],
              },
            },
            containers: [
              {
                name: "pipebench",
                image: o.image,
                command: workerCommand({
                  file,
                  workers: o.workers,
                  ...(o.startAt === undefined ? {} : { startAt: o.startAt }),
                  name,
                  ...(o.storeSecret === undefined ? {} : { storeFromEnv: true }),
                }),
                env: [
                  {
                    // Set by the Job controller; written out so $(JOB_COMPLETION_INDEX) expands in command.
                    name: "JOB_COMPLETION_INDEX",
                    valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
                  },
                  { name: "NO_COLOR", value: "1" },
                  // The URL (and its password) stays in the Secret, out of the pod's command line.
                  ...(o.storeSecret === undefined
                    ? []
                    : [{ name: "PIPEBENCH_STORE", valueFrom: { secretKeyRef: { name: o.storeSecret.name, key: o.storeSecret.key } } }]),
                ],
                resources: { requests: resources, limits: resources },
                volumeMounts: [
                  { name: "suite", mountPath: SUITE_DIR, readOnly: true },
                  { name: "results", mountPath: RESULTS_DIR },
                ],
              },
            ],
            volumes: [
              { name: "suite", configMap: { name: `${name}-suite` } },
              o.resultsClaim === undefined
                ? { name: "results", emptyDir: {} }
                : { name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } },
            ],
          },
        },
      },
    },
  ];
}

/**
 * The generator's command, with `$(JOB_COMPLETION_INDEX)` for Kubernetes to expand: the same
 * command a local test runs with that variable set.
 */
export function workerCommand(o: {
  file: string;
  workers: number;
  startAt?: string;
  name: string;
  suiteDir?: string;
  resultsDir?: string;
  /** The store is PIPEBENCH_STORE's (a shared PostgreSQL store), not a file under the results dir. */
  storeFromEnv?: boolean;
}): string[] {
  return [
    "pipebench",
    "run",
    `${o.suiteDir ?? SUITE_DIR}/${o.file}`,
    "--segment",
    `$(JOB_COMPLETION_INDEX)/${o.workers}`,
    ...(o.startAt === undefined ? [] : ["--start-at", o.startAt]),
    ...(o.storeFromEnv === true ? [] : ["--store", `${o.resultsDir ?? RESULTS_DIR}/${o.name}-$(JOB_COMPLETION_INDEX).db`]),
    // What `pipebench merge SUITE /results/recordings` merges into one run once every pod is done.
    "--recordings",
    `${o.resultsDir ?? RESULTS_DIR}/recordings`,
  ];
}

/** Kubernetes' expansion of `$(VAR)` in a container's command from its environment. */
export function expandK8sVars(args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, v: string) => env[v] ?? whole));
}

export function manifestsYaml(manifests: readonly Record<string, unknown>[]): string {
  // No YAML anchors for the shared labels and resources: spelled out, as kubectl users read them.
  return manifests.map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}
