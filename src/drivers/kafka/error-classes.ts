// The Kafka driver's class for a broker's error, KAFKA_<error code>_<error name> (errors.ts), read
// here as a timeout, a broken connection, the request's fault or the broker's.
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

const KAFKA = /^KAFKA_(\d+)_([A-Z_]+)$/;
const KAFKA_TIMEOUTS = new Set(["REQUEST_TIMED_OUT"]);
const KAFKA_RESETS = new Set(["NETWORK_EXCEPTION"]);
/** Broker errors that say the request was wrong (too large, not allowed), not the broker. */
const KAFKA_CLIENT = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_REQUIRED_ACKS",
  "INVALID_RECORD",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
]);

/** @platformatic/kafka's own codes for a request that timed out and a connection that broke. */
const CLIENT_OWN: Readonly<Record<string, ErrorKind>> = { PLT_KFK_TIMEOUT: "timeout", PLT_KFK_NETWORK: "reset" };

export const kafkaErrorClass: ErrorClassifier = (errorClass) => {
  const own = Object.hasOwn(CLIENT_OWN, errorClass) ? CLIENT_OWN[errorClass] : undefined;
  if (own !== undefined) return { kind: own, label: `${own} (${errorClass})` };
  const kafka = KAFKA.exec(errorClass);
  if (!kafka) return undefined;
  const [, code = "", name = ""] = kafka;
  const kind: ErrorKind =
    KAFKA_TIMEOUTS.has(name) ? "timeout"
    : KAFKA_RESETS.has(name) ? "reset"
    : KAFKA_CLIENT.has(name) ? "client"
    : "server";
  return { kind, code, label: `${kind} kafka ${code} ${name}` };
};
