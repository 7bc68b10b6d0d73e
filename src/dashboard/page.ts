// The live view's page: one HTML document with uPlot, its stylesheet, ours and the client script
// inlined, so it loads nothing from anywhere but the events stream of the server that served it.
import { inlineSafe, uplotAssets } from "../report/uplot-assets.js";
import { DASHBOARD_SCRIPT } from "./page-script.js";

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --run: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
  padding: 10px 20px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header .desc { color: var(--muted); flex: 1 1 300px; }
main { padding: 16px 20px 40px; max-width: 1400px; margin: 0 auto; }
.pill { display: inline-block; border-radius: 999px; padding: 1px 10px; font-weight: 600; font-size: 12px;
  border: 1px solid currentColor; text-transform: uppercase; letter-spacing: .03em; }
.pill.running, .pill.measure { color: var(--run); }
.pill.warmup, .pill.connecting, .pill.interrupted, .pill.invalid, .pill.warn { color: var(--warn); }
.pill.passed, .pill.ok { color: var(--ok); }
.pill.failed, .pill.error, .pill.bad { color: var(--bad); }
.pill.waiting, .pill.disconnected { color: var(--muted); }
.conn { color: var(--muted); font-size: 12px; }
#final { margin: 0 0 16px; padding: 12px 16px; border-radius: 6px; background: #fff; border: 1px solid var(--line); }
#final.passed { border-left: 6px solid var(--ok); }
#final.failed, #final.error { border-left: 6px solid var(--bad); }
#final.interrupted, #final.invalid { border-left: 6px solid var(--warn); }
#final[hidden] { display: none; }
.scenario { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 16px; padding: 12px 16px; }
.scenario.waiting { opacity: .6; }
.scenario h2 { font-size: 16px; margin: 0; display: inline; }
.scenario .meta { color: var(--muted); margin-left: 8px; }
.head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.numbers { display: flex; gap: 22px; flex-wrap: wrap; margin: 8px 0; font-variant-numeric: tabular-nums; }
.numbers div { min-width: 90px; }
.numbers b { display: block; font-size: 18px; }
.numbers span { color: var(--muted); font-size: 12px; }
.bar { height: 4px; background: var(--line); border-radius: 2px; overflow: hidden; margin: 6px 0; }
.bar i { display: block; height: 100%; width: 0; background: var(--run); transition: width .3s; }
.bar.warmup i { background: var(--warn); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.chart { min-width: 0; }
table { border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
td, th { text-align: left; padding: 2px 14px 2px 0; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
.mark.ok { color: var(--ok); } .mark.bad { color: var(--bad); }
.summary { margin-top: 8px; }
.failure { color: var(--bad); margin-top: 6px; white-space: pre-wrap; }
.invalid { color: var(--warn); margin-top: 6px; white-space: pre-wrap; }
details { margin-top: 16px; color: var(--muted); }
details pre { white-space: pre-wrap; font-size: 12px; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page. `title` is replaced by the suite's name once the run starts. */
export function renderDashboardPage(title = "pipebench · live"): string {
  const uplot = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${inlineSafe(uplot.css)}</style>
<style>${STYLE}</style>
</head>
<body data-status="connecting">
<header>
  <h1 id="suite">${escapeHtml(title)}</h1>
  <span id="status" class="pill connecting">connecting</span>
  <span id="conn" class="conn"></span>
  <span id="desc" class="desc"></span>
</header>
<main>
  <section id="final" hidden></section>
  <section id="scenarios"></section>
  <details><summary>log</summary><pre id="log"></pre></details>
</main>
<script>${inlineSafe(uplot.js)}</script>
<script>${inlineSafe(DASHBOARD_SCRIPT)}</script>
</body>
</html>
`;
}
