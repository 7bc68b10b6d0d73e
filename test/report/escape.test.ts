// The escapes the report writers rely on, case by case: XML for junit.xml (including characters
// XML 1.0 forbids), HTML for report.html, JSON inside a <script> element, and the inline-text
// guard for uPlot's code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml } from "../../src/report/html.js";
import { xmlEscape } from "../../src/report/junit.js";
import { inlineSafe, jsonForScript, uplotAssets } from "../../src/report/uplot-assets.js";

test("xmlEscape: the five entities, forbidden control characters and lone surrogates removed", () => {
  const cases: [string, string][] = [
    [`p95 < 5ms & "x" 'y' > z`, "p95 &lt; 5ms &amp; &quot;x&quot; &apos;y&apos; &gt; z"],
    ["bell\u0007 and nul\u0000", "bell and nul"],
    ["tab\tnewline\ncr\r", "tab\tnewline\ncr\r"],
    ["lone \uD800 surrogate", "lone  surrogate"],
    ["pair 😀 kept", "pair 😀 kept"],
    ["\uFFFE\uFFFF", ""],
  ];
  for (const [input, expected] of cases) assert.equal(xmlEscape(input), expected, JSON.stringify(input));
});

test("escapeHtml: markup and attribute quotes", () => {
  assert.equal(escapeHtml(`</script><b a='1' b="2">&`), "&lt;/script&gt;&lt;b a=&#39;1&#39; b=&quot;2&quot;&gt;&amp;");
});

test("jsonForScript: no '<' survives, and JSON.parse reads the same value back", () => {
  const value = { suite: "</script><!-- <script>", list: ["a<b", "\u2028"] };
  const text = jsonForScript(value);
  assert.ok(!text.includes("<"), text);
  assert.deepEqual(JSON.parse(text), value);
});

test("inlineSafe: refuses text that would end a script or style element; uPlot's build passes", () => {
  for (const bad of ["x</script>", "a</STYLE>", "<!-- c"]) assert.throws(() => inlineSafe(bad), /cannot inline/);
  assert.equal(inlineSafe("a < b && c > d"), "a < b && c > d");
  const assets = uplotAssets();
  assert.match(assets.js, /uPlot/);
  assert.doesNotMatch(assets.js + assets.css, /https?:\/\//, "no URL in the inlined library");
});
