// The suites `pipebench init KIND` writes: short, commented, runnable as written on a busy 2-core
// machine in about 10–20 s, each showing the shape of a suite (targets, scenarios, a load with an
// executor, thresholds). test/cli/init.test.ts runs every one of them.

export const STARTER_KINDS = ["postgres", "duckdb", "http", "kafka", "trino", "clickhouse"] as const;
export type StarterKind = (typeof STARTER_KINDS)[number];

export function isStarterKind(kind: string): kind is StarterKind {
  return (STARTER_KINDS as readonly string[]).includes(kind);
}

/** One line each, for `pipebench init` without a kind and for --help. */
export const STARTER_WORDS: Readonly<Record<StarterKind, string>> = {
  postgres: "a PostgreSQL that pipebench starts and removes (embedded): COPY writes and timed queries",
  duckdb: "DuckDB in pipebench's process, on generated rows: analytical queries",
  http: "an HTTP service that pipebench starts from a command: GET and POST at set rates",
  kafka: "a local Apache Kafka broker (scripts/kafka-local; Java 17+): produce and consume",
  trino: "a local Trino (scripts/trino-local; Java 22+): timed queries on generated rows, with Trino's own time",
  clickhouse: "a local ClickHouse (scripts/clickhouse-local; Debian's clickhouse-server): inserts and queries",
};

/** The kinds, one line each: `pipebench init` without a kind. */
export function starterList(): string {
  const width = Math.max(...STARTER_KINDS.map((k) => k.length));
  return [
    "pipebench init KIND [FILE] writes a starter suite (default FILE: KIND.yaml) that runs as written:",
    ...STARTER_KINDS.map((k) => `  ${k.padEnd(width)}  ${STARTER_WORDS[k]}`),
    "e.g. pipebench init http",
  ].join("\n");
}

/** The servers a starter needs started first, by the repository's scripts/*-local. */
export const LOCAL_SERVERS = {
  kafka: { script: "kafka-local", env: "KAFKA_BOOTSTRAP", key: "bootstrap", what: "a real Apache Kafka in one JVM; Java 17+, and Maven for the first fetch", is: "that host:port" },
  trino: { script: "trino-local", env: "TRINO_URL", key: "url", what: "a real single-node Trino; Java 22+, and Maven for the first fetch", is: "that URL" },
  clickhouse: { script: "clickhouse-local", env: "CLICKHOUSE_URL", key: "url", what: "Debian's clickhouse-server, installed by the first fetch", is: "that URL" },
} as const satisfies Partial<Record<StarterKind, { script: string; env: string; key: string; what: string; is: string }>>;
export type LocalServerKind = keyof typeof LOCAL_SERVERS;

export function needsLocalServer(kind: StarterKind): kind is LocalServerKind {
  return kind in LOCAL_SERVERS;
}

/** `export KAFKA_BOOTSTRAP=$(scripts/kafka-local start | sed …)`: the start line's address into the variable. */
export function exportLine(kind: LocalServerKind, script: string): string {
  const s = LOCAL_SERVERS[kind];
  return `export ${s.env}=$(${script} start | sed -n 's/^${s.key}=\\([^ ]*\\).*/\\1/p')`;
}

export interface StarterContext {
  /** The suite's file name, as the user runs it. */
  readonly file: string;
  /** The JSON Schema file beside it, for the yaml-language-server modeline. */
  readonly schema: string;
  /** How to call a scripts/*-local from where the user is: `script("kafka-local")`. */
  readonly script: (name: string) => string;
}

/** The comment a starter that needs a server begins with: how to fetch, start, use and stop it. */
function localServerNote(kind: LocalServerKind, ctx: StarterContext): string {
  const s = LOCAL_SERVERS[kind];
  const script = ctx.script(s.script);
  return `#
# It needs a server. A local one (${s.what}), from the pipebench repository:
#   ${script} fetch
#   ${exportLine(kind, script)}
#   pipebench run ${ctx.file}
#   ${script} stop
# (start prints ${s.key}=… dir=… pid=…; ${s.env} is ${s.is}.)
`;
}

function header(ctx: StarterContext, seconds: number): string {
  return `# yaml-language-server: $schema=${ctx.schema}
# A pipebench suite: targets (the systems under test), scenarios (a workload on a target under a
# load profile) and thresholds (pass/fail rules: exit 0 when all pass, 1 when one fails).
#   pipebench run ${ctx.file} --dry-run    the plan: checks the suite, starts nothing
#   pipebench run ${ctx.file}              runs it (~${seconds} s) and stores the run in .pipebench/results.db
`;
}

const LOAD_NOTE = `  # load: when operations start. An open loop (constant-rate, ramp, steps) starts them on a
  # schedule whatever the target does, and times each from its planned start; a closed loop
  # (closed, max) starts the next when one ends. warmup runs first and is not measured.`;

export function starterSuite(kind: StarterKind, ctx: StarterContext): string {
  switch (kind) {
    case "postgres":
      return `${header(ctx, 20)}name: postgres-starter

targets:
  pg:
    kind: postgres
    # A throwaway PostgreSQL that pipebench starts and removes. For your own server write
    # url: postgres://user@host:5432/db (and password: \${PGPASSWORD}).
    embedded: true
    pool: 4                       # connections pipebench opens
    queries:                      # named SQL, for query workloads
      rows: select count(*) from metrics

probes:                           # server-side readings, judged by the suite's thresholds
  - { kind: postgres-stats, target: pg }

scenarios:
${LOAD_NOTE}
  write:                          # 200 COPY batches of 500 generated rows; the table is created
    target: pg
    workload: { type: insert, table: metrics, method: copy, batchSize: 500, generator: server-metrics }
    load: { executor: closed, workers: 2, iterations: 200 }
    thresholds: ["error_rate < 1%"]
  read:                           # 50 queries a second, whatever the server does
    target: pg
    workload: { type: query, query: rows }
    load: { executor: constant-rate, rate: 50, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 500ms", "error_rate < 1%"]

thresholds: ["connection_usage < 90%"]
`;
    case "duckdb":
      return `${header(ctx, 10)}name: duckdb-starter

targets:
  duck:
    kind: duckdb                  # DuckDB inside pipebench's process: nothing to install or start
    path: ":memory:"              # or a database file, relative to this suite
    datasets:                     # tables filled with generated rows before the scenarios run
      - { table: prices, generator: commodity-prices, rows: 20000, seed: 1 }
    queries:                      # named SQL, for query workloads
      count: select count(*) from prices
      daily: >-
        select commodity, date_trunc('day', timestamp) as day, avg(price) as avg_price
        from prices group by all order by day desc limit 100

scenarios:
${LOAD_NOTE}
  count:                          # one query after another for 3 s
    target: duck
    workload: { type: query, query: count }
    load: { executor: closed, workers: 1, duration: 3s }
    thresholds: ["p95 < 250ms"]
  daily:                          # 50 aggregations a second
    target: duck
    workload: { type: query, query: daily }
    load: { executor: constant-rate, rate: 50, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 2s", "error_rate < 1%"]
`;
    case "http":
      return `${header(ctx, 15)}name: http-starter

targets:
  api:
    kind: http
    connections: 10               # sockets pipebench keeps open to the service
    # pipebench starts this command (a tiny service answering every request with {"ok":true}) on a
    # free port, given in $PORT; waits until GET /health answers 2xx; and stops it after the run.
    # For a service already running, write its url: http://host:port instead of start:.
    start:
      command:
        - node
        - -e
        - |
          require("node:http").createServer((req, res) => req.resume().on("end", () => res.end('{"ok":true}')))
            .listen(Number(process.env.PORT), "127.0.0.1");
      ready: /health

scenarios:
${LOAD_NOTE}
  get:                            # 200 requests a second for 5 s
    target: api
    workload: { type: request, method: GET, path: /items }
    load: { executor: constant-rate, rate: 200, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 250ms", "p99 < 1s", "error_rate < 0.1%"]
  post:                           # JSON bodies from a generator, the rate rising 50/s → 300/s
    target: api
    workload:
      type: request
      method: POST
      path: /orders
      headers: { content-type: application/json }
      body: { generator: transactions }
    load: { executor: ramp, from: 50, to: 300, duration: 5s }
    thresholds: ["p95 < 250ms", "error_rate < 0.1%"]
`;
    case "kafka":
      return `${header(ctx, 15)}${localServerNote(kind, ctx)}name: kafka-starter

targets:
  kafka:
    kind: kafka
    brokers: \${KAFKA_BOOTSTRAP}  # host:port[,host:port…], from the environment
    producer: { acks: all, linger.ms: 5 }   # producer settings, by their Kafka names
    topics:                       # created when missing
      starter: { partitions: 3 }

scenarios:
${LOAD_NOTE}
  produce:                        # 1,000 records of 512 bytes a second for 5 s
    target: kafka
    workload: { type: produce, topic: starter, recordSize: 512 }
    load: { executor: constant-rate, rate: 1000, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 500ms", "error_rate < 0.1%"]
  consume:                        # read 5,000 of them back, as fast as they come
    target: kafka
    workload: { type: consume, topic: starter, fromBeginning: true }
    load: { executor: max, iterations: 5000 }
    thresholds: ["error_rate < 0.1%"]
`;
    case "trino":
      return `${header(ctx, 20)}${localServerNote(kind, ctx)}name: trino-starter

targets:
  trino:
    kind: trino
    url: \${TRINO_URL}              # http://host:port of the coordinator, from the environment
    user: pipebench
    catalog: memory               # Trino's in-memory catalog: the dataset below is loaded into it
    schema: default
    datasets:                     # generated rows, loaded at connect (drop this for your own tables)
      - { table: commodity_prices, generator: commodity-prices, rows: 2000, seed: 7 }
    queries:                      # named SQL, for query workloads
      count: select count(*) from commodity_prices
      daily: select commodity, date_trunc('day', timestamp) as day, avg(price) from commodity_prices group by 1, 2

scenarios:
${LOAD_NOTE}
  count:                          # 20 counts one after another; \`server\` is Trino's own time
    target: trino
    workload: { type: query, query: count }
    load: { executor: closed, workers: 1, iterations: 20, warmup: 2s }
    thresholds: ["p95 < 2s", "server.p95 < 2s", "error_rate < 1%"]
  daily:                          # a daily aggregate twice a second
    target: trino
    workload: { type: query, query: daily }
    load: { executor: constant-rate, rate: 2, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 3s", "error_rate < 1%"]
`;
    case "clickhouse":
      return `${header(ctx, 10)}${localServerNote(kind, ctx)}name: clickhouse-starter

targets:
  ch:
    kind: clickhouse
    url: \${CLICKHOUSE_URL}        # the HTTP interface (port 8123 by default), from the environment
    queries:                      # named SQL, for query workloads
      latest: select instrument_id, argMax(price, timestamp) from market_ticks group by instrument_id

probes:                           # server-side readings: parts, merges, the slowest queries
  - { kind: clickhouse-stats, target: ch }

scenarios:
${LOAD_NOTE}
  write:                          # 20 INSERTs of 10,000 generated market ticks; the table is created
    target: ch
    workload: { type: insert, table: market_ticks, generator: market-ticks, batchSize: 10000 }
    load: { executor: closed, workers: 1, iterations: 20 }
    thresholds: ["error_rate < 1%"]
  read:                           # 10 queries a second for 5 s
    target: ch
    workload: { type: query, query: latest }
    load: { executor: constant-rate, rate: 10, duration: 5s, warmup: 1s }
    thresholds: ["p95 < 500ms", "error_rate < 1%"]
`;
  }
}
