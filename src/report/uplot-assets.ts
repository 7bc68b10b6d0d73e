// uPlot's browser build and stylesheet, read from node_modules so a page can inline them: the
// HTML report must open with no network, and the live dashboard serves them itself. Read once per
// process (about 50 KB together).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface UplotAssets {
  /** The IIFE build: defines the global `uPlot`. */
  js: string;
  css: string;
  version: string;
}

let cached: UplotAssets | undefined;

export function uplotAssets(): UplotAssets {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const read = (file: string): string => readFileSync(require.resolve(`uplot/${file}`), "utf8");
  const pkg = JSON.parse(read("package.json")) as { version: string };
  // The banner's address is the only URL in the build; a self-contained page names none.
  const js = read("dist/uPlot.iife.min.js").replace(/^\/\*![^*]*\*\//, `/*! uPlot v${pkg.version} (leeoniya/uPlot), MIT License */`);
  cached = { js: inlineSafe(js), css: inlineSafe(read("dist/uPlot.min.css")), version: pkg.version };
  return cached;
}

/**
 * JSON for a <script type="application/json"> element: `<` is written as \u003c (valid JSON, read
 * back unchanged by JSON.parse), so no string in the data (a suite named `</script>`) can end the
 * element early or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * Code or CSS for an inline <script> or <style>, unchanged; refused (thrown) if it could end the
 * element early. Rewriting code is not safe in general, so this checks instead (uPlot's build and
 * our own scripts contain no such sequence); data goes through jsonForScript.
 */
export function inlineSafe(text: string): string {
  const m = /<\/(script|style)|<!--/i.exec(text);
  if (m !== null) throw new Error(`cannot inline text containing "${m[0]}" at offset ${m.index}`);
  return text;
}
