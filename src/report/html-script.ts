// The script report.html runs: draws the charts in ChartData (chart-data.ts) with uPlot, which the
// page inlines before it. Plain browser JavaScript, no modules and no network. Each chart is
// registered in window.pipebenchCharts ({ kind, title, points }) so a test (or a curious reader)
// can see what was drawn.
export const REPORT_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = (window.pipebenchCharts = []);
  var palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
  var before = "#6b7280";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function fmtMs(v) {
    if (v == null || !isFinite(v)) return "–";
    if (v >= 1000) return +(v / 1000).toFixed(2) + "s";
    if (v >= 1) return +v.toFixed(v >= 100 ? 0 : 2) + "ms";
    return Math.round(v * 1000) + "µs";
  }
  function fmtNum(v) {
    if (v == null || !isFinite(v)) return "–";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : String(+v.toPrecision(3));
  }
  function fmtUnit(unit) {
    return function (v) {
      if (unit === "ms") return fmtMs(v);
      if (unit === "ratio") return v == null ? "–" : +(v * 100).toPrecision(3) + "%";
      return fmtNum(v);
    };
  }
  function pointsOf(d) {
    var n = 0;
    for (var i = 1; i < d.length; i++) for (var j = 0; j < d[i].length; j++) if (d[i][j] != null) n++;
    return n;
  }
  function place(section, title) {
    var host = document.getElementById(section);
    var card = el("div", "chart");
    card.appendChild(el("h3", null, title));
    var plot = el("div", "plot");
    card.appendChild(plot);
    host.appendChild(card);
    return plot;
  }
  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
  function draw(kind, section, title, opts, d) {
    var plot = place(section, title);
    opts.width = Math.max(320, Math.min(plot.clientWidth || 560, 900));
    opts.height = opts.height || 260;
    var u = new uPlot(opts, d, plot);
    charts.push({ kind: kind, title: title, points: pointsOf(d), series: d.length - 1, chart: u });
    return u;
  }

  // Throughput over time: records per second, one line per trial, the baseline dashed in grey.
  data.throughput.forEach(function (c) {
    var colour = 0;
    draw("throughput", "throughput-charts", c.scenario, {
      scales: { x: { time: false }, y: { range: fromZero } },
      axes: [{ label: "seconds" }, { label: "records/s", size: 70, values: function (u, vs) { return vs.map(fmtNum); } }],
      series: [{ label: "s" }].concat(c.series.map(function (s) {
        return { label: s.label, stroke: s.before ? before : palette[colour++ % palette.length], dash: s.before ? [6, 4] : undefined, width: 2, spanGaps: false, value: function (u, v) { return fmtNum(v); } };
      })),
    }, [c.t].concat(c.series.map(function (s) { return s.values; })));
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
    draw("spectrum", "spectrum-charts", c.scenario, {
      scales: { x: { time: false, distr: 3, log: 10, range: [1, Math.max(10, Math.pow(10, Math.ceil(Math.log10(top))))] } },
      axes: [
        { label: "percentile", values: function (u, vs) { return vs.map(nines); },
          splits: function (u, i, min, max) { var out = []; for (var v = 1; v <= max * 1.0001; v *= 10) out.push(v); return out; } },
        { label: "latency", size: 70, values: function (u, vs) { return vs.map(fmtMs); } },
      ],
      series: [{ label: "percentile", value: function (u, v) { return v == null ? "–" : nines(v); } }].concat(c.series.map(function (s) {
        return { label: s.label + " (" + s.count.toLocaleString("en-US") + " ops)", stroke: s.before ? before : palette[colour++ % palette.length], dash: s.before ? [6, 4] : undefined, width: 2, spanGaps: true, points: { show: false }, value: function (u, v) { return fmtMs(v); } };
      })),
    }, [xs].concat(ys));
  });

  // Before / after bars: one chart per metric, the scenarios along x.
  data.bars.forEach(function (c) {
    var n = c.scenarios.length;
    var xs = c.scenarios.map(function (_, i) { return i; });
    var fmt = fmtUnit(c.unit);
    var bars = uPlot.paths.bars;
    draw("bars", "bars-charts", c.metric + " (" + c.unit + ", " + (c.higherIsBetter ? "higher" : "lower") + " is better)", {
      scales: { x: { time: false, range: [-0.6, n - 0.4] }, y: { range: fromZero } },
      axes: [
        { splits: function () { return xs; }, values: function (u, vs) { return vs.map(function (v) { return c.scenarios[v] != null ? c.scenarios[v] : ""; }); }, gap: 6 },
        { size: 70, values: function (u, vs) { return vs.map(fmt); } },
      ],
      series: [
        { label: "scenario", value: function (u, v) { return v == null ? "" : c.scenarios[v] + " (" + c.verdicts[v] + ")"; } },
        { label: "before", fill: before, stroke: before, paths: bars({ size: [0.35, 80], align: -1 }), points: { show: false }, value: function (u, v) { return fmt(v); } },
        { label: "after", fill: palette[0], stroke: palette[0], paths: bars({ size: [0.35, 80], align: 1 }), points: { show: false }, value: function (u, v) { return fmt(v); } },
      ],
    }, [xs, c.before, c.after]);
  });
})();
`;
