// The script report.html runs: draws the charts in ChartData (chart-data.ts) with uPlot, which the
// page inlines before it, using the helpers of chart-script.ts.
import { chartScript } from "./chart-script.js";
import { PLAN_DRAW } from "./plan-script.js";
import { SCALABILITY_SCRIPT } from "./scalability-script.js";

export const REPORT_SCRIPT = chartScript(String.raw`
  // Throughput over time: records/s (rows/s for a query) as steps (each second's records over its measured length, so a
  // last partial second is a rate, not a collapse), one line per trial, the baseline dashed in
  // grey, the asked rate of an open loop dotted. The legend at rest gives each trial's average,
  // the table's throughput; hovering gives the step under the cursor.
  data.throughput.forEach(function (c) {
    // In the table's words: a query's records are the rows it returned (rows/s).
    function perSec(v) { return fmtNum(v) + " " + c.unit; }
    var colour = 0;
    var end = c.t[c.t.length - 1];
    // A scenario shorter than a second is told in milliseconds (10 operations can take 5 ms).
    var inMs = end < 1;
    function xTick(v) { return String(+(inMs ? v * 1000 : v).toPrecision(6)); }
    function at(v) { return inMs ? String(+(v * 1000).toPrecision(3)) : end < 10 ? v.toFixed(1) : String(+v.toFixed(1)); }
    var unit = inMs ? " ms" : " s";
    var lastStep = c.t.length - 2;
    // The step under the cursor, not uPlot's nearest point: a step's value lasts until the next x.
    function stepAt(x) {
      var i = 0;
      while (i < lastStep && c.t[i + 1] <= x) i++;
      return i;
    }
    var stepped = uPlot.paths.stepped({ align: 1 });
    var lines = c.series.map(function (s) {
      return { label: s.label, stroke: s.before ? before : palette[colour++ % palette.length], dash: s.before ? [6, 4] : undefined, width: 2,
        paths: stepped, points: { show: false },
        value: function (u, v, si, idx) { return idx == null ? perSec(s.average) : v == null || c.t[idx] >= s.end ? "(ended)" : perSec(v); } };
    });
    var asked = c.asked.map(function (a) {
      return { label: a.label, stroke: "#9ca3af", dash: [2, 4], width: 1.5, points: { show: false }, value: function (u, v, si, idx) { return idx != null && c.t[idx] >= a.to ? "(ended)" : perSec(a.rate); } };
    });
    draw("throughput", "throughput-charts", c.scenario, {
      scales: { x: { time: false, range: function () { return [0, end]; } }, y: { range: fromZero } },
      cursor: { dataIdx: function (u, si, ci, x) { return stepAt(x); } },
      axes: [{ label: "elapsed (" + unit.trim() + ")", values: function (u, vs) { return vs.map(xTick); } }, { label: c.unit, size: 70, values: function (u, vs) { return vs.map(fmtNum); } }],
      series: [{ label: "elapsed", value: function (u, v, si, idx) {
        if (idx == null) return at(0) + " to " + at(end) + unit + " (average)";
        var i = Math.min(idx, lastStep);
        return at(c.t[i]) + " to " + at(c.t[i + 1]) + unit;
      } }].concat(lines, asked),
    }, [c.t].concat(c.series.map(function (s) { return s.values; }), c.asked.map(function (a) { return c.t.map(function (x) { return x <= a.to ? a.rate : null; }); })), c.caption);
  });

  // Latency percentile spectrum, as HdrHistogram plots it: x = 1/(1-p) on a log scale, labelled in nines.
  function nines(v) {
    var p = 100 * (1 - 1 / v);
    if (p <= 0) return "0%";
    var digits = Math.max(0, Math.round(Math.log10(v)) - 2);
    return p.toFixed(digits) + "%";
  }
  data.spectrum.forEach(function (c) {
    var xs = [];
    c.series.forEach(function (s) { xs = xs.concat(s.x); });
    xs = Array.from(new Set(xs)).sort(function (a, b) { return a - b; });
    var index = new Map(xs.map(function (x, i) { return [x, i]; }));
    var ys = c.series.map(function (s) {
      var y = new Array(xs.length).fill(null);
      s.x.forEach(function (x, i) { y[index.get(x)] = s.y[i]; });
      return y;
    });
    var colour = 0;
    var top = xs[xs.length - 1] || 10;
    // The decade at or above the last point, and never short of it: a point past the range would
    // be clipped and left out of the y scale.
    var right = Math.max(10, top, Math.pow(10, Math.ceil(Math.log10(top) - 1e-9)));
    draw("spectrum", "spectrum-charts", c.scenario, {
      scales: { x: { time: false, distr: 3, log: 10, range: [1, right] } },
      axes: [
        { label: "percentile", values: function (u, vs) { return vs.map(nines); },
          splits: function (u, i, min, max) { var out = []; for (var v = 1; v <= max * 1.0001; v *= 10) out.push(v); return out; } },
        { label: "latency", size: 70, values: function (u, vs) { return vs.map(function (v) { return tick(fmtMs(v)); }); } },
      ],
      // At rest the legend gives each line's maximum; hovering, the latency at that percentile.
      series: [{ label: "percentile", value: function (u, v, si, idx) { return idx == null ? "max" : nines(v); } }].concat(c.series.map(function (s) {
        return { label: s.label + " (" + s.count.toLocaleString("en-US") + " ops)", stroke: s.before ? before : palette[colour++ % palette.length], dash: s.before ? [6, 4] : undefined, width: 2, spanGaps: true, points: { show: false },
          value: function (u, v, si, idx) { return idx == null ? fmtMs(s.y[s.y.length - 1]) : v == null ? "" : fmtMs(v); } };
      })),
    }, [xs].concat(ys));
  });

  // Before / after bars: one chart per metric, the scenarios along x. Rates and latencies are drawn
  // as each scenario's after in % of its own before (100 %), so a small scenario's change shows
  // beside a large one's; hovering gives the measured values.
  data.bars.forEach(function (c) {
    var n = c.scenarios.length;
    var xs = c.scenarios.map(function (_, i) { return i; });
    var fmt = fmtUnit(c.unit);
    var rel = c.relative;
    function pct(v) { return +v.toPrecision(3) + "%"; }
    var axisFmt = rel ? pct : fmt;
    var bars = uPlot.paths.bars;
    // At rest the legend says which run is which colour; hovering, the values of that scenario.
    function barValue(u, v, si, idx) {
      if (idx == null) return "run " + (si === 1 ? data.baseline : data.run);
      var measured = (si === 1 ? c.before : c.after)[idx];
      if (measured == null) return "not measured";
      return rel && si === 2 && v != null ? fmt(measured) + " (" + pct(v) + " of before)" : fmt(measured);
    }
    var what = rel ? "after in % of before; " + c.unit : c.unit;
    draw("bars", "bars-charts", c.metric + " (" + what + ", " + (c.higherIsBetter ? "higher" : "lower") + " is better)", {
      scales: { x: { time: false, range: [-0.6, n - 0.4] }, y: { range: fromZero } },
      axes: [
        { splits: function () { return xs; }, values: function (u, vs) { return vs.map(function (v) { return c.scenarios[v] != null ? c.scenarios[v] : ""; }); }, gap: 6 },
        { size: 70, values: function (u, vs) { return vs.map(function (v) { return tick(axisFmt(v)); }); } },
      ],
      series: [
        { label: "scenario", value: function (u, v) { return v == null ? "hover a bar for its values" : c.scenarios[v] + " (" + c.verdicts[v] + ")"; } },
        { label: "before", fill: before, stroke: before, paths: bars({ size: [0.35, 80], align: -1 }), points: { show: false }, value: barValue },
        { label: "after", fill: palette[0], stroke: palette[0], paths: bars({ size: [0.35, 80], align: 1 }), points: { show: false }, value: barValue },
      ],
    }, [xs, rel ? rel.before : c.before, rel ? rel.after : c.after]);
  });
` + SCALABILITY_SCRIPT + PLAN_DRAW + `
  // A capacity plan given with report --plan: its nodes and cost charts, as plan.html draws them.
  if (data.plan) drawPlan(data.plan, "plan-charts");
`);
