// Input errors in one round, with the right advice (issue 12, item 8): a key indented one level too
// shallow is one problem that says so; a workload's type is checked while the target's kind is
// wrong; a value written where a map of settings belongs names the setting; a file's value that a
// run flag replaces is still checked.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { check } from "../../src/suite/zod-issues.js";
import { BASE, issueAt, issuesOf, load, yaml } from "./helpers.js";

const brief = (issues: readonly { line?: number; column?: number; path: string; message: string; fix?: string }[]): string[] =>
  issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message} | ${i.fix ?? ""}`);

describe("a key indented one level too shallow", () => {
  test("a scenario's load: beside the scenarios is one problem, at its line, with the spaces it has and needs", () => {
    const issues = issuesOf(
      yaml(
        "targets:", //                                             1
        "  api: { kind: http, url: http://localhost:8080 }", //    2
        "scenarios:", //                                           3
        "  ingest:", //                                            4
        "    target: api", //                                      5
        "    workload: { type: request, path: /ingest }", //       6
        "  load:", //                                              7
        "    executor: constant-rate", //                          8
        "    rate: 100", //                                        9
        "    duration: 10s", //                                    10
      ),
    );
    assert.deepEqual(brief(issues), [
      '7:3 scenarios.load: "load:" belongs to scenario ingest above it, but is indented one level too shallow (2 spaces; it needs 4), ' +
        'so it reads as a scenario named "load" | add 2 spaces before "load:" and each line under it',
    ]);
  });

  test("what is inside the misplaced block is still checked, at its own line", () => {
    const issues = issuesOf(
      yaml(
        "targets:", //                                             1
        "  api: { kind: http, url: http://localhost:8080 }", //    2
        "scenarios:", //                                           3
        "  ingest:", //                                            4
        "      target: api", //                                    5  (six spaces: the needed indent is read from here)
        "      workload: { type: request, path: /ingest }", //     6
        "  load:", //                                              7
        "    executor: constant-rate", //                          8
        "    rate: lots", //                                       9
        "    duration: 10s", //                                    10
        "  other:", //                                             11
        "    target: api", //                                      12
        "    workload: { type: request, path: /x }", //            13
        "    load: { executor: closed, workers: 1, iterations: 1 }", // 14
      ),
    );
    assert.equal(issues.length, 2, brief(issues).join("\n"));
    assert.match(issueAt(issues, "scenarios.load").message, /indented one level too shallow \(2 spaces; it needs 6\)/);
    const rate = issueAt(issues, "scenarios.ingest.load.rate");
    assert.equal(rate.line, 9);
    assert.match(rate.message, /"lots" is not a positive rate/);
  });

  test("several scenario fields under a scenario left empty are each said once, and nothing else", () => {
    const issues = issuesOf(
      yaml(
        "targets:",
        "  api: { kind: http, url: http://localhost:8080 }",
        "scenarios:",
        "  ingest:", //                                            4
        "  target: api", //                                        5
        "  workload: { type: request, path: /ingest }", //         6
        "  load: { executor: constant-rate, rate: 100, duration: 10s }", // 7
      ),
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path]),
      [
        [5, "scenarios.target"],
        [6, "scenarios.workload"],
        [7, "scenarios.load"],
      ],
    );
    for (const i of issues) assert.match(i.message, /belongs to scenario ingest above it, but is indented one level too shallow \(2 spaces; it needs 4\)/);
    assert.equal(issues[1]?.fix, 'add 2 spaces before "workload:"');
  });

  test("a workload's field beside workload: in a scenario", () => {
    const issues = issuesOf(
      yaml(
        "targets:",
        "  api: { kind: http, url: http://localhost:8080 }",
        "scenarios:",
        "  ingest:",
        "    target: api",
        "    workload:", //                                        6
        "      type: request", //                                  7
        "    path: /ingest", //                                    8
        "    load: { executor: constant-rate, rate: 100, duration: 10s }",
      ),
    );
    assert.deepEqual(brief(issues), [
      '8:5 scenarios.ingest.path: "path:" belongs to workload above it, but is indented one level too shallow (4 spaces; it needs 6), ' +
        'so it reads as a field of scenario ingest | add 2 spaces before "path:"',
    ]);
  });

  test("a scenario really named load (it has a target) is a scenario", () => {
    const suite = load(yaml(...BASE, "  load:", "    target: api", "    workload: { type: request, path: /l }", "    load: { executor: closed, workers: 1, iterations: 1 }"));
    assert.deepEqual(
      suite.scenarios.map((s) => s.name),
      ["writes", "ingest", "load"],
    );
  });

  test("a scenario field with no scenario above it is one problem", () => {
    const issues = issuesOf(yaml("targets:", "  api: { kind: http, url: http://localhost:8080 }", "scenarios:", "  load:", "    executor: closed"));
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.message]),
      [
        [3, "scenarios", "no scenarios are defined"],
        [4, "scenarios.load", '"load:" is a field of a scenario, not a scenario'],
      ],
    );
  });
});

describe("a workload's type is checked while its target's driver is unknown", () => {
  test("a misspelt kind: the type is checked against the kind it stands for, in the same round", () => {
    const issues = issuesOf(
      yaml(
        "targets:",
        "  api: { kind: htttp, url: http://localhost:8080 }", //   2
        "scenarios:",
        "  ingest:",
        "    target: api",
        "    workload: { type: reqest, path: /ingest }", //        6
        "    load: { executor: constant-rate, rate: 100, duration: 10s }",
      ),
    );
    assert.deepEqual(brief(issues), [
      '2:16 targets.api.kind: unknown kind "htttp"; kinds are: postgres, duckdb, http | did you mean "http"?',
      '6:23 scenarios.ingest.workload.type: unknown type "reqest"; types are: request | did you mean "request"?',
    ]);
  });

  test("a misspelt target name: the type is checked against the target it stands for", () => {
    const issues = issuesOf(
      yaml(
        "targets:",
        "  pg: { kind: postgres, embedded: true }",
        "scenarios:",
        "  w:",
        "    target: pgg", //                                      5
        "    workload: { type: inser, table: t }", //              6
        "    load: { executor: closed, workers: 1, iterations: 1 }",
      ),
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.fix]),
      [
        [5, "scenarios.w.target", 'did you mean "pg"?'],
        [6, "scenarios.w.workload.type", 'did you mean "insert"?'],
      ],
    );
  });

  test("a type some driver has is left for when the kind is fixed; a missing one is said now", () => {
    const target = ["targets:", "  x: { kind: nosuchkind }", "scenarios:", "  s:", "    target: x"];
    const ok = issuesOf(yaml(...target, "    workload: { type: query, query: q }", "    load: { executor: closed, workers: 1, iterations: 1 }"));
    assert.deepEqual(ok.map((i) => i.path), ["targets.x.kind"]);
    const missing = issuesOf(yaml(...target, "    workload: { query: q }", "    load: { executor: closed, workers: 1, iterations: 1 }"));
    assert.deepEqual(missing.map((i) => [i.path, i.message]), [
      ["targets.x.kind", 'unknown kind "nosuchkind"; kinds are: postgres, duckdb, http'],
      ["scenarios.s.workload.type", "required, but missing (one of insert, query, request)"],
    ]);
  });
});

test("a value where a map of settings belongs names the setting that takes it", () => {
  const Status = z.number().int().min(100).max(599);
  const schema = z.strictObject({
    path: z.string(),
    expect: z.strictObject({ status: z.union([Status, z.array(Status)]).optional(), body: z.strictObject({ contains: z.string() }).optional() }).optional(),
  });
  const one = (value: unknown): string | undefined => {
    const r = check(schema, { path: "/", expect: value }, ["workload"]);
    return r.ok ? undefined : r.issues.map((i) => i.fix).join("; ");
  };
  assert.equal(one(200), "write expect: { status: 200 }");
  assert.equal(one([200, 201]), "write expect: { status: [200, 201] }");
  // No setting takes a string here: the general advice.
  assert.equal(one("ok"), 'write a map: indented "key: value" lines, or { key: value }');
});

describe("a file's value that a run flag replaces is still checked", () => {
  const text = yaml(
    "targets:",
    "  api: { kind: http, url: http://localhost:8080 }",
    "scenarios:",
    "  ingest:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "    load: { executor: constant-rate, rate: 100, duration: 1 minute }", // 7
  );

  test("--duration 2 does not hide duration: 1 minute", () => {
    const issues = issuesOf(text, { duration: 2000 });
    assert.deepEqual(brief(issues), [
      `7:59 scenarios.ingest.load.duration: "1 minute" is not a duration (the file's value; --duration replaces it in this run) | write "1m"`,
    ]);
  });

  test("also when the scenario takes it from defaults.load", () => {
    const issues = issuesOf(
      yaml(
        "targets:",
        "  api: { kind: http, url: http://localhost:8080 }",
        "defaults:",
        "  load: { duration: 1 minute }", // 4
        "scenarios:",
        "  ingest:",
        "    target: api",
        "    workload: { type: request, path: /ingest }",
        "    load: { executor: constant-rate, rate: 100 }",
      ),
      { duration: 2000 },
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path]),
      [[4, "defaults.load.duration"]],
    );
  });

  test("a duration the flag supplies where the file has none is no problem", () => {
    const suite = load(
      yaml("targets:", "  api: { kind: http, url: http://localhost:8080 }", "scenarios:", "  s:", "    target: api", "    workload: { type: request, path: /x }", "    load: { executor: constant-rate, rate: 1 }"),
      { duration: 2000 },
    );
    assert.equal(suite.scenarios[0]?.load.executor === "constant-rate" && suite.scenarios[0].load.duration, 2000);
  });
});

describe("k6 thresholds in a suite", () => {
  test("http_req_duration < 500 (which parses, as a probe metric) is told as p95 < 500ms, probes or not", () => {
    const issues = issuesOf(yaml(...BASE, "probes: [{ kind: host }]", "thresholds: [http_req_duration < 500, http_req_failed < 0.01]"));
    assert.deepEqual(
      issues.map((i) => [i.path, i.fix]),
      [
        ["thresholds[0]", "write p95 < 500ms"],
        ["thresholds[1]", "write error_rate < 1%"],
      ],
    );
  });

  test("k6's map form written as a list item", () => {
    const issues = issuesOf(yaml(...BASE, "thresholds:", "  - http_req_duration: p(95)<500"));
    assert.equal(issues.length, 1, brief(issues).join("\n"));
    assert.match(issues[0]?.fix ?? "", /write "p95 < 500ms"/);
  });
});
