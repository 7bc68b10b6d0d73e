// A plan's charts (PlanChartData, plan-html.ts): the nodes each component needs by month, as steps
// (a node count holds until the month it changes), and the monthly cost (split into nodes and
// storage when storage has a price). `drawPlan(p, section)` runs inside chartScript
// (chart-script.ts), with its helpers: plan.html draws its data, report.html its `data.plan`.
import { chartScript } from "./chart-script.js";

export const PLAN_DRAW = String.raw`
function drawPlan(data, section) {
  var months = data.months;
  function monthTick(u, vs) { return vs.map(function (v) { return Number.isInteger(v) ? String(v) : ""; }); }
  function dollars(v) { return v == null ? "–" : "$" + Math.round(v).toLocaleString("en-US"); }
  var xScale = { time: false, range: function () { return [months[0], months[months.length - 1]]; } };
  var stepped = uPlot.paths.stepped({ align: 1 });

  // A component sized from a find-max answer also gets its safe count (the interval's low end),
  // dashed in its colour; one sized from a floor says its counts are at most.
  var lines = [];
  data.nodes.forEach(function (c, i) {
    var colour = palette[i % palette.length];
    lines.push({ label: c.atMost ? c.component + " (at most)" : c.component, colour: colour, values: c.values, dash: undefined, prefix: c.atMost ? "≤ " : "" });
    if (c.safe) lines.push({ label: c.component + " (safe)", colour: colour, values: c.safe, dash: [6, 4], prefix: "" });
  });
  draw("plan-nodes", section, "Nodes per component by month", {
    scales: { x: xScale, y: { range: fromZero } },
    axes: [{ label: "month", values: monthTick }, { label: "nodes", size: 60, values: function (u, vs) { return vs.map(function (v) { return Number.isInteger(v) ? String(v) : ""; }); } }],
    series: [{ label: "month", value: function (u, v) { return v == null ? "month" : "month " + v; } }].concat(lines.map(function (l) {
      return { label: l.label, stroke: l.colour, width: 2, dash: l.dash, paths: stepped, points: { show: !l.dash, size: 5 },
        value: function (u, v, si, idx) { return l.prefix + (idx == null ? l.values[l.values.length - 1] + " at month " + months[months.length - 1] : v + " nodes"); } };
    })),
  }, [months].concat(lines.map(function (l) { return l.values; })));

  var hasStorage = data.cost.storage.some(function (v) { return v > 0; });
  draw("plan-cost", section, "Monthly cost", {
    scales: { x: xScale, y: { range: fromZero } },
    axes: [{ label: "month", values: monthTick }, { label: "USD per month", size: 80, values: function (u, vs) { return vs.map(dollars); } }],
    series: [{ label: "month", value: function (u, v) { return v == null ? "month" : "month " + v; } },
      { label: "total", stroke: palette[0], width: 2, points: { show: true, size: 5 }, value: function (u, v, si, idx) { return dollars(idx == null ? data.cost.total[data.cost.total.length - 1] : v); } },
    ].concat(hasStorage ? [
      { label: "nodes", stroke: palette[2], width: 1.5, dash: [6, 4], points: { show: false }, value: function (u, v, si, idx) { return dollars(idx == null ? data.cost.compute[data.cost.compute.length - 1] : v); } },
      { label: "storage", stroke: palette[4], width: 1.5, dash: [2, 4], points: { show: false }, value: function (u, v, si, idx) { return dollars(idx == null ? data.cost.storage[data.cost.storage.length - 1] : v); } },
    ] : []),
  }, [months, data.cost.total].concat(hasStorage ? [data.cost.compute, data.cost.storage] : []));
}
`;

export const PLAN_SCRIPT = chartScript(`${PLAN_DRAW}\n  drawPlan(data, "plan-charts");\n`);
