// What every self-contained page pipebench writes shares (report.html, plan.html): the escaping of
// text into HTML, the stylesheet, and the document shell that inlines uPlot, the page's data as
// JSON and its drawing script, under a Content-Security-Policy that allows no request at all.
import { inlineSafe, jsonForScript, uplotAssets } from "./uplot-assets.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; color: #111827; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 6px; } .meta { color: #4b5563; margin: 2px 0; }
table { border-collapse: collapse; margin: 6px 0 12px; } th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; } th { background: #f9fafb; }
td.text { white-space: normal; max-width: 420px; } .pass { color: #15803d; font-weight: 700; } .fail { color: #b91c1c; font-weight: 700; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; }
.ok { background: #dcfce7; color: #166534; } .bad { background: #fee2e2; color: #991b1b; } .warn { background: #fef9c3; color: #854d0e; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 16px; }
.chart { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; min-width: 0; } .plot { width: 100%; } .chart p.caption { margin: -4px 0 4px; }
ul.checks { list-style: none; padding-left: 4px; } .finding { margin: 8px 0; } .muted { color: #6b7280; }
.heatmap { display: inline-block; max-width: 100%; overflow-x: auto; margin: 0 16px 16px 0; vertical-align: top; }
td.heat { text-align: center; min-width: 90px; } td.heat small { display: block; color: #374151; } td.best { outline: 3px solid #2563eb; }
dl.fit { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 6px 0 12px; } dl.fit dt { color: #4b5563; } dl.fit dd { margin: 0; }
.warnings li { color: #854d0e; }
`;

export interface HtmlPage {
  /** Plain text; escaped here. */
  title: string;
  /** HTML, already escaped by its writer. */
  body: string;
  /** Embedded as JSON in <script id="report-data">, read by `script`. */
  data: unknown;
  /** Plain browser JavaScript, run after uPlot. */
  script: string;
}

export function htmlPage(page: HtmlPage): string {
  const uplot = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${inlineSafe(uplot.css)}</style>
<style>${inlineSafe(REPORT_STYLE)}</style>
</head>
<body>
${page.body}
<script type="application/json" id="report-data">${jsonForScript(page.data)}</script>
<script>${inlineSafe(uplot.js)}</script>
<script>${inlineSafe(page.script)}</script>
</body>
</html>
`;
}
