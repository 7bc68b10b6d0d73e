// Error classes read by the drivers that make them: the network classes every client shares
// (metrics/error-kind.ts), then each registered driver's own (Driver.errorClasses). Lives beside the
// registry, not in metrics/, because drivers import metrics: the lookup is turned round here.
import { classifyErrorClass, errorsByKindWith, type ErrorClassifier, type ErrorClassInfo, type ErrorKind } from "../metrics/error-kind.js";
import type { Driver } from "./driver.js";
import { drivers } from "./index.js";

const REGISTERED: readonly Driver[] = Object.values(drivers);
const CLASSIFIERS: readonly ErrorClassifier[] = REGISTERED.flatMap((d) => (d.errorClasses === undefined ? [] : [d.errorClasses]));

/** The kind, code and label of a stored error class. Pure; a class no driver reads is `other`. */
export function errorClassInfo(errorClass: string): ErrorClassInfo {
  return classifyErrorClass(errorClass, CLASSIFIERS);
}

/** Error counts by class, summed by kind; kinds with no errors are left out. */
export function errorsByKind(byClass: Readonly<Record<string, number>>): Partial<Record<ErrorKind, number>> {
  return errorsByKindWith(byClass, CLASSIFIERS);
}
