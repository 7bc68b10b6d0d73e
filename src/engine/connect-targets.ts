// A run's targets: those its scenarios and probes need, connected in the suite's order (a target
// whose settings say `{{targets.pg.url}}` after pg), closed in reverse. Shared by the suite's run
// and a worker process, which connects the same targets to run its segment.
import type { Connection } from "../drivers/driver.js";
import { driverOf } from "../drivers/index.js";
import type { Suite } from "../suite/types.js";

/** The targets a run needs: those its scenarios and probes name, and those they reference. */
function neededTargets(suite: Suite): string[] {
  const needed = new Set<string>();
  for (const s of suite.scenarios) needed.add(s.target);
  for (const p of suite.probes) if (p.target !== undefined) needed.add(p.target);
  // `{{targets.pg.url}}` in a target's settings makes pg a dependency of it.
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of [...needed]) {
      const config = JSON.stringify(suite.targets[name]?.config ?? {});
      for (const m of config.matchAll(/\{\{\s*targets\.([\w-]+)\./g)) {
        const dep = m[1] ?? "";
        if (!needed.has(dep) && suite.targets[dep] !== undefined) {
          needed.add(dep);
          grew = true;
        }
      }
    }
  }
  return Object.keys(suite.targets).filter((name) => needed.has(name));
}

/** `{{targets.pg.url}}` in a target's settings: the URL of a target connected before it. */
export function refResolver(connected: ReadonlyMap<string, { connection: Connection<unknown> }>): (ref: string) => string | undefined {
  return (ref) => {
    const m = /^targets\.([\w-]+)\.url$/.exec(ref);
    return m ? connected.get(m[1] ?? "")?.connection.info.url : undefined;
  };
}

export async function connectTargets(
  suite: Suite,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<Map<string, { kind: string; connection: Connection<unknown> }>> {
  const connected = new Map<string, { kind: string; connection: Connection<unknown> }>();
  const resolveRef = refResolver(connected);
  try {
    for (const name of neededTargets(suite)) {
      // Interrupted while starting: start no more (the run is stored interrupted, with no scenarios).
      if (signal?.aborted === true) break;
      const target = suite.targets[name];
      const driver = target && driverOf(target.kind);
      if (!target || !driver) continue; // the suite loader has already rejected unknown kinds
      const connection = await driver.connect(target.config, { name, suiteDir: suite.dir, log, resolveRef });
      connected.set(name, { kind: target.kind, connection });
    }
  } catch (error) {
    await closeAll(connected);
    throw error;
  }
  return connected;
}

export async function closeAll(connected: Map<string, { connection: Connection<unknown> }>): Promise<void> {
  // Reverse order: a service started against an embedded database stops before the database.
  for (const { connection } of [...connected.values()].reverse()) {
    await connection.close().catch(() => undefined);
  }
}
