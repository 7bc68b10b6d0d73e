// The suites `pipebench init KIND` writes: short, commented, runnable as written on a busy 2-core
// machine in about 10–20 s, each showing the shape of a suite (targets, scenarios, a load with an
// executor, thresholds). test/cli/init.test.ts runs every one of them.

export const STARTER_KINDS = ["postgres", "duckdb", "http", "kafka"] as const;
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
};

export interface StarterContext {
  /** The suite's file name, as the user runs it. */
  readonly file: string;
  /** The JSON Schema file beside it, for the yaml-language-server modeline. */
  readonly schema: string;
  /** How to call scripts/kafka-local from where the user is. */
  readonly kafkaLocal: string;
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
      return `${header(ctx, 15)}#
# It needs a Kafka broker. A local one (a real Apache Kafka in one JVM; Java 17+, and Maven for the
# first fetch), from the pipebench repository:
#   ${ctx.kafkaLocal} fetch
#   export KAFKA_BOOTSTRAP=$(${ctx.kafkaLocal} start | sed -n 's/^bootstrap=\\([^ ]*\\).*/\\1/p')
#   pipebench run ${ctx.file}
#   ${ctx.kafkaLocal} stop
# (start prints bootstrap=127.0.0.1:PORT dir=… pid=…; KAFKA_BOOTSTRAP is that host:port.)
name: kafka-starter

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
  }
}
