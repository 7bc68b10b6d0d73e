// Problems found after the suite loaded (a query its Prometheus rejects, a mapping an export lacks)
// still point at their line: the suite file read again, and a written path (`probes[0].queries.cpu`,
// `scenarios.ingest.thresholds.2`) looked up in it.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { locate, parseYamlSource, type Position } from "./yaml-source.js";

/** Where a dotted (or bracketed) path of `file` is written; undefined for a path or file it cannot find. */
export async function suiteLines(file: string): Promise<(path: string) => Position | undefined> {
  const text = await readFile(resolve(file), "utf8").catch(() => "");
  const { source } = parseYamlSource(text, file);
  return (path) => {
    if (source === undefined) return undefined;
    const segments = path.split(/[.[\]]/).filter((p) => p !== "");
    return locate(source, segments.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
  };
}
