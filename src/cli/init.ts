// `pipebench init [kind] [file]`: writes a commented starter suite that runs as written, and the
// suite's JSON Schema beside it for editors. Never overwrites a suite; without a kind it lists the
// kinds and writes nothing (which system to test is the one choice init cannot guess).
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, UsageError } from "../errors.js";
import { didYouMean } from "../suite/did-you-mean.js";
import { suiteSchemaText } from "./schema.js";
import { exportLine, isStarterKind, LOCAL_SERVERS, needsLocalServer, STARTER_KINDS, STARTER_WORDS, starterList, starterSuite, type StarterKind } from "./starters.js";

export const SCHEMA_FILE = "pipebench.schema.json";
const SCRIPTS = fileURLToPath(new URL("../../scripts", import.meta.url));

export function initCommand(kind: string | undefined, file: string | undefined): number {
  if (kind === undefined) {
    process.stdout.write(`${starterList()}\n`);
    return ExitCode.ok;
  }
  if (!isStarterKind(kind)) {
    const looksLikeFile = /\.ya?ml$/i.test(kind) || kind.includes("/");
    throw new UsageError(`"${kind}" is not a kind of starter suite; kinds are: ${STARTER_KINDS.join(", ")}`, {
      hint: looksLikeFile
        ? `name the kind first, then the file: pipebench init http ${kind}`
        : didYouMean(kind, STARTER_KINDS) ?? `e.g. pipebench init ${STARTER_KINDS[0]} (pipebench init lists them)`,
    });
  }
  // A directory given as FILE gets KIND.yaml inside it.
  const given = file ?? `${kind}.yaml`;
  const path = existsSync(given) && statSync(given).isDirectory() ? join(given, `${kind}.yaml`) : given;
  const schemaPath = join(dirname(path), SCHEMA_FILE);
  const shown = shellWord(path);

  mkdirSync(dirname(path), { recursive: true });
  const text = starterSuite(kind, { file: shown, schema: SCHEMA_FILE, script: localScript });
  if (!writeNew(path, text)) {
    throw new UsageError(`${path} already exists; nothing was written`, {
      hint: `choose another path (pipebench init ${kind} other.yaml) or delete it`,
    });
  }
  const schemaWritten = writeNew(schemaPath, suiteSchemaText());

  const lines = [
    `wrote ${path}: ${STARTER_WORDS[kind]}`,
    schemaWritten
      ? `wrote ${schemaPath}: the suite's JSON Schema, for editors (the suite's first line points at it)`
      : `kept ${schemaPath} (refresh it with: pipebench schema > ${shellWord(schemaPath)})`,
    "next:",
    ...nextSteps(kind, shown),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
}

function nextSteps(kind: StarterKind, shown: string): string[] {
  const run = [`  pipebench run ${shown} --dry-run   # the plan: starts nothing`, `  pipebench run ${shown}             # run it`];
  if (!needsLocalServer(kind)) return run;
  const script = localScript(LOCAL_SERVERS[kind].script);
  return [
    `  ${script} fetch   # once: ${LOCAL_SERVERS[kind].what}`,
    `  ${exportLine(kind, script)}`,
    ...run,
    `  ${script} stop    # when done: stops the server, deletes its data`,
  ];
}

/** false when the file exists: `wx` creates it or fails, with no moment in between to lose a file. */
function writeNew(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") return false;
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`, { hint: "choose a path in a directory you can write to" });
  }
}

/** scripts/NAME as the user would type it from here (the scripts ship with the repository only). */
function localScript(name: string): string {
  const path = join(SCRIPTS, name);
  if (!existsSync(path)) return `scripts/${name}`;
  const rel = relative(process.cwd(), path);
  return shellWord(rel.startsWith("..") || isAbsolute(rel) ? path : rel);
}

/** A path as one shell word. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
