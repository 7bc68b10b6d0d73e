import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { SuiteError, UsageError } from "../../src/errors.js";
import { loadSuite } from "../../src/suite/load-suite.js";
import { fakeDrivers } from "./fake-drivers.js";
import { BASE, FILE, issueAt, issuesOf, load, yaml } from "./helpers.js";
import { applySets } from "../../src/suite/overrides.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/suites/", import.meta.url));

describe("a suite with a misspelt key, a wrong type and an unknown target", () => {
  const file = join(FIXTURES, "bad.yaml");

  test("reports all three at once, each at its line", async () => {
    const error = await loadSuite(file, { env: {} }, fakeDrivers).then(
      () => assert.fail("expected a SuiteError"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SuiteError);
    assert.equal(error.exitCode, 2);
    assert.deepEqual(
      error.issues.map((i) => ({ ...i })),
      [
        {
          file,
          line: 13,
          column: 7,
          path: "scenarios.writes.workload.batchsize",
          message: "unknown key",
          fix: 'did you mean "batchSize"?',
        },
        {
          file,
          line: 14,
          column: 40,
          path: "scenarios.writes.load.workers",
          message: 'expected a number, got string "lots"',
          fix: "write a number, e.g. 10",
        },
        {
          file,
          line: 16,
          column: 13,
          path: "scenarios.reads.target",
          message: "scenario reads names target 'pgg', which is not defined; targets are: pg, duck",
          fix: 'did you mean "pg"?',
        },
      ],
    );
  });
});

describe("a valid suite", () => {
  test("resolves targets, probes, defaults, scenarios in file order and thresholds", async () => {
    const suite = await loadSuite(join(FIXTURES, "good.yaml"), { env: {} }, fakeDrivers);
    assert.equal(suite.name, "good"); // from the file name
    assert.equal(suite.description, "every part of a suite");
    assert.equal(suite.dir, FIXTURES.replace(/\/$/, ""));
    assert.deepEqual(Object.keys(suite.targets), ["pg", "duck", "api"]);
    assert.deepEqual(suite.targets.pg, { kind: "postgres", config: { kind: "postgres", embedded: true } });
    assert.deepEqual(suite.probes, [
      { kind: "postgres-stats", target: "pg", everyMs: 5000 },
      { kind: "host", everyMs: 1000 },
    ]);
    // "100" stays where it is written, although a JS object would put it first.
    assert.deepEqual(
      suite.scenarios.map((s) => s.name),
      ["copy-100", "100", "ingest", "ramp-up", "stepped"],
    );
    const [copy, hundred, ingest] = suite.scenarios;
    assert.deepEqual(copy?.load, { executor: "closed", workers: 1, duration: 3000, warmup: 1000 });
    // defaults.load fills in what the scenario leaves out, where its executor takes it.
    assert.deepEqual(hundred?.load, { executor: "closed", iterations: 10, warmup: 1000, workers: 4 });
    assert.deepEqual(ingest?.load, { executor: "constant-rate", rate: 200, duration: 15_000, warmup: 1000 });
    assert.deepEqual(ingest?.workload, { type: "request", method: "GET", path: "/ingest" });
    assert.deepEqual(
      copy?.thresholds.map((t) => [t.metric, t.op, t.value, t.kind]),
      [
        ["throughput", ">", 10_000, "rate"],
        ["p95", "<", 50, "duration"],
      ],
    );
    assert.deepEqual(
      suite.thresholds.map((t) => t.metric),
      ["cache_hit_ratio", "pg.connection_usage"],
    );
  });

  test("keeps the resolved document for storage", () => {
    const suite = load(yaml(...BASE), { set: ["scenarios.writes.load.workers=8"], scenarios: ["writes"] });
    assert.deepEqual(suite.resolved, {
      targets: { pg: { kind: "postgres", embedded: true }, api: { kind: "http", url: "http://localhost:8080" } },
      scenarios: {
        writes: {
          target: "pg",
          workload: { type: "insert", table: "t", batchSize: 100 },
          load: { executor: "closed", workers: 8, duration: "3s" },
        },
      },
    });
  });
});

describe("${ENV_VAR} substitution", () => {
  const text = yaml(
    "targets:", //                                                        1
    "  pg: { kind: postgres, url: \"${PG_URL}\" }", //                    2
    "scenarios:", //                                                      3
    "  writes:", //                                                       4
    "    target: pg", //                                                  5
    "    workload: { type: insert, table: \"${TABLE:-metrics_hot}\" }", // 6
    "    load:", //                                                       7
    "      executor: closed", //                                          8
    "      workers: ${WORKERS:-4}", //                                    9
    "      duration: ${DURATION}", //                                     10
    "    description: costs $${PRICE}", //                                11
  );

  test("substitutes set variables and defaults; unquoted numbers stay numbers", () => {
    const suite = load(text, { env: { PG_URL: "postgres://localhost/bench", DURATION: "5s", TABLE: "" } });
    assert.deepEqual(suite.targets.pg?.config, { kind: "postgres", url: "postgres://localhost/bench" });
    const [writes] = suite.scenarios;
    // An empty variable counts as unset for `:-`, as in the shell.
    assert.deepEqual(writes?.workload, { type: "insert", table: "metrics_hot" });
    assert.deepEqual(writes?.load, { executor: "closed", workers: 4, duration: 5000 });
    assert.equal(writes?.description, "costs ${PRICE}");
  });

  test("a variable from the environment wins over the default", () => {
    const suite = load(text, { env: { PG_URL: "x", DURATION: "1s", WORKERS: "16" } });
    assert.equal(suite.scenarios[0]?.load.executor === "closed" && suite.scenarios[0].load.workers, 16);
  });

  test("an unset variable without a default is an issue at its line and column", () => {
    const issues = issuesOf(text, { env: { DURATION: "5s" } });
    assert.deepEqual(issues.map((i) => ({ ...i })), [
      {
        file: FILE,
        line: 2,
        column: 31,
        path: "targets.pg.url",
        message: "environment variable PG_URL is not set",
        fix: "set PG_URL or write ${PG_URL:-default}",
      },
    ]);
  });

  test("each unset variable is reported, and nothing else about the same value", () => {
    const issues = issuesOf(text, {});
    assert.deepEqual(
      issues.map((i) => [i.line, i.column, i.path, i.message]),
      [
        [2, 31, "targets.pg.url", "environment variable PG_URL is not set"],
        [10, 17, "scenarios.writes.load.duration", "environment variable DURATION is not set"],
      ],
    );
  });

  test("a malformed reference says how to write one", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 2), '  api: { kind: http, url: "${1URL}" }', ...BASE.slice(3)));
    const issue = issueAt(issues, "targets.api.url");
    assert.equal(issue.message, '"${1URL}" is not a variable reference');
    assert.match(issue.fix ?? "", /\$\{NAME:-default\}/);
  });

  test("a default may hold braces; a reference inside a | block is located on its own line", () => {
    const braces = yaml(...BASE.slice(0, 8), '    description: "${DESC:-{\\"a\\":1}} end"', ...BASE.slice(8));
    const described = (env: Record<string, string>): unknown => load(braces, { env }).scenarios.find((s) => s.name === "writes")?.description;
    assert.equal(described({ DESC: "x" }), "x end");
    assert.equal(described({}), '{"a":1} end');

    const block = yaml(
      ...BASE.slice(0, 8),
      "    description: |", //        9
      "      first line", //          10
      "      second ${MISSING} x", // 11
      ...BASE.slice(8),
    );
    const issue = issueAt(issuesOf(block, {}), "scenarios.writes.description");
    assert.deepEqual([issue.line, issue.column], [11, 14]);
  });

  test("an alias with no anchor says so, at its line", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 11), "    load: *LOAD"));
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.message, "YAML: alias *LOAD has no anchor &LOAD before it");
    assert.equal(issues[0]?.line, 12);
  });

  test("a quoted substitution stays a string, and a string where a number belongs is an issue", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 7), '    load: { executor: closed, workers: "${W:-2}" }', ...BASE.slice(8)));
    const issue = issueAt(issues, "scenarios.writes.load.workers");
    assert.equal(issue.message, 'expected a number, got string "2"');
    assert.equal(issue.fix, "remove the quotes: 2");
  });
});

describe("--set path=value", () => {
  test("overrides scalars, parsed as YAML", () => {
    const suite = load(yaml(...BASE), {
      set: [
        "scenarios.ingest.load.rate=500",
        "targets.pg.url=postgres://user@db:5432/bench",
        "targets.pg.embedded=false",
        'scenarios.writes.thresholds=["p95 < 5ms", "errors == 0"]',
        "defaults.load.warmup=2s",
        "name=nightly",
      ],
    });
    assert.equal(suite.name, "nightly");
    assert.deepEqual(suite.targets.pg?.config, { kind: "postgres", embedded: false, url: "postgres://user@db:5432/bench" });
    const ingest = suite.scenarios.find((s) => s.name === "ingest");
    assert.deepEqual(ingest?.load, { executor: "constant-rate", rate: 500, duration: 10_000, warmup: 2000 });
    assert.deepEqual(suite.scenarios[0]?.thresholds.map((t) => t.expr), ["p95 < 5ms", "errors == 0"]);
  });

  test("a value with ' #' in it is kept whole, not cut at a YAML comment", () => {
    const suite = load(yaml(...BASE), { set: ["name=nightly #3", "targets.pg.url=postgres://db/bench #primary", "scenarios.ingest.load.rate=500"] });
    assert.equal(suite.name, "nightly #3");
    assert.equal((suite.targets.pg?.config as { url?: string }).url, "postgres://db/bench #primary");
    const bad = issueAt(issuesOf(yaml(...BASE), { set: ["scenarios.ingest.load.rate=500 # per second"] }), "scenarios.ingest.load.rate");
    assert.match(bad.message, /"500 # per second" is not a positive rate/, "refused, not read as 500");
  });

  test("list items by index", () => {
    const text = yaml(...BASE, "probes:", "  - { kind: host, every: 1s }");
    const suite = load(text, { set: ["probes[0].every=250ms"] });
    assert.deepEqual(suite.probes, [{ kind: "host", everyMs: 250 }]);
    assert.deepEqual(load(text, { set: ["probes.0.every=2s"] }).probes, [{ kind: "host", everyMs: 2000 }]);
  });

  test("a bad value is located at the value it replaced and names the flag", () => {
    const issue = issueAt(issuesOf(yaml(...BASE), { set: ["scenarios.ingest.load.rate=lots"] }), "scenarios.ingest.load.rate");
    assert.equal(issue.line, 12);
    assert.equal(issue.message, '"lots" is not a positive rate (from --set scenarios.ingest.load.rate=lots)');
  });

  test("a misspelt key in a --set path is an unknown key, with did-you-mean", () => {
    const issue = issueAt(issuesOf(yaml(...BASE), { set: ["scenarios.ingest.load.maxInflight=5"] }), "scenarios.ingest.load.maxInflight");
    assert.equal(issue.message, "unknown key (from --set scenarios.ingest.load.maxInflight=5)");
    assert.equal(issue.fix, 'did you mean "maxInFlight"?');
  });

  test("Kafka settings with dots in their names: the key the suite has, or a quoted new one", () => {
    const data = { targets: { k: { kind: "kafka", producer: { "linger.ms": 0, acks: "all" } } } };
    const top = ["targets", "scenarios"];
    const producer = (sets: string[]): unknown => (applySets(data, sets, top).data.targets as { k: { producer: unknown } }).k.producer;
    assert.deepEqual(producer(["targets.k.producer.linger.ms=10"]), { "linger.ms": 10, acks: "all" });
    assert.deepEqual(producer(['targets.k.producer."batch.size"=65536']), { "linger.ms": 0, acks: "all", "batch.size": 65536 });
    assert.deepEqual(producer(["targets.k.producer.acks=1"]), { "linger.ms": 0, acks: 1 });
    assert.deepEqual(data.targets.k.producer, { "linger.ms": 0, acks: "all" }, "the input is not touched");
  });

  test("a --set into one scenario leaves another that shares its YAML alias alone", () => {
    const text = yaml(
      "targets:",
      "  api: { kind: http, url: http://localhost:8080 }",
      "scenarios:",
      "  a:",
      "    target: api",
      "    workload: { type: request, path: /a }",
      "    load: &L { executor: constant-rate, rate: 10, duration: 1s }",
      "  b:",
      "    target: api",
      "    workload: { type: request, path: /b }",
      "    load: *L",
    );
    const suite = load(text, { set: ["scenarios.a.load.rate=500"] });
    const rate = (name: string): unknown => {
      const l = suite.scenarios.find((s) => s.name === name)?.load;
      return l?.executor === "constant-rate" ? l.rate : undefined;
    };
    assert.equal(rate("a"), 500);
    assert.equal(rate("b"), 10);
  });

  test("a --set into a string does not print the string (it may be a password)", () => {
    const text = yaml("targets:", "  pg: { kind: postgres, url: postgres://app@db/x, password: hunter2secret }", "scenarios:", "  q:", "    target: pg", "    workload: { type: query, sql: select 1 }", "    load: { executor: closed, workers: 1, duration: 1s }");
    assert.throws(
      () => load(text, { set: ["targets.pg.password.x=1"] }),
      (error: unknown) => error instanceof UsageError && !`${error.message} ${error.hint ?? ""}`.includes("hunter2secret") && /is a string/.test(error.message),
    );
  });

  const usage = [
    ["scenarios.ingset.load.rate=5", /no scenario named "ingset"/, /did you mean "ingest"\? scenarios are: writes, ingest/],
    ["targets.postgres.url=x", /no target named "postgres"/, /targets are: pg, api/],
    ["scenario.ingest.load.rate=5", /a suite has no "scenario"/, /did you mean "scenarios"\?/],
    ["scenarios.ingest.load.rate", /expected path=value/, /--set scenarios/],
    ["=5", /expected path=value/, /--set/],
    ["scenarios=5", /name a scenario/, /scenarios are: writes, ingest/],
    ["scenarios.ingest.target.name=x", /scenarios.ingest.target is a string, which has no field "name"/, /--set scenarios.ingest.target=/],
  ] as const;
  for (const [set, message, hint] of usage) {
    test(`--set ${set} is a usage error`, () => {
      assert.throws(
        () => load(yaml(...BASE), { set: [set] }),
        (error: unknown) => {
          assert.ok(error instanceof UsageError, String(error));
          assert.equal(error.exitCode, 2);
          assert.match(error.message, message);
          assert.match(error.hint ?? "", hint);
          return true;
        },
      );
    });
  }
});

describe("--duration and --rate (seed 001: --duration 60 --rate 200)", () => {
  const text = yaml(
    ...BASE,
    "  ramp:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "    load: { executor: ramp, from: 10, to: 100, duration: 10s }",
    "  stepped:",
    "    target: api",
    "    workload: { type: request, path: /ingest }",
    "    load: { executor: steps, steps: [{ rate: 10, duration: 1s }, { rate: 20, duration: 3s }] }",
  );
  const loads = (options: Parameters<typeof load>[1]) =>
    Object.fromEntries(load(text, options).scenarios.map((s) => [s.name, s.load]));

  test("override every scenario's duration and every open-loop rate", () => {
    const l = loads({ duration: 60_000, rate: 200 });
    assert.deepEqual(l.writes, { executor: "closed", workers: 2, duration: 60_000 });
    assert.deepEqual(l.ingest, { executor: "constant-rate", rate: 200, duration: 60_000 });
    assert.deepEqual(l.ramp, { executor: "ramp", from: 10, to: 200, duration: 60_000 });
    // Steps keep their rates and proportions; their total becomes the duration.
    assert.deepEqual(l.stepped, {
      executor: "steps",
      steps: [
        { rate: 10, duration: 15_000 },
        { rate: 20, duration: 45_000 },
      ],
    });
  });

  test("apply after --set", () => {
    const l = loads({ set: ["scenarios.ingest.load.rate=500", "scenarios.ingest.load.duration=5s"], rate: 300, duration: 2000 });
    assert.deepEqual(l.ingest, { executor: "constant-rate", rate: 300, duration: 2000 });
  });

  test("--rate with only closed-loop scenarios selected is a usage error", () => {
    assert.throws(
      () => load(text, { rate: 200, scenarios: ["writes"] }),
      (error: unknown) =>
        error instanceof UsageError &&
        /none is selected/.test(error.message) &&
        /writes \(closed\)/.test(error.hint ?? ""),
    );
  });

  test("a scenario without a load of its own takes the duration over defaults.load", () => {
    const suite = load(
      yaml(
        "targets: { pg: { kind: postgres } }",
        "defaults: { load: { executor: closed, workers: 1, duration: 3s } }",
        "scenarios:",
        "  a: { target: pg, workload: { type: query, query: q } }",
      ),
      { duration: 500 },
    );
    assert.deepEqual(suite.scenarios[0]?.load, { executor: "closed", workers: 1, duration: 500 });
  });
});

describe("choosing scenarios", () => {
  test("runs only the chosen ones, in file order; commas separate names", () => {
    assert.deepEqual(load(yaml(...BASE), { scenarios: ["ingest"] }).scenarios.map((s) => s.name), ["ingest"]);
    assert.deepEqual(load(yaml(...BASE), { scenarios: ["ingest,writes"] }).scenarios.map((s) => s.name), ["writes", "ingest"]);
  });

  test("an unknown name lists the known ones", () => {
    const issue = issueAt(issuesOf(yaml(...BASE), { scenarios: ["write"] }), "scenarios");
    assert.equal(issue.line, 4);
    assert.equal(issue.message, 'no scenario is named "write"; scenarios are: writes, ingest');
    assert.equal(issue.fix, 'did you mean "writes"?');
  });
});

describe("did you mean", () => {
  const cases = [
    ["top-level key", ["targets:", "  pg: { kind: postgres }", "scenarioz: {}"], "scenarioz", 3, 1, "unknown key", 'did you mean "scenarios"?'],
    ["target kind", ["targets:", "  pg: { kind: postgress }"], "targets.pg.kind", 2, 15, 'unknown kind "postgress"; kinds are: postgres, duckdb, http', 'did you mean "postgres"?'],
    ["target setting", ["targets:", "  pg: { kind: postgres, embeded: true }"], "targets.pg.embeded", 2, 25, "unknown key", 'did you mean "embedded"?'],
    ["executor", [...BASE.slice(0, 7), "    load: { executor: closd, workers: 2 }"], "scenarios.writes.load.executor", 8, 23, 'unknown executor "closd"; executors are: constant-rate, ramp, steps, closed, max', 'did you mean "closed"?'],
    ["workload type", [...BASE.slice(0, 6), "    workload: { type: inserts, table: t }"], "scenarios.writes.workload.type", 7, 23, 'unknown type "inserts"; types are: insert, query', 'did you mean "insert"?'],
    ["enum value", [...BASE.slice(0, 6), "    workload: { type: insert, table: t, method: COPY }"], "scenarios.writes.workload.method", 7, 49, 'expected one of copy, insert, got string "COPY"', 'did you mean "copy"?'],
    ["load key", [...BASE.slice(0, 7), "    load: { executor: closed, workers: 2, durtaion: 3s }"], "scenarios.writes.load.durtaion", 8, 43, "unknown key", 'did you mean "duration"?'],
    ["defaults key", ["defaults:", "  load: { warmpu: 1s }", ...BASE], "defaults.load.warmpu", 2, 11, "unknown key", 'did you mean "warmup"?'],
    ["probe kind", [...BASE, "probes: [{ kind: postgres-stat, target: pg }]"], "probes[0].kind", 13, 18, 'unknown probe kind "postgres-stat"; kinds are: host, prometheus, metrics-endpoint, postgres-stats', 'did you mean "postgres-stats"?'],
    ["probe target", [...BASE, "probes: [{ kind: postgres-stats, target: pgg }]"], "probes[0].target", 13, 42, 'probe postgres-stats names target "pgg", which is not defined; targets are: pg, api', 'did you mean "pg"?'],
    ["target reference", ["targets:", "  pg: { kind: postgres }", '  api: { kind: http, url: "{{targets.gp.url}}" }', ...BASE.slice(3, 8)], "targets.api.url", 3, 27, 'refers to target "gp", which is not defined; targets are: pg, api', 'did you mean "pg"?'],
  ] as const;
  for (const [name, lines, path, line, column, message, fix] of cases) {
    test(name, () => {
      const issue = issueAt(issuesOf(yaml(...lines)), path);
      assert.deepEqual([issue.line, issue.column, issue.message, issue.fix], [line, column, message, fix]);
    });
  }

  test("an unknown key far from every allowed one lists them instead", () => {
    const issue = issueAt(issuesOf(yaml(...BASE.slice(0, 7), "    load: { executor: closed, workers: 2, zzz: 1 }")), "scenarios.writes.load.zzz");
    assert.equal(issue.fix, "remove it; keys here are: executor, workers, duration, iterations, warmup");
  });
});

describe("other problems, located", () => {
  test("a missing key points at the map that lacks it", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 6), "    workload: { type: insert }", ...BASE.slice(7)));
    const issue = issueAt(issues, "scenarios.writes.workload.table");
    assert.deepEqual([issue.line, issue.column, issue.message, issue.fix], [7, 5, "required, but missing (expected a string)", "add table: …"]);
  });

  test("a missing load with no defaults asks for an executor", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 7), ...BASE.slice(8)));
    const issue = issueAt(issues, "scenarios.writes.load.executor");
    assert.equal(issue.line, 5);
    assert.equal(issue.message, "required, but missing (one of constant-rate, ramp, steps, closed, max)");
  });

  test("a bad threshold is reported at its own line with its fix", () => {
    const issues = issuesOf(yaml(...BASE, "    thresholds:", "      - p95 < 5ms", "      - p95 < 50%"));
    const issue = issueAt(issues, "scenarios.ingest.thresholds[1]");
    assert.deepEqual(
      [issue.line, issue.column, issue.message, issue.fix],
      [15, 9, 'threshold "p95 < 50%": p95 is a duration; "%" does not fit it', 'write "p95 < 50ms"'],
    );
  });

  test("a scenario latency qualified with a target name (pg.p95 would otherwise name an observed latency)", () => {
    const issues = issuesOf(yaml(...BASE, "    thresholds: [pg.p95 < 5ms, api.p99 < 1s, end_to_end.p99 < 50ms, lost == 0]"));
    assert.deepEqual(
      issues.map((i) => [i.path, i.message, i.fix]),
      [
        [
          "scenarios.ingest.thresholds[0]",
          'threshold "pg.p95 < 5ms": p95 is a scenario metric; only probe metrics take a target name',
          "write p95 (a name before p95 is a latency the workload observes, e.g. end_to_end.p95)",
        ],
        [
          "scenarios.ingest.thresholds[1]",
          'threshold "api.p99 < 1s": p99 is a scenario metric; only probe metrics take a target name',
          "write p99 (a name before p99 is a latency the workload observes, e.g. end_to_end.p99)",
        ],
      ],
    );
  });

  test("thresholds on observed latencies and integrity counts load without a probe, at scenario and suite level", () => {
    const suite = load(
      yaml(
        ...BASE,
        "    thresholds: [end_to_end.p99 < 50ms, freshness.p95 < 2s, lost == 0, duplicated == 0, out_of_order == 0]",
        "thresholds: [end_to_end.p99.9 < 1s, lost == 0]",
      ),
    );
    assert.deepEqual(
      suite.scenarios[1]?.thresholds.map((t) => [t.metric, t.op, t.value, t.kind]),
      [
        ["end_to_end.p99", "<", 50, "duration"],
        ["freshness.p95", "<", 2000, "duration"],
        ["lost", "==", 0, "count"],
        ["duplicated", "==", 0, "count"],
        ["out_of_order", "==", 0, "count"],
      ],
    );
    assert.deepEqual(suite.thresholds.map((t) => t.metric), ["end_to_end.p99.9", "lost"]);
  });

  test("a probe metric with no probe to report it", () => {
    const issues = issuesOf(yaml(...BASE, 'thresholds: ["cache_hit_ratio > 99%", "pg.connection_usage < 50%"]'));
    assert.deepEqual(
      issues.map((i) => [i.path, i.message, i.fix]),
      [
        ["thresholds[0]", 'threshold "cache_hit_ratio > 99%": no probe in this suite reports cache_hit_ratio', "add a probe under probes:, e.g. { kind: postgres-stats, target: pg }"],
        ["thresholds[1]", 'threshold "pg.connection_usage < 50%": no probe reads target pg', "add { kind: postgres-stats, target: pg } under probes:"],
      ],
    );
  });

  test("probes: a target whose driver lacks the kind, a missing target, a host with a target", () => {
    const issues = issuesOf(
      yaml(
        ...BASE,
        "probes:", //                                    13
        "  - { kind: postgres-stats, target: api }", //  14
        "  - { kind: postgres-stats }", //               15
        "  - { kind: host, target: pg }", //             16
      ),
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.message, i.fix]),
      [
        [14, "probes[0].kind", "target api is a http target, which has no postgres-stats probe", "http targets offer no probes; remove this one"],
        [15, "probes[1]", "probe postgres-stats needs a target", "add target: pg"],
        [16, "probes[2].target", "the host probe reads the machine pipebench runs on and takes no target", "remove target"],
      ],
    );
  });

  test("a bad value in defaults.load is reported once, where it is written", () => {
    const issues = issuesOf(yaml("defaults:", "  load: { warmup: soon }", ...BASE));
    assert.deepEqual(
      issues.map((i) => [i.line, i.column, i.path, i.message]),
      [[2, 19, "defaults.load.warmup", '"soon" is not a duration']],
    );
  });

  test("a wrong type for a whole section", () => {
    const issue = issueAt(issuesOf(yaml(...BASE, "    thresholds: p95 < 5ms")), "scenarios.ingest.thresholds");
    assert.equal(issue.message, 'expected a list, got string "p95 < 5ms"');
    assert.equal(issue.fix, 'write a list: ["p95 < 5ms"], or lines starting with "- "');
  });

  test("a threshold that is not a string", () => {
    const issue = issueAt(issuesOf(yaml(...BASE, "    thresholds: [5]")), "scenarios.ingest.thresholds[0]");
    assert.deepEqual([issue.line, issue.column, issue.message], [13, 18, "expected a threshold expression, got number 5"]);
    assert.match(issue.fix ?? "", /"p95 < 5ms"/);
  });

  test("a probe sampling period must be more than 0", () => {
    const issue = issueAt(issuesOf(yaml(...BASE, "probes: [{ kind: host, every: 0 }]")), "probes[0].every");
    assert.equal(issue.message, "must be more than 0, got number 0");
  });

  test("target and scenario names that would be ambiguous", () => {
    const issues = issuesOf(yaml("targets:", "  host: { kind: duckdb }", "scenarios:", "  a.b: { target: host, workload: { type: query, query: q }, load: { executor: max, duration: 1s } }"));
    assert.deepEqual(
      issues.map((i) => [i.line, i.path, i.message]),
      [
        [2, "targets.host", `"host" is reserved (the host probe's readings)`],
        [4, "scenarios.a.b", `"a.b" cannot name a scenario`],
      ],
    );
  });

  test("empty sections", () => {
    const issues = issuesOf(yaml("targets: {}", "scenarios: {}"));
    assert.deepEqual(issues.map((i) => [i.line, i.path, i.message]), [
      [1, "targets", "no targets are defined"],
      [2, "scenarios", "no scenarios are defined"],
    ]);
  });

  test("missing sections", () => {
    const issues = issuesOf(yaml("name: x"));
    assert.deepEqual(issues.map((i) => [i.line, i.path, i.message, i.fix]), [
      [1, "targets", "required, but missing (expected a map)", "add targets: { … }"],
      [1, "scenarios", "required, but missing (expected a map)", "add scenarios: { … }"],
    ]);
  });
});

describe("YAML that does not parse", () => {
  test("a syntax error is located by the YAML parser", () => {
    const issues = issuesOf(yaml(...BASE.slice(0, 7), "    load: { executor: closed, workers: 2 ]", ...BASE.slice(8)));
    assert.deepEqual(issues.map((i) => ({ ...i })), [
      {
        file: FILE,
        line: 8,
        column: 42,
        path: "",
        message: "YAML: Flow map in block collection must be sufficiently indented and end with a }",
        fix: "close the { or [ opened on an earlier line with } or ]; if it spans lines, indent the continuation further",
      },
    ]);
  });

  test("an unclosed { is found on the next line, and the fix says to look above", () => {
    const [issue] = issuesOf(yaml(...BASE.slice(0, 7), "    load: { executor: closed, workers: 2", ...BASE.slice(8)));
    assert.equal(issue?.line, 9);
    assert.match(issue?.fix ?? "", /opened on an earlier line/);
  });

  test("bad indentation", () => {
    const [issue] = issuesOf(yaml(...BASE.slice(0, 7), "   load: { executor: closed, workers: 2 }", ...BASE.slice(8)));
    assert.deepEqual([issue?.line, issue?.column, issue?.message], [8, 1, "YAML: All mapping items must start at the same column"]);
    assert.match(issue?.fix ?? "", /same column/);
  });

  test("a duplicate key", () => {
    const [issue] = issuesOf(yaml(...BASE.slice(0, 6), "    target: api", ...BASE.slice(6)));
    assert.equal(issue?.line, 7);
    assert.equal(issue?.column, 5);
    assert.match(issue?.fix ?? "", /a key may appear once per map/);
  });

  test("tabs", () => {
    const [issue] = issuesOf("targets:\n\tpg: { kind: postgres }\n");
    assert.equal(issue?.line, 2);
    assert.match(issue?.fix ?? "", /spaces/);
  });

  test("an unquoted ${VAR} inside { } gets a fix that says to quote it", () => {
    const [issue] = issuesOf(yaml("targets:", "  pg: { kind: postgres, url: ${PG_URL} }"));
    assert.equal(issue?.line, 2);
    assert.match(issue?.fix ?? "", /quote values with \$\{…\}/);
  });

  test("an empty file, and a file that is not a map", () => {
    assert.equal(issuesOf("")[0]?.message, "the suite is empty");
    assert.match(issuesOf("- a\n- b\n")[0]?.message ?? "", /a suite is a map/);
  });

  test("a file that is not there", async () => {
    await assert.rejects(loadSuite("/nonexistent/suite.yaml", {}, fakeDrivers), (error: unknown) => {
      assert.ok(error instanceof SuiteError);
      assert.match(error.issues[0]?.message ?? "", /cannot read the suite: no such file/);
      return true;
    });
  });
});

test("anchors, aliases and merge keys (<<) work", () => {
  const suite = load(
    yaml(
      "targets: { pg: { kind: postgres } }",
      "scenarios:",
      "  a: { target: pg, workload: &w { type: query, query: q }, load: &l { executor: closed, workers: 2, duration: 1s } }",
      "  b: { target: pg, workload: *w, load: { <<: *l, workers: 3 } }",
    ),
  );
  assert.deepEqual(suite.scenarios[1]?.workload, { type: "query", query: "q" });
  assert.deepEqual(suite.scenarios[1]?.load, { executor: "closed", workers: 3, duration: 1000 });
});
