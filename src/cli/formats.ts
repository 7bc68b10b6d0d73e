// The output formats each command accepts: what `--help` lists, known before a command's module
// is loaded (main.ts loads a command's module only when it runs).
export const RUN_FORMATS = ["table", "json", "kafka-perf"] as const;
export const COMPARE_FORMATS = ["table", "json"] as const;
export const DIAGNOSE_FORMATS = ["table", "json"] as const;
export const FIT_FORMATS = ["table", "json"] as const;
export const PLAN_FORMATS = ["table", "json"] as const;
