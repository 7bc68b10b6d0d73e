// The SRE workbook's multi-window, multi-burn-rate alerts (chapter "Alerting on SLOs", table 5-8;
// Sloth's google-30d windows without its extra 1d/2h row): an alert fires when the error budget of
// a 30-day period burns at `factor` times the sustainable rate over both the long window (enough
// budget spent to matter) and the short one (still burning now, so the alert resets quickly).

export interface BurnWindow {
  severity: "page" | "ticket";
  long: string;
  short: string;
  /** Burn rate: 14.4 spends 2% of a 30-day budget in 1 h. */
  factor: number;
}

export const BURN_WINDOWS: readonly BurnWindow[] = [
  { severity: "page", long: "1h", short: "5m", factor: 14.4 },
  { severity: "page", long: "6h", short: "30m", factor: 6 },
  { severity: "ticket", long: "3d", short: "6h", factor: 1 },
];

/** Every window a recording rule is needed for, shortest first. */
export const RATE_WINDOWS: readonly string[] = ["5m", "30m", "1h", "6h", "3d"];
