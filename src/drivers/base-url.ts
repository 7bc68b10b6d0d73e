// A server's base URL as a suite writes it (http or https, no path), shared by the drivers reached
// over HTTP at the server's root (Trino's coordinator, Ray's dashboard): the issue carries a fix.
import { z } from "zod";

/** An http(s) URL with no path; else an issue saying `"VALUE" is not a WHAT URL` and the fix. */
export function baseUrl(what: string, fix: string) {
  return z.string().superRefine((value, ctx) => {
    let ok = false;
    try {
      const u = new URL(value);
      ok = (u.protocol === "http:" || u.protocol === "https:") && (u.pathname === "/" || u.pathname === "");
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: "custom", message: `"${value}" is not a ${what} URL`, params: { fix } });
  });
}
