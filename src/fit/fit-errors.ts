// What `pipebench fit` refuses, as typed errors the CLI's top level prints with their hint. Both are
// bad input (exit 2): the data cannot carry a fit, or a prediction was asked too far from it.
import { ExitCode, PipebenchError } from "../errors.js";

/** Points that cannot be fitted: too few, not numbers, N below 1, throughput not positive. */
export class FitInputError extends PipebenchError {
  readonly code = "FIT_INPUT";
  readonly exitCode = ExitCode.badInput;
}

/** A prediction beyond 2× the largest N measured, asked without --force. */
export class ExtrapolationRefused extends PipebenchError {
  readonly code = "FIT_EXTRAPOLATION";
  readonly exitCode = ExitCode.badInput;
}
