// The suite's probes around a scenario: bound to their targets, read before and after (and at the
// warm-up's end for probes that count from there), sampled on their own timers while it runs, and
// turned into stored readings. A probe that cannot read leaves its metrics absent, never fails the run.
import type { Connection } from "../drivers/driver.js";
import { hostProbe } from "../probes/host.js";
import type { Probe, ProbeReading, ProbeSnapshot } from "../probes/probe.js";
import { serverProbe } from "../probes/server-probe.js";
import type { StoredProbeReading } from "../store/results-store.js";
import type { Suite } from "../suite/types.js";

export interface BoundProbe {
  target: string | null;
  probe: Probe;
  everyMs: number | undefined;
}

export function bindProbes(suite: Suite, connected: Map<string, { connection: Connection<unknown> }>): BoundProbe[] {
  const bound: BoundProbe[] = [];
  for (const spec of suite.probes) {
    if (spec.kind === "host") {
      bound.push({ target: null, probe: hostProbe(), everyMs: spec.everyMs });
      continue;
    }
    const server = serverProbe(spec, suite.file, (name) => connected.get(name)?.connection.info.url);
    if (server !== undefined) {
      bound.push({ ...server, everyMs: spec.everyMs ?? server.probe.sampleEveryMs });
      continue;
    }
    const probe = spec.target === undefined ? undefined : connected.get(spec.target)?.connection.probe?.(spec.kind);
    if (probe) bound.push({ target: spec.target ?? null, probe, everyMs: spec.everyMs });
  }
  return bound;
}

export async function snapshot(probes: readonly BoundProbe[]): Promise<(ProbeSnapshot | undefined)[]> {
  // A probe that fails to read must not fail the run: its metrics are simply absent.
  return Promise.all(probes.map((p) => p.probe.read().catch(() => undefined)));
}

export function summarize(
  probes: readonly BoundProbe[],
  before: readonly (ProbeSnapshot | undefined)[],
  after: readonly (ProbeSnapshot | undefined)[],
  phase: "interval" | "sample",
): StoredProbeReading[] {
  const out: StoredProbeReading[] = [];
  probes.forEach((p, i) => {
    const b = before[i];
    const a = after[i];
    if (!b || !a) return;
    out.push({ target: p.target, probe: p.probe.kind, phase, takenAt: a.at, reading: p.probe.summarize(b, a) });
  });
  return out;
}

/** Probe readings keyed as thresholds look them up: target name (or "host") → probe kind. */
export function readingsByTarget(readings: readonly StoredProbeReading[]): Record<string, Record<string, ProbeReading>> {
  const out: Record<string, Record<string, ProbeReading>> = {};
  for (const r of readings) {
    if (r.phase !== "interval") continue;
    (out[r.target ?? "host"] ??= {})[r.probe] = r.reading;
  }
  return out;
}

/**
 * The snapshots an interval reading starts from: `before`, except for probes that count from the
 * end of the warm-up (Probe.fromMeasureStart), read again once the warm-up is over, so the
 * service's own request counts cover the requests pipebench measured. A scenario that ends within
 * its warm-up keeps `before`.
 */
export function atMeasureStart(probes: readonly BoundProbe[], before: readonly (ProbeSnapshot | undefined)[], warmupMs: number) {
  const starts = [...before];
  const wanted = probes.flatMap((p, i) => (p.probe.fromMeasureStart === true && before[i] !== undefined ? [i] : []));
  if (warmupMs <= 0 || wanted.length === 0) return { stop: () => Promise.resolve(starts) };
  let reading: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    reading = Promise.all(
      wanted.map((i) =>
        probes[i]!.probe.read().then(
          (snap) => void (starts[i] = snap),
          () => undefined,
        ),
      ),
    );
  }, warmupMs);
  timer.unref();
  return {
    async stop(): Promise<(ProbeSnapshot | undefined)[]> {
      clearTimeout(timer);
      await reading;
      return starts;
    },
  };
}

/** Samples probes on their own timers while a scenario runs; stops with the scenario. */
export function sampleDuring(probes: readonly BoundProbe[], before: readonly (ProbeSnapshot | undefined)[]) {
  const samples: StoredProbeReading[] = [];
  const timers = probes.flatMap((p, i) => {
    const b = before[i];
    if (p.everyMs === undefined || b === undefined) return [];
    const timer = setInterval(() => {
      p.probe
        .read()
        .then((snap) => {
          samples.push({ target: p.target, probe: p.probe.kind, phase: "sample", takenAt: snap.at, reading: p.probe.summarize(b, snap) });
        })
        .catch(() => undefined);
    }, p.everyMs);
    timer.unref();
    return [timer];
  });
  return {
    stop(): StoredProbeReading[] {
      for (const t of timers) clearInterval(t);
      return samples;
    },
  };
}
