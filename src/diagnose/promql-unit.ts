// What a PromQL "cpu" or "memory" reading is measured in, read from the query itself (Prometheus's
// own grammar, @prometheus-io/lezer-promql), so server.cpu-high and server.memory-high judge only a
// share: a counter of CPU seconds (process_cpu_seconds_total) grows without end, `100 * …` is
// percent, rate(…cpu_seconds_total[…]) is cores (a share of one core, or of N when the query divides
// by N or by a CPU limit), and memory in bytes is a share only divided by its limit or total (seed
// 002's container_memory_usage_bytes / container_spec_memory_limit_bytes). A query whose unit cannot
// be told is not judged, never guessed.
import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** How a reading becomes a share of the CPU: share = value × factor. */
export type ShareUnit =
  | { kind: "share"; factor: number; unit: string }
  | { kind: "not-a-share"; unit: string };

// Within the query: a share (×factor gives 0–1), cores (×factor gives cores), or something else.
type Value =
  | { u: "share"; factor: number; unit: string }
  | { u: "cores"; factor: number }
  | { u: "bytes"; factor: number }
  | { u: "limit" }
  | { u: "number"; value: number }
  | { u: "counter" }
  | { u: "unknown" };

const UNKNOWN: Value = { u: "unknown" };
const SHARE = "a share of the CPU";
const PERCENT = "percent";
/** Aggregations that keep their operand's unit (sum of cores is cores; avg of shares is a share). */
const KEEPING_AGGREGATIONS = new Set(["Sum", "Avg", "Max", "Min", "Topk", "Bottomk", "Quantile"]);
/** Functions over a range or a vector that keep its unit. */
const KEEPING_FUNCTIONS = new Set(["Abs", "ClampMax", "ClampMin", "Clamp", "MaxOverTime", "MinOverTime", "AvgOverTime", "QuantileOverTime", "LastOverTime", "Round", "Ceil", "Floor"]);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

/** A metric's unit by Prometheus's naming conventions (and kube-state-metrics' CPU limits). */
function selectorValue(node: SyntaxNode, src: string): Value {
  const metric = children(node).find((c) => c.name === "Identifier");
  const name = metric === undefined ? "" : src.slice(metric.from, metric.to);
  const text = src.slice(node.from, node.to);
  if (/limit|quota|machine_cpu_cores|cpu_cores$/.test(name) || /resource="(cpu|memory)"/.test(text)) return { u: "limit" };
  if (/_total$/.test(name)) return { u: "counter" };
  if (/_bytes$/.test(name)) return { u: "bytes", factor: 1 };
  if (/cpu|mem/.test(name) && /ratio|utili[sz]ation|share|fraction/.test(name)) return { u: "share", factor: 1, unit: SHARE };
  if (/cpu|mem/.test(name) && /percent|pct/.test(name)) return { u: "share", factor: 0.01, unit: PERCENT };
  if (/cpu/.test(name) && /cores/.test(name)) return { u: "cores", factor: 1 };
  return UNKNOWN;
}

function valueOf(node: SyntaxNode, src: string): Value {
  const kids = children(node);
  switch (node.name) {
    case "PromQL":
    case "ParenExpr":
    case "FunctionCallBody":
      // The last expression inside (an aggregation's body may hold a parameter before it).
      return kids.length === 0 ? UNKNOWN : valueOf(kids[kids.length - 1]!, src);
    case "NumberDurationLiteral":
    case "NumberLiteral": {
      const value = Number(src.slice(node.from, node.to));
      return Number.isFinite(value) ? { u: "number", value } : UNKNOWN;
    }
    case "VectorSelector":
      return selectorValue(node, src);
    case "MatrixSelector":
    case "SubqueryExpr":
      return kids.length === 0 ? UNKNOWN : valueOf(kids[0]!, src);
    case "AggregateExpr": {
      const op = kids.find((k) => k.name === "AggregateOp")?.firstChild?.name ?? "";
      const body = kids.find((k) => k.name === "FunctionCallBody");
      return KEEPING_AGGREGATIONS.has(op) && body !== undefined ? valueOf(body, src) : UNKNOWN;
    }
    case "FunctionCall": {
      const fn = kids.find((k) => k.name === "FunctionIdentifier")?.firstChild?.name ?? "";
      const body = kids.find((k) => k.name === "FunctionCallBody");
      if (body === undefined) return UNKNOWN;
      const args = children(body);
      if (fn === "Rate" || fn === "Irate") {
        // CPU seconds per second: cores busy.
        const counter = args[0];
        const selector = counter?.name === "MatrixSelector" ? counter.firstChild : null;
        const name = selector === null || selector === undefined ? "" : src.slice(selector.from, selector.to);
        return /cpu[a-z_]*seconds_total/.test(name) ? { u: "cores", factor: 1 } : UNKNOWN;
      }
      if (KEEPING_FUNCTIONS.has(fn)) {
        const operand = args.find((a) => a.name !== "NumberDurationLiteral" && a.name !== "NumberLiteral");
        return operand === undefined ? UNKNOWN : valueOf(operand, src);
      }
      return UNKNOWN;
    }
    case "BinaryExpr":
      return binaryValue(kids, src);
    default:
      return UNKNOWN;
  }
}

function binaryValue(kids: SyntaxNode[], src: string): Value {
  const operands = kids.filter((k) => !["Mul", "Div", "Add", "Sub", "Mod", "Pow", "BinModifiers", "BoolModifier", "OnOrIgnoring", "GroupLeft", "GroupRight"].includes(k.name));
  const op = kids.find((k) => ["Mul", "Div", "Add", "Sub", "Mod", "Pow"].includes(k.name))?.name;
  if (operands.length !== 2 || op === undefined) return UNKNOWN;
  const left = valueOf(operands[0]!, src);
  const right = valueOf(operands[1]!, src);
  const scaled = (v: Value, by: number): Value =>
    v.u === "share" ? { u: "share", factor: v.factor * by, unit: v.unit }
    : v.u === "cores" ? { u: "cores", factor: v.factor * by }
    : v.u === "bytes" ? { u: "bytes", factor: v.factor * by }
    : UNKNOWN;
  const number = (v: Value): number | undefined => (v.u === "number" && v.value > 0 ? v.value : undefined);
  if (op === "Mul") {
    // 100 × a share is percent; 100 × cores is percent of one core.
    const [n, other] = number(left) !== undefined ? [number(left)!, right] : [number(right), left];
    if (n === undefined) return UNKNOWN;
    if (n === 100 && other.u === "cores") return { u: "share", factor: other.factor / 100, unit: "percent of one core" };
    if (n === 100 && other.u === "share" && other.factor === 1) return { u: "share", factor: 0.01, unit: PERCENT };
    return scaled(other, 1 / n);
  }
  // node_exporter's utilisation: 1 - rate(node_cpu_seconds_total{mode="idle"}[…]), each series one core.
  if (op === "Sub" && left.u === "number" && left.value === 1 && (right.u === "cores" || right.u === "share") && right.factor === 1) {
    return { u: "share", factor: 1, unit: right.u === "cores" ? "a share of the CPU (1 − an idle share)" : `1 − ${right.unit}` };
  }
  if (op === "Div") {
    // cores / N cores, or cores / the CPU limit: a share of them.
    const n = number(right);
    if (left.u === "cores" && n !== undefined) return { u: "share", factor: left.factor, unit: `a share of ${n} cores (cores ÷ ${n})` };
    if (left.u === "cores" && right.u === "limit") return { u: "share", factor: left.factor, unit: "a share of the CPU limit (cores ÷ the limit)" };
    const inPercent = left.u === "bytes" && left.factor === 0.01;
    if (left.u === "bytes" && right.u === "limit") {
      return { u: "share", factor: left.factor, unit: inPercent ? "percent of the memory limit (100 × bytes ÷ the limit)" : "a share of the memory limit (bytes ÷ the limit)" };
    }
    // node_exporter's available ÷ total, container usage ÷ the machine's: one amount of memory over another.
    if (left.u === "bytes" && right.u === "bytes" && right.factor === 1) {
      return { u: "share", factor: left.factor, unit: inPercent ? "percent of memory (100 × bytes ÷ bytes)" : "a share of memory (bytes ÷ bytes)" };
    }
    if (n !== undefined) return scaled(left, n);
    return UNKNOWN;
  }
  return UNKNOWN;
}

/** What the query says, or UNKNOWN when there is none or it does not parse. */
function queryValue(query: string | undefined): Value {
  if (query === undefined) return UNKNOWN;
  const tree = parser.parse(query);
  let bad = false;
  tree.iterate({ enter: (n) => void (n.type.isError && (bad = true)) });
  return bad ? UNKNOWN : valueOf(tree.topNode, query);
}

/** The unit of a PromQL memory reading, as far as the query (or, failing it, its name) says. */
export function memoryUnit(name: string, query: string | undefined): ShareUnit {
  let value = queryValue(query);
  if (value.u === "unknown") {
    if (/_bytes$/.test(name)) value = { u: "bytes", factor: 1 };
    else if (/(percent|pct)$/.test(name)) value = { u: "share", factor: 0.01, unit: `${PERCENT} (as its name says)` };
    else if (/(ratio|share|fraction|utili[sz]ation)$/.test(name)) value = { u: "share", factor: 1, unit: "a share of memory (as its name says)" };
  }
  switch (value.u) {
    case "share":
      return { kind: "share", factor: value.factor, unit: value.unit };
    case "bytes":
      return { kind: "not-a-share", unit: "bytes, not a share (divide by the memory limit in the query: … / container_spec_memory_limit_bytes)" };
    default:
      return { kind: "not-a-share", unit: "no unit the query or its name tells (a share of the limit, or percent)" };
  }
}

/** The unit of a PromQL reading, as far as the query (or, failing it, the reading's name) says. */
export function cpuUnit(name: string, query: string | undefined): ShareUnit {
  let value = queryValue(query);
  // The reading's name says it when the query does not: cpu_percent, cpu_ratio, cpu_cores.
  if (value.u === "unknown") {
    if (/_total$|_seconds$/.test(name)) value = { u: "counter" };
    else if (/(percent|pct)$/.test(name)) value = { u: "share", factor: 0.01, unit: `${PERCENT} (as its name says)` };
    else if (/(ratio|share|fraction|utili[sz]ation)$/.test(name)) value = { u: "share", factor: 1, unit: `${SHARE} (as its name says)` };
    else if (/cores$/.test(name)) value = { u: "cores", factor: 1 };
  }
  switch (value.u) {
    case "share":
      return { kind: "share", factor: value.factor, unit: value.unit };
    case "cores":
      // Seed 002's own alert compares rate(container_cpu_usage_seconds_total) with 0.7: one core.
      return { kind: "share", factor: value.factor, unit: "cores, read as a share of one core (the query names no limit: divide it by the cores it may use)" };
    case "counter":
      return { kind: "not-a-share", unit: "a counter (CPU seconds since the process started), not a share" };
    default:
      return { kind: "not-a-share", unit: "no unit the query or its name tells (a share, percent or cores)" };
  }
}
