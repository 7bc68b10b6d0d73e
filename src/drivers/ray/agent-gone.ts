// After the load agent's connection is lost, each operation asks the head what became of the
// agent's job, and its error says which of three it was: the head does not answer (a network code:
// ECONNREFUSED, TIMEOUT … — "cannot reach"), the head answers with an HTTP error (HTTP_<status>: the
// head is there, its Jobs API failed; never read as the head being gone), or the head answers with
// the job's status (the job ended or was stopped while the head lives: ECONNRESET, the status said).
import { networkCode } from "../unreachable.js";
import { RayHttpError, type JobInfo, type RayDashboard } from "./jobs.js";

/** How long the question may take: every operation asks it while the agent is gone. */
const ASK_TIMEOUT_MS = 2_000;

export async function agentGone(dashboard: RayDashboard, submissionId: string): Promise<Error> {
  const path = `/api/jobs/${encodeURIComponent(submissionId)}`;
  let job: JobInfo;
  try {
    job = (await dashboard.getJson(path, ASK_TIMEOUT_MS)) as JobInfo;
  } catch (error) {
    if (error instanceof RayHttpError) {
      return coded(`the Ray load agent is gone, and the head's Jobs API answered ${error.message}`, `HTTP_${error.status}`, error);
    }
    if (error instanceof SyntaxError) {
      return coded(`the Ray load agent is gone, and the head answered ${path} with something that is not JSON`, "HTTP_PARSE", error);
    }
    const code = networkCode(error) ?? (error instanceof Error && error.name === "TimeoutError" ? "TIMEOUT" : "ECONNREFUSED");
    return coded(`the Ray head's dashboard does not answer (${code}) and the load agent is gone`, code, error);
  }
  const status = typeof job.status === "string" ? job.status : "of no known status";
  const message = typeof job.message === "string" && job.message !== "" ? `: ${job.message}` : "";
  return coded(`the Ray load agent is gone, though the head still answers: its job ${submissionId} is ${status}${message}`, "ECONNRESET");
}

function coded(message: string, code: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  Object.defineProperty(error, "code", { value: code, enumerable: true });
  return error;
}
