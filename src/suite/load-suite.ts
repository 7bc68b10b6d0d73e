// Loading a suite: read the YAML, substitute `${VAR}`, apply `--set`, then `--duration` and `--rate`,
// validate everything, and either return a runnable Suite or throw one SuiteError carrying every
// problem, each located at its line and column.
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { isMap } from "yaml";
import { SuiteError, type SuiteIssue } from "../errors.js";
import { didYouMean, listNames } from "./did-you-mean.js";
import { substituteEnv, type EnvIssue } from "./env.js";
import { isSecretKey, maskSecrets, rememberSecret } from "../store/redact.js";
import { applyRunFlags, applySets, dotted, type Origins } from "./overrides.js";
import { TOP_LEVEL_KEYS, type SuiteData } from "./schema.js";
import { expandSweeps } from "./expand-sweeps.js";
import type { DriverSchemas, LoadSuiteOptions, Suite } from "./types.js";
import { validateSuite } from "./validate-suite.js";
import { isRecord, unshared } from "./values.js";
import { moveMisplacedKeys, writtenPath, type MovedKey } from "./misplaced-keys.js";
import { keysInFileOrder, locate, parseYamlSource, type YamlSource } from "./yaml-source.js";
import type { PathIssue } from "./zod-issues.js";

export type { DriverSchema, DriverSchemas, LoadSuiteOptions, Suite, SuiteProbe, SuiteScenario, SuiteTarget } from "./types.js";

export async function loadSuite(file: string, options: LoadSuiteOptions, drivers: DriverSchemas): Promise<Suite> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String((error as Error).message);
    throw new SuiteError([
      { file, path: "", message: `cannot read the suite: ${reason}`, fix: "check the path; `pipebench run` with no suite runs the quickstart" },
    ]);
  }
  return parseSuiteText(text, path, options, drivers);
}

/** `loadSuite` without the file system: `file` names the text in messages and sets `dir`. */
export function parseSuiteText(text: string, file: string, options: LoadSuiteOptions, drivers: DriverSchemas): Suite {
  const parsed = parseYamlSource(text, file);
  if (parsed.source === undefined) throw new SuiteError(parsed.issues);
  const source = parsed.source;
  const root = source.doc.contents;
  if (!isMap(root)) {
    throw new SuiteError([
      {
        file,
        ...(root?.range ? locate(source, []) : {}),
        path: "",
        message: root === null ? "the suite is empty" : "a suite is a map of name, targets, scenarios …, not a single value or a list",
        fix: "start from suites/quickstart.yaml: targets:, probes:, scenarios:, thresholds:",
      },
    ]);
  }

  // Values of secret-named variables: masked in what is stored and in every message below.
  const secrets = new Set<string>();
  const envIssues = substituteEnv(source, options.env ?? process.env, secrets);
  const written = unshared(source.doc.toJS({ maxAliasCount: 1000 }));
  // Keys indented one level too shallow are moved where they belong, and each said once.
  const misplaced = moveMisplacedKeys(source, isRecord(written) ? written : {}, drivers);
  const data: SuiteData = misplaced.data;
  const moves = misplaced.moves;

  const sets = applySets(data, options.set ?? [], TOP_LEVEL_KEYS);
  const order = scenarioOrder(source, sets.data);
  const selection = selectScenarios(order, options.scenarios ?? []);
  const flags = applyRunFlags(
    sets.data,
    {
      ...(options.duration === undefined ? {} : { duration: options.duration }),
      ...(options.rate === undefined ? {} : { rate: options.rate }),
    },
    new Set(selection.selected),
  );
  const origins: Origins = new Map([...sets.origins, ...flags.origins]);

  const validateOptions = { order, selected: selection.selected, defaultName: basename(file, extname(file)) };
  const result = validateSuite(flags.data, drivers, validateOptions);
  // A file's value that --duration or --rate replaces in this run is still the file's: a mistake in
  // it is reported (it would be back on the next run without the flag).
  // The file is checked a second time, as written, only when a flag did replace one of its values.
  const overridden = replacesFileValue(flags.origins, sets.data)
    ? overriddenIssues(validateSuite(sets.data, drivers, validateOptions).issues, flags.origins, sets.data)
    : [];

  // A value whose `${VAR}` could not be substituted would also fail validation; report the cause only.
  const envPaths = envIssues.map((i) => dotted(i.path));
  const fromEnvVar = (i: PathIssue): boolean => envPaths.some((p) => isUnder(dotted(writtenPath(i.path, moves)), p));
  const pathIssues = [...misplaced.issues, ...selection.issues, ...result.issues].filter((i) => !fromEnvVar(i));
  const issues = [
    ...envIssues.map((i) => fromEnv(i, file)),
    ...pathIssues.map((i) => located(i, source, origins, moves)),
    ...overridden.filter((i) => !fromEnvVar(i)).map((i) => located(i, source, new Map(), moves)),
  ];
  for (const secret of [...secrets, ...secretValues(flags.data)]) rememberSecret(secret);
  if (issues.length > 0 || result.suite === undefined) throw new SuiteError(maskSecrets(sortAndDedupe(issues), secrets));

  // Sweeps are expanded on a valid suite: each combination is validated as a scenario of its own.
  const expanded = expandSweeps({
    data: flags.data,
    selected: selection.selected,
    flags: options.sweep ?? [],
    drivers,
    defaultName: basename(file, extname(file)),
  });
  if (expanded.issues.length > 0) {
    throw new SuiteError(maskSecrets(sortAndDedupe(expanded.issues.map((i) => located(i, source, origins, moves))), secrets));
  }
  const scenarios = result.suite.scenarios.map((s) => {
    const sweep = expanded.sweeps.get(s.name);
    return sweep === undefined ? s : { ...s, sweep };
  });

  return {
    file,
    dir: dirname(file),
    ...result.suite,
    scenarios,
    resolved: maskSecrets(resolvedDocument(flags.data, selection.selected), secrets),
  };
}

/** Scenario names in the order written (a JS object would put `100:` before `copy:`). */
function scenarioOrder(source: YamlSource, data: SuiteData): string[] {
  const names = isRecord(data.scenarios) ? Object.keys(data.scenarios) : [];
  // A map, not indexOf: a suite may hold thousands of scenarios (a sort of indexOf is cubic).
  const written = new Map(keysInFileOrder(source, ["scenarios"]).map((n, i) => [n, i]));
  const rank = (n: string): number => written.get(n) ?? Number.MAX_SAFE_INTEGER;
  return [...names].sort((a, b) => rank(a) - rank(b));
}

function selectScenarios(order: readonly string[], wanted: readonly string[]): { selected: string[]; issues: PathIssue[] } {
  // `--scenario a,b` and `--scenario a --scenario b` alike.
  const names = wanted.flatMap((w) => w.split(",")).map((w) => w.trim()).filter((w) => w !== "");
  if (names.length === 0) return { selected: [...order], issues: [] };
  const issues = names
    .filter((n) => !order.includes(n))
    .map(
      (n): PathIssue => ({
        path: ["scenarios"],
        at: "key",
        message: `no scenario is named "${n}"; scenarios are: ${listNames(order)}`,
        fix: didYouMean(n, order) ?? "pick one of those",
      }),
    );
  return { selected: order.filter((n) => names.includes(n)), issues };
}

/** Values written under secret keys (`password: …`), wherever they are in the suite. */
function secretValues(data: unknown): string[] {
  if (Array.isArray(data)) return data.flatMap(secretValues);
  if (!isRecord(data)) return [];
  return Object.entries(data).flatMap(([key, value]) =>
    isSecretKey(key) && (typeof value === "string" || typeof value === "number") ? [String(value)] : secretValues(value),
  );
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/**
 * The problems of values in the file that a run flag replaced (`duration: 1 minute` under
 * `--duration 2`), told as the file's: a value the flag supplies where the file has none is not one.
 */
function overriddenIssues(issues: readonly PathIssue[], flagged: Origins, file: SuiteData): PathIssue[] {
  const replaced = [...flagged].filter(([p]) => valueAt(file, p) !== undefined);
  // A key the scenarios would have taken from `defaults.load` is one the flag replaced there too.
  const defaultKeys = new Map([...flagged].map(([p, flag]) => [/^scenarios\..+\.load\.([^.[]+)$/.exec(p)?.[1], flag] as const));
  return issues.flatMap((issue) => {
    const path = dotted(issue.path);
    const flag =
      replaced.find(([p]) => isUnder(path, p))?.[1] ??
      (issue.path[0] === "defaults" && issue.path[1] === "load" ? defaultKeys.get(String(issue.path[2])) : undefined);
    if (flag === undefined) return [];
    return [{ ...issue, message: `${issue.message} (the file's value; ${flag} replaces it in this run)` }];
  });
}

/** Whether a flag replaced a value the file wrote: in a scenario's load, or the defaults' it would take. */
function replacesFileValue(flagged: Origins, file: SuiteData): boolean {
  return [...flagged].some(([p]) => {
    const key = /^scenarios\..+\.load\.([^.[]+)$/.exec(p)?.[1];
    return valueAt(file, p) !== undefined || (key !== undefined && valueAt(file, `defaults.load.${key}`) !== undefined);
  });
}

/** The value at a dotted path of plain data (keys with dots in them are not looked for). */
function valueAt(data: unknown, path: string): unknown {
  let node = data;
  for (const key of path.split(".")) node = isRecord(node) ? node[key] : undefined;
  return node;
}

function located(issue: PathIssue, source: YamlSource, origins: Origins, moves: readonly MovedKey[]): SuiteIssue {
  const path = dotted(issue.path);
  const origin = [...origins].find(([p]) => isUnder(path, p) || (issue.at === "key" && isUnder(p, path)))?.[1];
  const position = locate(source, writtenPath(issue.path, moves), issue.at);
  return {
    file: source.file,
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
    path,
    // The file's line is where the overridden value was; the value itself came from a flag.
    message: origin === undefined ? issue.message : `${issue.message} (from ${origin})`,
    ...(issue.fix === undefined ? {} : { fix: issue.fix }),
  };
}

function fromEnv(issue: EnvIssue, file: string): SuiteIssue {
  return { file, line: issue.line, column: issue.column, path: dotted(issue.path), message: issue.message, fix: issue.fix };
}

function sortAndDedupe(issues: readonly SuiteIssue[]): SuiteIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.line}:${i.column}:${i.path}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (i: SuiteIssue): number => (i.line ?? Number.MAX_SAFE_INTEGER) * 10_000 + (i.column ?? 0);
  return unique.sort((a, b) => rank(a) - rank(b));
}

/** What is stored with a run: the document as it ran, only the scenarios that ran, in order. */
function resolvedDocument(data: SuiteData, selected: readonly string[]): SuiteData {
  const scenarios = isRecord(data.scenarios) ? data.scenarios : {};
  return { ...data, scenarios: Object.fromEntries(selected.map((n) => [n, scenarios[n]])) };
}
