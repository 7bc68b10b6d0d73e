// The http driver's class for a response it counts as failed: HTTP_<status>, read here as the
// server's fault (5xx) or the request's (4xx).
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

const HTTP = /^HTTP_(\d{3})$/;

export const httpErrorClass: ErrorClassifier = (errorClass) => {
  // The socket pool's own code for a connection closed before its response (socket-pool.ts).
  if (errorClass === "SOCKET_CLOSED") return { kind: "reset", label: `reset (${errorClass})` };
  const http = HTTP.exec(errorClass);
  if (!http) return undefined;
  const status = http[1] ?? "";
  const kind: ErrorKind = status.startsWith("5") ? "server" : status.startsWith("4") ? "client" : "other";
  return { kind, code: status, label: kind === "other" ? `HTTP ${status}` : `${kind} ${status}` };
};
