// A target's `setup:` SQL, run once in order after connecting. A statement that fails names its
// index and, in the hint, the statement itself; it is the target's failure (exit 3), not a suite
// mistake, because only the server can say whether SQL is right.
import { firstLine, TargetFailed } from "../errors.js";
import { oneLine } from "./sql-text.js";

export interface SetupRun {
  /** The target's name in the suite. */
  readonly target: string;
  /** How the message names the list; default `targets.<target>.setup`. */
  readonly field?: string;
  /** Runs one statement. */
  readonly run: (sql: string) => Promise<unknown>;
  /** The server's words for a failure; default the error's first line. */
  readonly describe?: (error: unknown) => string;
}

export async function runSetup(statements: readonly string[], o: SetupRun): Promise<void> {
  const field = o.field ?? `targets.${o.target}.setup`;
  for (const [i, sql] of statements.entries()) {
    try {
      await o.run(sql);
    } catch (error) {
      throw new TargetFailed(o.target, `${field}[${i}] failed: ${(o.describe ?? firstLine)(error)}`, { hint: `the statement was: ${oneLine(sql)}`, cause: error });
    }
  }
}

