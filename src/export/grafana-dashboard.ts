// A Grafana dashboard for pipebench's live output (`run --prometheus-rw`, src/metrics-out): per
// scenario a row with throughput, errors (by kind, dropped, in flight, the error ratio) and latency
// p50/p95/p99 from the native histograms — quantiles of summed histograms, never averaged
// percentiles — with the suite's thresholds drawn as threshold lines. Built with Grafana's own
// Foundation SDK, whose types are the dashboard schema (a test type-checks the JSON against them).
import * as common from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  type Dashboard,
  type Threshold as GrafanaThreshold,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as TimeseriesBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import type { Threshold } from "../thresholds/parse.js";
import { METRIC_PREFIX } from "../metrics-out/live-output.js";

export interface DashboardScenario {
  name: string;
  thresholds: readonly Threshold[];
}

export interface DashboardInput {
  suite: string;
  scenarios: readonly DashboardScenario[];
  /** The run the dashboard opens on (a stored run); the newest one when absent. */
  runId?: string;
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const RATE = "$__rate_interval";
const PANEL_WIDTH = 8;
const PANEL_HEIGHT = 8;

/** Percentiles drawn on each latency panel. */
const QUANTILES = [0.5, 0.95, 0.99] as const;

export function grafanaDashboard(input: DashboardInput): Dashboard {
  const p = METRIC_PREFIX;
  const runs = `${p}_operations_total{suite="${input.suite}"}`;
  const builder = new DashboardBuilder(`pipebench · ${input.suite}`)
    .uid(`pipebench-${input.suite}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40))
    .tags(["pipebench", "load-test"])
    .description(`Live metrics of pipebench runs of suite ${input.suite} (pipebench run --prometheus-rw), with its thresholds as lines.`)
    .refresh("5s")
    .time({ from: "now-15m", to: "now" })
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus"));
  const run = new QueryVariableBuilder("run_id")
    .label("run")
    .datasource(DATASOURCE)
    .query(`label_values(${runs}, run_id)`)
    .definition(`label_values(${runs}, run_id)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true);
  // From a stored run: the dashboard opens on it; the list offers the suite's other runs.
  if (input.runId !== undefined) run.current({ text: input.runId, value: input.runId });
  builder.withVariable(run);
  for (const scenario of input.scenarios) {
    const sel = `run_id=~"$run_id", suite="${input.suite}", scenario="${scenario.name}"`;
    builder.withRow(new RowBuilder(`scenario ${scenario.name}`));
    builder.withPanel(
      panel(`${scenario.name}: throughput`, "ops", thresholdSteps(scenario.thresholds, ["throughput", "ops"], 1))
        .withTarget(query(`sum by (run_id) (rate(${p}_operations_total{${sel}}[${RATE}]))`, "operations/s · run {{run_id}}", "A"))
        .withTarget(query(`sum by (run_id) (rate(${p}_records_total{${sel}}[${RATE}]))`, "records/s · run {{run_id}}", "B")),
    );
    builder.withPanel(
      panel(`${scenario.name}: errors`, "percentunit", thresholdSteps(scenario.thresholds, ["error_rate"], 1))
        .withTarget(
          query(
            `sum by (run_id) (rate(${p}_errors_total{${sel}}[${RATE}])) / (sum by (run_id) (rate(${p}_errors_total{${sel}}[${RATE}])) + sum by (run_id) (rate(${p}_operations_total{${sel}}[${RATE}])))`,
            "error ratio · run {{run_id}}",
            "A",
          ),
        )
        .withTarget(query(`sum by (run_id, kind) (rate(${p}_errors_total{${sel}}[${RATE}]))`, "{{kind}}/s · run {{run_id}}", "B"))
        .withTarget(query(`sum by (run_id, reason) (rate(${p}_dropped_total{${sel}}[${RATE}]))`, "dropped {{reason}}/s · run {{run_id}}", "C"))
        .withTarget(query(`sum by (run_id) (${p}_in_flight{${sel}})`, "in flight · run {{run_id}}", "D"))
        // The counts are per second and in flight a number: on the right axis, apart from the ratio.
        .overrideByRegexp(".*(/s|in flight).*", [
          { id: "unit", value: "short" },
          { id: "custom.axisPlacement", value: "right" },
        ]),
    );
    const latency = panel(`${scenario.name}: latency`, "s", thresholdSteps(scenario.thresholds, ["p50", "p90", "p95", "p99", "p99.9", "mean", "max"], 1 / 1000));
    QUANTILES.forEach((q, i) => {
      latency.withTarget(
        query(`histogram_quantile(${q}, sum by (run_id) (rate(${p}_latency_seconds{${sel}}[${RATE}])))`, `p${q * 100} · run {{run_id}}`, String.fromCharCode(65 + i)),
      );
    });
    builder.withPanel(latency);
  }
  return builder.build();
}

function panel(title: string, unit: string, steps: GrafanaThreshold[]): TimeseriesBuilder {
  return new TimeseriesBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(PANEL_HEIGHT)
    .span(PANEL_WIDTH)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(steps.length > 1 ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off));
}

function query(expr: string, legend: string, refId: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId).range();
}

/**
 * The thresholds on these metrics as Grafana threshold steps: green below, red from each limit
 * (a line at it). `scale` turns the threshold's unit into the panel's (ms → s).
 */
function thresholdSteps(thresholds: readonly Threshold[], metrics: readonly string[], scale: number): GrafanaThreshold[] {
  const limits = thresholds.filter((t) => metrics.includes(t.metric.replace(/^service\./, ""))).map((t) => t.value * scale);
  const steps: GrafanaThreshold[] = [{ value: null, color: "green" }];
  for (const value of [...new Set(limits)].sort((a, b) => a - b)) steps.push({ value, color: "red" });
  return steps;
}
