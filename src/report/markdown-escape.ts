// The escapes report.md and plan.md rely on: user text (suite, scenario and setting names) must
// neither open HTML in a Markdown renderer nor split a table row or start emphasis.

/** `<` opens HTML in a Markdown renderer only before a letter, `/`, `!` or `?`: escape just those. */
export function noHtml(text: string): string {
  return text.replace(/<(?=[A-Za-z/!?])/g, "&lt;").replace(/\r?\n/g, " ");
}

/** Table cells: a `|` would split the row. */
export function cell(text: string): string {
  return noHtml(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

/**
 * Inline text outside tables (names, evidence): keep emphasis, code and links from being read
 * into it. `_` is left alone: within words (error_rate) it never emphasises.
 */
export function inline(text: string): string {
  return noHtml(text).replace(/[\\`*[\]]/g, (c) => `\\${c}`);
}
