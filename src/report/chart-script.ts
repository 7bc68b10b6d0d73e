// The helpers every page's drawing script shares (report.html, plan.html): uPlot charts placed in
// cards under a section, number formats as the tables print them, and the registry
// window.pipebenchCharts ({ kind, title, points, series }) through which a test (or a curious
// reader) sees what was drawn. Plain browser JavaScript, no modules and no network.

/** A page's script: the helpers, then `body`, in one strict function over the page's embedded data. */
export function chartScript(body: string): string {
  return `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = (window.pipebenchCharts = []);
${CHART_HELPERS}${body}})();
`;
}

const CHART_HELPERS = String.raw`
  var palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
  var before = "#6b7280";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // As the tables print latencies (format.ts formatMs), so a legend and its table row agree.
  function fmtMs(v) {
    if (v == null || !isFinite(v)) return "–";
    if (v === 0) return "0";
    if (v >= 10000) return (v / 1000).toFixed(1) + "s";
    if (v >= 1000) return (v / 1000).toFixed(2) + "s";
    if (v >= 1) return v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2) + "ms";
    return Math.round(v * 1000) + "µs";
  }
  // An axis tick without the table's trailing zeros: "8ms", "2.5ms", not "8.00ms", "2.50ms".
  function tick(text) { return text.replace(/(\.\d*?)0+(?=[mµs])/, "$1").replace(/\.(?=[mµs])/, ""); }
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
  function place(section, title, caption) {
    var host = document.getElementById(section);
    var card = el("div", "chart");
    card.appendChild(el("h3", null, title));
    if (caption) card.appendChild(el("p", "muted caption", caption));
    var plot = el("div", "plot");
    card.appendChild(plot);
    host.appendChild(card);
    return plot;
  }
  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
  function draw(kind, section, title, opts, d, caption) {
    var plot = place(section, title, caption);
    opts.width = Math.max(320, Math.min(plot.clientWidth || 560, 900));
    opts.height = opts.height || 260;
    var u = new uPlot(opts, d, plot);
    charts.push({ kind: kind, title: title, points: pointsOf(d), series: d.length - 1, chart: u });
    return u;
  }

`;
