// Options several commands share, declared once.
import { Option } from "commander";
import { DEFAULT_STORE } from "../store/model.js";

/** --store: a file, or a PostgreSQL database that many machines share; PIPEBENCH_STORE keeps a URL (and its password) off the command line. */
export function storeOption(use?: string): Option {
  const help = "results store: an SQLite file, or postgres://user@host/db (env PIPEBENCH_STORE)";
  return new Option("--store <path|url>", use === undefined ? help : `${help} (${use})`).default(process.env["PIPEBENCH_STORE"] ?? DEFAULT_STORE);
}
