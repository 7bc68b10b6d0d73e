// report.html's scalability charts (ScalabilityChart, scalability.ts): the measured points as dots,
// the fitted USL curve as a line and its confidence band shaded between the band's two edges, from
// N = 1 to 2× the largest N measured. Runs inside chartScript (chart-script.ts), with its helpers.
export const SCALABILITY_SCRIPT = String.raw`
  // The points and the curve are at different N: one x axis of both, each series null where it has
  // no value; the curve and its edges span the gaps, the points are drawn as dots only.
  data.scalability.forEach(function (c) {
    var xs = Array.from(new Set(c.points.map(function (p) { return p.n; }).concat(c.curve.map(function (p) { return p.n; })))).sort(function (a, b) { return a - b; });
    function column(list, field) {
      var at = new Map(list.map(function (p) { return [p.n, p[field]]; }));
      return xs.map(function (x) { return at.has(x) ? at.get(x) : null; });
    }
    var measured = column(c.points, "throughput");
    var fitted = column(c.curve, "throughput");
    var low = column(c.curve, "low");
    var high = column(c.curve, "high");
    var band = c.curve.some(function (p) { return p.low != null; });
    function perSec(v) { return v == null ? "" : fmtNum(v) + " records/s"; }
    var series = [
      { label: "N", value: function (u, v) { return v == null ? "N (" + c.key + ")" : "N = " + fmtNum(v); } },
      { label: "measured", stroke: palette[1], fill: palette[1], paths: function () { return null; }, points: { show: true, size: 9, width: 1, fill: palette[1] },
        value: function (u, v, si, idx) { return idx == null ? c.points.length + " points" : v == null ? "–" : perSec(v); } },
      { label: "USL fit", stroke: palette[0], width: 2, spanGaps: true, points: { show: false },
        value: function (u, v, si, idx) { return idx == null ? (c.peakN == null ? "no peak" : "peak at N* ≈ " + fmtNum(c.peakN)) : perSec(v); } },
    ];
    var d = [xs, measured, fitted];
    var opts = {
      scales: { x: { time: false, range: function () { return [0, xs[xs.length - 1]]; } }, y: { range: fromZero } },
      axes: [{ label: "N (" + c.key + ")", values: function (u, vs) { return vs.map(fmtNum); } }, { label: "records/s", size: 70, values: function (u, vs) { return vs.map(fmtNum); } }],
      series: series,
    };
    if (band) {
      // The band's edges are faint lines; uPlot fills between them (series 4 above series 3).
      function edge(word) { return function (u, v, si, idx) { return idx == null ? word + " edge" : perSec(v); }; }
      series.push({ label: "95% low", stroke: "rgba(37,99,235,0.35)", width: 1, dash: [4, 4], spanGaps: true, points: { show: false }, value: edge("lower") });
      series.push({ label: "95% high", stroke: "rgba(37,99,235,0.35)", width: 1, dash: [4, 4], spanGaps: true, points: { show: false }, value: edge("upper") });
      d.push(low, high);
      opts.bands = [{ series: [4, 3], fill: "rgba(37,99,235,0.12)" }];
    }
    draw("scalability", c.section, c.title, opts, d, "measured medians, the fitted curve and its 95% band, to 2× the largest N measured (" + fmtNum(c.maxMeasuredN) + ")");
  });
`;
