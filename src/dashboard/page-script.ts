// The live view's browser side, inlined into the page as it is (plain ES2020, no build step). It
// follows /events (see events.ts for the event shapes), keeps one card per scenario with two uPlot
// charts (throughput and errors; p50 / p99 latency), and shows the thresholds as each scenario is
// judged and the run's final status. Charts are redrawn at most once per frame, so replaying a long
// history on connect costs one redraw, not one per event.
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  "use strict";
  var COLORS = { ops: "#0969da", records: "#1a7f37", errors: "#cf222e", p50: "#8250df", p99: "#bc4c00" };
  // lanes: one card per scenario start (trials and sweep points get their own), by lane number;
  // waiting: the cards of scenarios not started yet, by scenario index.
  var state = { suite: null, status: "connecting", ended: false, lanes: [], waiting: {}, events: 0 };
  window.pipebenchDashboard = state;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  var grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  function count(n) {
    if (n === null || n === undefined) return "–";
    if (Math.abs(n) >= 100) return grouped.format(n);
    return String(Math.round(n * 10) / 10);
  }
  function ms(v) {
    if (v === null || v === undefined) return "–";
    if (v >= 1000) return (v / 1000).toFixed(2) + " s";
    if (v >= 100) return v.toFixed(0) + " ms";
    if (v >= 1) return v.toFixed(2) + " ms";
    return (v * 1000).toFixed(0) + " µs";
  }
  function secs(m) { return (m / 1000).toFixed(0) + " s"; }

  function setStatus(status) {
    state.status = status;
    var pill = document.getElementById("status");
    pill.className = "pill " + status;
    pill.textContent = status;
    document.body.dataset.status = status;
  }
  function setConn(text) { document.getElementById("conn").textContent = text; }

  // ---- scenario cards --------------------------------------------------------------------
  function number(parent, label) {
    var box = el("div");
    var value = el("b", null, "–");
    box.appendChild(value);
    box.appendChild(el("span", null, label));
    parent.appendChild(box);
    return value;
  }

  function card(index, info) {
    var root = el("section", "scenario waiting");
    root.dataset.index = String(index);
    var head = el("div", "head");
    var title = el("h2", null, info.name);
    head.appendChild(title);
    var meta = el("span", "meta");
    head.appendChild(meta);
    var phase = el("span", "pill waiting", "waiting");
    head.appendChild(phase);
    root.appendChild(head);
    var bar = el("div", "bar");
    var fill = el("i");
    bar.appendChild(fill);
    root.appendChild(bar);
    var numbers = el("div", "numbers");
    var n = {
      time: number(numbers, "elapsed"),
      ops: number(numbers, "ops/s"),
      records: number(numbers, "records/s"),
      errors: number(numbers, "errors/s"),
      errorsTotal: number(numbers, "errors"),
      p50: number(numbers, "p50 (last s)"),
      p99: number(numbers, "p99 (last s)")
    };
    root.appendChild(numbers);
    var charts = el("div", "charts");
    var tpBox = el("div", "chart");
    var latBox = el("div", "chart");
    charts.appendChild(tpBox);
    charts.appendChild(latBox);
    root.appendChild(charts);
    var judged = el("div", "judged");
    root.appendChild(judged);
    // Next to the scenario's earlier trials, if any; otherwise at the end.
    var list = document.getElementById("scenarios");
    var before = null;
    Array.prototype.forEach.call(list.children, function (c) { if (c.dataset.index === String(index)) before = c; });
    if (before) before.after(root);
    else list.appendChild(root);
    var s = {
      index: index, lane: 0, info: info, root: root, title: title, meta: meta, phasePill: phase, bar: bar, fill: fill, n: n,
      tpBox: tpBox, latBox: latBox, judged: judged, tp: null, lat: null, dirty: false,
      phase: "waiting", last: null, end: null,
      data: { t: [], ops: [], records: [], errors: [], p50: [], p99: [] }
    };
    describe(s, info);
    return s;
  }

  function describe(s, info) {
    s.info = info;
    var trial = info.trial !== null && info.trial !== undefined && info.trials > 1
      ? " · trial " + (info.trial + 1) + "/" + info.trials : "";
    s.title.textContent = info.name + trial;
    s.meta.textContent = info.target + " · " + info.executor + (info.warmupMs > 0 ? " · warm-up " + secs(info.warmupMs) : "");
  }

  /** The card of a scenario that starts now: its waiting card the first time, a new one after. */
  function startLane(e) {
    var s = state.waiting[e.index];
    if (s) delete state.waiting[e.index];
    else s = card(e.index, e);
    describe(s, e);
    s.lane = e.lane;
    s.root.dataset.lane = String(e.lane);
    state.lanes[e.lane] = s;
    return s;
  }

  function setPhase(s, phase, label) {
    s.phase = phase;
    s.phasePill.className = "pill " + phase;
    s.phasePill.textContent = label || phase;
    s.root.classList.toggle("waiting", phase === "waiting");
  }

  // Warm-up seconds are shaded: their numbers are not part of the result.
  function shadeWarmup(s) {
    return function (u) {
      var w = s.info.warmupMs / 1000;
      if (!(w > 0)) return;
      var x0 = u.valToPos(Math.max(0, u.scales.x.min), "x", true);
      var x1 = u.valToPos(Math.min(w, u.scales.x.max), "x", true);
      if (!(x1 > x0)) return;
      u.ctx.save();
      u.ctx.fillStyle = "rgba(154, 103, 0, 0.08)";
      u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      u.ctx.restore();
    };
  }

  function chartWidth(box) { return Math.max(300, box.clientWidth || 600); }

  // The x axis spans the whole scenario from the start (warm-up included) when its length is known.
  function xRange(s) {
    return function (u, min, max) {
      var end = Math.max(max || 0, s.expectedEnd || 0, 1);
      return [0, end];
    };
  }
  // Rates and latencies from zero: a zoomed axis makes 49 vs 51 per second look like a cliff.
  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
  var xSeries = { label: "second", value: function (u, v) { return v === null || v === undefined ? "–" : v.toFixed(0); } };

  function makeCharts(s) {
    if (s.tp || typeof uPlot === "undefined") return;
    var hooks = { drawClear: [shadeWarmup(s)] };
    s.tp = new uPlot({
      title: "throughput", width: chartWidth(s.tpBox), height: 220,
      scales: { x: { time: false, range: xRange(s) }, y: { range: fromZero }, err: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [
        { label: "seconds" },
        { label: "per second", size: 70, values: function (u, v) { return v.map(count); } },
        { scale: "err", side: 1, label: "errors/s", size: 60, grid: { show: false }, stroke: COLORS.errors }
      ],
      series: [
        xSeries,
        { label: "ops/s", stroke: COLORS.ops, width: 2, value: function (u, v) { return count(v); } },
        { label: "records/s", stroke: COLORS.records, width: 2, dash: [6, 4], value: function (u, v) { return count(v); } },
        { label: "errors/s", stroke: COLORS.errors, width: 2, scale: "err", value: function (u, v) { return count(v); } }
      ],
      hooks: hooks
    }, [[], [], [], []], s.tpBox);
    s.lat = new uPlot({
      title: "latency (per second)", width: chartWidth(s.latBox), height: 220,
      scales: { x: { time: false, range: xRange(s) }, y: { range: fromZero } },
      axes: [{ label: "seconds" }, { label: "ms", size: 70 }],
      series: [
        xSeries,
        { label: "p50", stroke: COLORS.p50, width: 2, value: function (u, v) { return ms(v); } },
        { label: "p99", stroke: COLORS.p99, width: 2, value: function (u, v) { return ms(v); } }
      ],
      hooks: hooks
    }, [[], [], []], s.latBox);
  }

  var frame = 0;
  function redrawSoon() {
    if (frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      state.lanes.forEach(function (s) {
        if (!s || !s.dirty) return;
        s.dirty = false;
        makeCharts(s);
        if (!s.tp) return;
        var d = s.data;
        s.tp.setData([d.t, d.ops, d.records, d.errors]);
        s.lat.setData([d.t, d.p50, d.p99]);
      });
    });
  }

  addEventListener("resize", function () {
    state.lanes.forEach(function (s) {
      if (!s || !s.tp) return;
      s.tp.setSize({ width: chartWidth(s.tpBox), height: 220 });
      s.lat.setSize({ width: chartWidth(s.latBox), height: 220 });
    });
  });

  function thresholdTable(parent, thresholds) {
    if (!thresholds || thresholds.length === 0) return;
    var table = el("table");
    var head = el("tr");
    ["", "threshold", "measured", ""].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    thresholds.forEach(function (t) {
      var tr = el("tr");
      tr.className = t.passed ? "pass" : "fail";
      tr.appendChild(el("td", "mark " + (t.passed ? "ok" : "bad"), t.passed ? "✓" : "✗"));
      tr.appendChild(el("td", null, t.expr));
      tr.appendChild(el("td", null, t.shown));
      tr.appendChild(el("td", "note", t.note || ""));
      table.appendChild(tr);
    });
    parent.appendChild(table);
  }

  // ---- events ----------------------------------------------------------------------------
  var handlers = {
    "run-start": function (e) {
      state.suite = e.suite;
      document.title = e.suite + " · pipebench live";
      document.getElementById("suite").textContent = e.suite;
      document.getElementById("desc").textContent = e.description || "";
      e.scenarios.forEach(function (info, i) { if (!state.waiting[i]) state.waiting[i] = card(i, info); });
      setStatus("running");
    },
    "log": function (e) {
      var log = document.getElementById("log");
      log.textContent += new Date(e.at).toLocaleTimeString() + "  " + e.line + "\n";
    },
    "scenario-start": function (e) {
      var s = startLane(e);
      setPhase(s, e.warmupMs > 0 ? "warmup" : "measure", e.warmupMs > 0 ? "warm-up" : "measure");
      s.dirty = true;
      redrawSoon();
    },
    "progress": function (e) {
      var s = state.lanes[e.lane];
      if (!s) return;
      s.last = e;
      if (e.phase === "measure" && e.totalMs) s.expectedEnd = (s.info.warmupMs + e.totalMs) / 1000;
      else if (e.phase === "warmup" && !s.expectedEnd) s.expectedEnd = e.totalMs / 1000;
      if (!s.end) setPhase(s, e.phase, e.phase === "warmup" ? "warm-up" : "measure");
      var d = s.data;
      d.t.push(e.t);
      d.ops.push(e.opsPerSec);
      d.records.push(e.recordsPerSec);
      d.errors.push(e.errorsPerSec);
      d.p50.push(e.p50Ms);
      d.p99.push(e.p99Ms);
      s.n.time.textContent = secs(e.elapsedMs) + (e.totalMs ? " / " + secs(e.totalMs) : "");
      s.n.ops.textContent = count(e.opsPerSec);
      s.n.records.textContent = count(e.recordsPerSec);
      s.n.errors.textContent = count(e.errorsPerSec);
      s.n.errorsTotal.textContent = count(e.errors);
      s.n.p50.textContent = ms(e.p50Ms);
      s.n.p99.textContent = ms(e.p99Ms);
      s.bar.className = "bar " + e.phase;
      s.fill.style.width = e.totalMs ? Math.min(100, (100 * e.elapsedMs) / e.totalMs) + "%" : "100%";
      s.dirty = true;
      redrawSoon();
    },
    "scenario-end": function (e) {
      var s = state.lanes[e.lane];
      if (!s) return;
      s.end = e;
      // The last seconds ended after the last progress event: the result has them.
      (e.tail || []).forEach(function (pt) {
        var d = s.data;
        d.t.push(pt.t); d.ops.push(pt.opsPerSec); d.records.push(pt.recordsPerSec);
        d.errors.push(pt.errorsPerSec); d.p50.push(pt.p50Ms); d.p99.push(pt.p99Ms);
      });
      s.dirty = true;
      redrawSoon();
      var passed = e.status === "completed" && e.thresholds.every(function (t) { return t.passed; });
      var label = e.status !== "completed" ? e.status : !passed ? "thresholds failed" : e.invalid ? "invalid" : "passed";
      if (passed && e.invalid) setPhase(s, "warn", "! " + label);
      else setPhase(s, passed ? "ok" : "bad", (passed ? "✓ " : "✗ ") + label);
      s.fill.style.width = "100%";
      s.n.time.textContent = e.durationS.toFixed(1) + " s measured";
      s.judged.textContent = "";
      s.judged.appendChild(el("div", "summary",
        e.durationS.toFixed(1) + " s measured · " + count(e.ops) + " ops · " + count(e.opsPerSec) + " ops/s · " +
        count(e.throughput) + " records/s · p50 " + ms(e.p50Ms) + " · p99 " + ms(e.p99Ms) +
        " · errors " + count(e.errors)));
      if (e.variant) {
        s.judged.appendChild(el("div", "summary", Object.keys(e.variant).map(function (k) {
          return k + " = " + JSON.stringify(e.variant[k]);
        }).join(" · ")));
      }
      thresholdTable(s.judged, e.thresholds);
      (e.invalid || []).forEach(function (line) { s.judged.appendChild(el("div", "invalid", line)); });
      if (e.failure) s.judged.appendChild(el("div", "failure", e.failure));
    },
    "run-end": function (e) {
      state.ended = true;
      state.end = e;
      setStatus(e.status);
      setConn("run ended" + (e.runId === null ? "" : " · stored as run " + e.runId) + " · exit code " + e.exitCode);
      var box = document.getElementById("final");
      box.hidden = false;
      box.className = e.status;
      box.textContent = "";
      box.appendChild(el("strong", null, "Run " + e.status.toUpperCase()));
      if (e.runId !== null) box.appendChild(el("span", null, " · pipebench show " + e.runId));
      thresholdTable(box, e.thresholds);
      if (e.invalid) box.appendChild(el("div", "invalid", e.invalid));
      if (e.failure) box.appendChild(el("div", "failure", e.failure));
      state.lanes.forEach(function (s) {
        if (s && !s.end) setPhase(s, "interrupted", "not finished");
      });
      Object.keys(state.waiting).forEach(function (i) { setPhase(state.waiting[i], "waiting", "not run"); });
      if (source) source.close();
    }
  };

  var source = null;
  function connect() {
    if (typeof EventSource === "undefined") { setConn("this browser cannot follow live events"); return; }
    source = new EventSource("events");
    source.onopen = function () { setConn("live"); };
    source.onerror = function () {
      if (state.ended) return;
      setConn(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…");
      if (source.readyState === EventSource.CLOSED && state.status === "connecting") setStatus("disconnected");
    };
    Object.keys(handlers).forEach(function (type) {
      source.addEventListener(type, function (message) {
        state.events++;
        var event;
        try { event = JSON.parse(message.data); } catch (err) { return; }
        handlers[type](event);
      });
    });
  }
  connect();
})();
`;
