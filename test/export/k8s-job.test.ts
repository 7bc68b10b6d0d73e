// `pipebench export k8s`: the ConfigMap and the Indexed Job validate against the Kubernetes OpenAPI
// schemas (kubernetes-models, generated from Kubernetes 1.27's), and say what the issue asks:
// Indexed, JOB_COMPLETION_INDEX → --segment, backoffLimit 0, resources, anti-affinity, the image.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { parseAllDocuments } from "yaml";
import { expandK8sVars } from "../../src/export/k8s-job.js";
import { pipebench } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-k8s-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SUITE = `name: Ingest at scale
targets:
  ingest: { kind: http, url: "http://ingest.default.svc:8080" }
scenarios:
  ingest:
    target: ingest
    workload: { type: request, method: POST, path: /ingest, body: { generator: transactions } }
    load: { executor: constant-rate, rate: 5000, duration: 60s }
`;

async function exported(args: string[]): Promise<Record<string, unknown>[]> {
  const file = join(dir, "ingest.yaml");
  writeFileSync(file, SUITE);
  const r = await pipebench(["export", "k8s", file, ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[&*]a\d/, "no YAML anchors: spelled out as kubectl users read them");
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, unknown>);
}

test("export k8s: a ConfigMap with the suite and an Indexed Job of N generators, valid against the Kubernetes schemas", async () => {
  const [configMap, job] = await exported([
    "--workers", "4", "--image", "registry.example/pipebench:0.1", "--cpu", "2", "--memory", "2Gi",
    "--start-at", "2026-12-06T18:00:00Z", "--results-claim", "pipebench-results",
  ]);
  assert.ok(configMap !== undefined && job !== undefined);
  const cm = new ConfigMap(configMap as never);
  cm.validate();
  const j = new Job(job as never);
  j.validate();
  assert.equal(cm.metadata?.name, "pipebench-ingest-at-scale-suite");
  assert.equal(cm.data?.["ingest.yaml"], SUITE);

  const spec = j.spec;
  assert.ok(spec !== undefined);
  assert.deepEqual([spec.completionMode, spec.completions, spec.parallelism, spec.backoffLimit], ["Indexed", 4, 4, 0]);
  const pod = spec.template.spec;
  assert.equal(pod?.restartPolicy, "Never");
  const anti = pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
  assert.equal(anti?.topologyKey, "kubernetes.io/hostname");
  assert.deepEqual(anti?.labelSelector?.matchLabels, spec.template.metadata?.labels);
  const container = pod?.containers[0];
  assert.equal(container?.image, "registry.example/pipebench:0.1");
  assert.deepEqual(container?.resources, { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } });
  assert.deepEqual(container?.command, [
    "pipebench", "run", "/etc/pipebench/ingest.yaml", "--segment", "$(JOB_COMPLETION_INDEX)/4",
    "--start-at", "2026-12-06T18:00:00Z", "--store", "/results/pipebench-ingest-at-scale-$(JOB_COMPLETION_INDEX).db",
    "--recordings", "/results/recordings",
  ]);
  assert.equal(
    container?.env?.find((e) => e.name === "JOB_COMPLETION_INDEX")?.valueFrom?.fieldRef?.fieldPath,
    "metadata.annotations['batch.kubernetes.io/job-completion-index']",
  );
  assert.deepEqual(pod?.volumes?.find((v) => v.name === "results")?.persistentVolumeClaim, { claimName: "pipebench-results" });
  // As Kubernetes expands it for the pod of index 2.
  assert.deepEqual(expandK8sVars(container?.command ?? [], { JOB_COMPLETION_INDEX: "2" }).slice(3, 5), ["--segment", "2/4"]);
});

test("export k8s --store-secret: each generator stores its run in the shared PostgreSQL store the Secret names, the URL never in the manifests", async () => {
  const [, job] = await exported(["--workers", "3", "--image", "pipebench:dev", "--store-secret", "pipebench-store:dsn"]);
  const j = new Job(job as never);
  j.validate();
  const container = j.spec?.template.spec?.containers[0];
  assert.deepEqual(container?.env?.find((e) => e.name === "PIPEBENCH_STORE")?.valueFrom?.secretKeyRef, { name: "pipebench-store", key: "dsn" });
  assert.ok(!(container?.command ?? []).includes("--store"), "the store is the environment's, not a file");
  assert.deepEqual(container?.command?.slice(-2), ["--recordings", "/results/recordings"]);

  const bad = join(dir, "bad-secret.yaml");
  writeFileSync(bad, SUITE);
  const r = await pipebench(["export", "k8s", bad, "--workers", "2", "--image", "pipebench:dev", "--store-secret", "Not_A_Secret"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--store-secret Not_A_Secret is not a Secret's name and key/);
});

test("the validator is not a rubber stamp: a wrong type or enum in the exported Job is rejected", async () => {
  const [, job] = await exported(["--workers", "2", "--image", "pipebench:dev"]);
  const broken = structuredClone(job) as { spec: Record<string, unknown> };
  broken.spec.backoffLimit = "none";
  assert.throws(() => new Job(broken as never).validate(), /backoffLimit must be integer/);
  broken.spec.backoffLimit = 0;
  broken.spec.completionMode = "Indexd";
  assert.throws(() => new Job(broken as never).validate(), /completionMode must be equal to one of the allowed values/);
});

test("export k8s refuses a bad worker count (exit 2, with a hint)", async () => {
  const file = join(dir, "bad.yaml");
  writeFileSync(file, SUITE);
  const r = await pipebench(["export", "k8s", file, "--workers", "0", "--image", "pipebench:dev"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--workers 0 is not a number of workers/);
  assert.match(r.stderr, /hint: /);
});
