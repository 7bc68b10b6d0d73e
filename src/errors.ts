// One error base class: every failure the CLI can report carries a stable code, the exit code it
// maps to and a hint a person can act on. Only the CLI's top level prints them.

export const ExitCode = {
  ok: 0,
  thresholdsFailed: 1,
  badInput: 2,
  targetFailed: 3,
  /** The thresholds passed, but a result they judged is invalid (`--allow-invalid` accepts it). */
  resultsInvalid: 4,
  /** A bug in pipebench (`--verbose` prints the stack). */
  internal: 70,
  /** Interrupted with Ctrl-C or SIGTERM: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class PipebenchError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** One problem in a suite file, located as precisely as the source allows. */
export interface SuiteIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `scenarios.writes.load.rate`. Empty for file-level problems. */
  path: string;
  message: string;
  fix?: string;
}

/** A suite that cannot be run. Carries every problem found, not only the first. */
export class SuiteError extends PipebenchError {
  readonly code = "SUITE_INVALID";
  readonly exitCode = ExitCode.badInput;
  readonly issues: readonly SuiteIssue[];

  constructor(issues: readonly SuiteIssue[], options: { hint?: string } = {}) {
    super(
      issues.length === 1 ? "the suite has 1 problem" : `the suite has ${issues.length} problems`,
      options,
    );
    this.issues = issues;
  }
}

/** A command line that cannot be acted on (unknown flag value, bad --set, missing run id). */
export class UsageError extends PipebenchError {
  readonly code = "USAGE";
  readonly exitCode = ExitCode.badInput;
}

/** A target could not be reached before the run started. */
export class TargetUnreachable extends PipebenchError {
  readonly code = "TARGET_UNREACHABLE";
  readonly exitCode = ExitCode.targetFailed;
  readonly target: string;

  constructor(target: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.target = target;
  }
}

/** A target (or a server pipebench started for one) failed during setup or mid-run. */
export class TargetFailed extends PipebenchError {
  readonly code = "TARGET_FAILED";
  readonly exitCode = ExitCode.targetFailed;
  readonly target: string;

  constructor(target: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.target = target;
  }
}

/** The results store could not be opened or written. */
export class StoreError extends PipebenchError {
  readonly code = "STORE";
  readonly exitCode = ExitCode.badInput;
}

export function isPipebenchError(error: unknown): error is PipebenchError {
  return error instanceof PipebenchError;
}

/** A short, stable class for an operation failure, used to count errors by kind. */
export function classifyError(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: unknown; name?: unknown };
    if (typeof e.code === "string" && e.code.length > 0) return e.code;
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
  }
  return "Error";
}

/** An error's first line, for a one-line message (servers and clients append stacks and context below it). */
export function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}
