import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnose, type Finding } from "../../src/diagnose/diagnose.js";
import type { ErrorSeriesPoint, SegmentReport, SeriesPoint } from "../../src/metrics/summary.js";
import { result, run, scenario } from "./fixtures.js";

const outage = (findings: Finding[]): Finding[] => findings.filter((f) => f.id === "target.outage");

/** [ops, errors] per second. */
function withSeries(points: [number, number][], errorSeries: ErrorSeriesPoint[], extra: Parameters<typeof result>[0] = {}) {
  const series: SeriesPoint[] = points.map(([ops, errors], t) => ({ t, ops, errors, records: ops, bytes: 0, p50: 1, p99: 2 }));
  const ops = points.reduce((n, [o]) => n + o, 0);
  const errors = points.reduce((n, [, e]) => n + e, 0);
  const byClass: Record<string, number> = {};
  for (const p of errorSeries) for (const [k, v] of Object.entries(p.byClass)) byClass[k] = (byClass[k] ?? 0) + v;
  return run([scenario({ result: result({ series, errorSeries, ops, errors, errorsByClass: byClass, durationS: points.length, ...extra }) })]);
}

test("a PostgreSQL restart mid-run (the numbers of test/cli/postgres-restart.test.ts): when, what, and the recovery", () => {
  const findings = outage(
    diagnose(
      withSeries(
        [[200, 0], [200, 0], [1, 199], [0, 200], [0, 197], [178, 25], [200, 0], [200, 0]],
        [
          { t: 2, byClass: { CONNECTION_TERMINATED: 1, ECONNRESET: 4, ECONNREFUSED: 194 } },
          { t: 3, byClass: { ECONNREFUSED: 200 } },
          { t: 4, byClass: { ECONNREFUSED: 17, "57P03": 180 } },
          { t: 5, byClass: { "57P03": 25 } },
        ],
      ),
    ),
  );
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.title, "The target was unavailable for 3 s, then answered again");
  assert.deepEqual(f.evidence, [
    "from 2 s to 4 s of the scenario: 596 errors (411 refused, 180 server 57P03 cannot_connect_now, 5 reset)",
    "answered again from 5 s (200 ops in the second after, 200 per second before)",
  ]);
  assert.match(f.recommendation, /^nothing listened on the target's port/);
});

test("a hang (idle seconds between timeouts) counts; a one-second blip does not; a target that never came back says onError: continue", () => {
  const hang = outage(diagnose(withSeries([[100, 0], [0, 12], [0, 0], [0, 8], [100, 0]], [{ t: 1, byClass: { TIMEOUT: 12 } }, { t: 3, byClass: { TIMEOUT: 8 } }])));
  assert.equal(hang[0]?.evidence[0], "from 1 s to 3 s of the scenario: 20 errors (20 timeout)");
  assert.match(hang[0]?.recommendation ?? "", /stopped answering without closing/);

  assert.deepEqual(outage(diagnose(withSeries([[100, 0], [10, 90], [100, 0]], [{ t: 1, byClass: { HTTP_503: 90 } }]))), []);

  const dead = outage(
    diagnose(
      withSeries([[100, 0], [0, 50], [0, 50], [0, 50]], [1, 2, 3].map((t) => ({ t, byClass: { ECONNREFUSED: 50 } })), {
        status: "failed",
        failure: "every operation failed for 3 s in a row: 150 of 150 errors were refused (ECONNREFUSED)",
      }),
    ),
  );
  assert.equal(dead[0]?.title, "The target stopped answering at 1 s and did not come back");
  assert.match(dead[0]?.evidence[1] ?? "", /^no operation succeeded after it \(the scenario stopped: every operation failed/);
  assert.match(dead[0]?.recommendation ?? "", /set onError: continue on the scenario$/);
});

test("--workers 2, one worker failed by the target and the other stopped: the seconds after it are not the target answering again, the worker is named", () => {
  // The merged result of test/workers/failing-worker.test.ts's run: worker 2/2's requests were all
  // reset for 3 s, it failed, and the coordinator stopped worker 1/2 at its second's end (t = 3).
  const segments: SegmentReport[] = [
    { worker: "1/2", index: 0, count: 2, status: "interrupted", ops: 40, errors: 0, startSkewMs: 8, failure: "interrupted after 4 s of 30 s", endS: 4 },
    { worker: "2/2", index: 1, count: 2, status: "failed", ops: 0, errors: 30, startSkewMs: 5, failure: "every operation failed for 3 s in a row: 30 of 30 errors were reset (SOCKET_CLOSED)", endS: 3 },
  ];
  const reset = [0, 1, 2].map((t) => ({ t, byClass: { SOCKET_CLOSED: 10 } }));
  const extra = { status: "failed" as const, failure: `worker 2/2: ${segments[1]!.failure!}`, segments };
  const f = outage(diagnose(withSeries([[10, 10], [10, 10], [10, 10], [10, 0]], reset, extra)));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.title, "The target failed worker 2/2 from 0 s; the coordinator stopped the others");
  assert.deepEqual(f[0]!.evidence, [
    "from 0 s to 2 s of the scenario: 30 errors (30 reset)",
    "worker 2/2 failed at 3 s (every operation failed for 3 s in a row: 30 of 30 errors were reset (SOCKET_CLOSED)); the coordinator stopped the others " +
      "(1/2 interrupted after 4 s of 30 s, 40 ops): the seconds after 3 s hold only their operations, not the target answering again",
  ]);
  assert.match(f[0]!.recommendation, /^only worker 2\/2's operations failed: look first at what differs for it/);

  // A second in which both still ran and the target answered both is a recovery, as without workers.
  const both = outage(diagnose(withSeries([[10, 10], [10, 10], [10, 10], [20, 0], [10, 0]], reset, { ...extra, segments: segments.map((s) => ({ ...s, endS: s.endS! + 1 })) })));
  assert.equal(both[0]?.title, "The target was unavailable for 3 s, then answered again");
  assert.equal(both[0]?.evidence[1], "answered again from 3 s (20 ops in the second after, 0 per second before)");
});
