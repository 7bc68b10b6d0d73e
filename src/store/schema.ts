// The results database schema, for SQLite and for PostgreSQL: the same tables and columns, the
// same migrations in the same order, each written in its database's words (PostgreSQL's ids,
// times and counts are bigint). Migrations are append-only: a database written by an older
// pipebench is brought forward, never rewritten. A new one goes into both lists (a test checks
// that the two stores read back alike). SQLite's `user_version` counts the migrations applied,
// PostgreSQL's `pipebench.store_schema`.

export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  create table runs (
    id            integer primary key autoincrement,
    suite_name    text not null,
    suite_file    text not null,
    started_at    integer not null,          -- epoch ms
    finished_at   integer,
    status        text not null,             -- running | passed | failed | error | interrupted
    exit_code     integer,
    environment   text not null,             -- JSON: versions, host fingerprint
    suite         text not null,             -- JSON: resolved suite, secrets redacted
    thresholds    text not null default '[]' -- JSON: suite-level threshold outcomes
  );

  create table scenarios (
    id            integer primary key autoincrement,
    run_id        integer not null references runs(id) on delete cascade,
    ordinal       integer not null,
    name          text not null,
    target        text not null,
    target_kind   text not null,
    workload      text not null,             -- JSON
    load          text not null,             -- JSON
    status        text not null,             -- completed | interrupted | failed | skipped
    started_at    integer not null,
    duration_s    real not null,
    result        text not null,             -- JSON ScenarioResult without histograms and series
    thresholds    text not null default '[]',-- JSON threshold outcomes
    unique (run_id, name)
  );

  -- One row per number, so any two runs can be compared with plain SQL.
  create table metrics (
    scenario_id   integer not null references scenarios(id) on delete cascade,
    name          text not null,
    value         real,
    unit          text not null,
    primary key (scenario_id, name)
  );

  create table histograms (
    scenario_id   integer not null references scenarios(id) on delete cascade,
    kind          text not null,             -- latency | service
    unit          text not null default 'us',
    encoded       text not null,             -- HdrHistogram compressed base64
    primary key (scenario_id, kind)
  );

  create table series (
    scenario_id   integer not null references scenarios(id) on delete cascade,
    t             integer not null,          -- seconds from the measured start
    ops           integer not null,
    errors        integer not null,
    records       integer not null,
    bytes         integer not null,
    p50_ms        real,
    p99_ms        real,
    primary key (scenario_id, t)
  );

  create table probe_readings (
    id            integer primary key autoincrement,
    run_id        integer not null references runs(id) on delete cascade,
    scenario_id   integer references scenarios(id) on delete cascade, -- null: the whole run
    target        text,                      -- null for the host probe
    probe         text not null,
    phase         text not null,             -- interval | sample
    taken_at      integer not null,
    metrics       text not null,             -- JSON
    details       text,                      -- JSON
    notes         text not null default '[]'
  );

  create index scenarios_by_run on scenarios(run_id);
  create index probe_readings_by_run on probe_readings(run_id);
  `,
  // 2: latency a workload observes outside its operations (end-to-end, freshness). Its histogram
  // goes into histograms with kind = the observed name, its numbers into metrics as
  // "<name>.p99" (ms), integrity counters into metrics by name (unit "count"); only its
  // per-second series needs a table of its own.
  `
  create table observed_series (
    scenario_id   integer not null references scenarios(id) on delete cascade,
    name          text not null,             -- the observed latency, e.g. end_to_end
    t             integer not null,          -- seconds from the measured start, by arrival
    arrivals      integer not null,
    p50_ms        real,
    p99_ms        real,
    primary key (scenario_id, name, t)
  );
  `,
  // 3: trials, tags, baselines and sweep variants. A scenario may now run several times in one run
  // (trials) or once per sweep combination (variant), so its uniqueness gains the trial number.
  // SQLite cannot change a table constraint in place: the scenarios table is rebuilt (the store
  // turns foreign keys off around migrations, so the rows that reference it are kept).
  `
  alter table runs add column tag text;
  alter table runs add column trials integer not null default 1;
  create index runs_by_tag on runs(tag);

  create table baselines (
    suite_name    text primary key,
    run_id        integer not null references runs(id) on delete cascade,
    set_at        integer not null
  );

  create table scenarios_v3 (
    id            integer primary key autoincrement,
    run_id        integer not null references runs(id) on delete cascade,
    ordinal       integer not null,
    name          text not null,
    trial         integer not null default 0,  -- 0-based; --trials N stores N rows per scenario
    variant       text,                        -- JSON: the sweep combination, or null
    target        text not null,
    target_kind   text not null,
    workload      text not null,
    load          text not null,
    status        text not null,
    started_at    integer not null,
    duration_s    real not null,
    result        text not null,
    thresholds    text not null default '[]',
    unique (run_id, name, trial)
  );
  insert into scenarios_v3 (id, run_id, ordinal, name, trial, variant, target, target_kind, workload, load,
                            status, started_at, duration_s, result, thresholds)
    select id, run_id, ordinal, name, 0, null, target, target_kind, workload, load,
           status, started_at, duration_s, result, thresholds from scenarios;
  drop table scenarios;
  alter table scenarios_v3 rename to scenarios;
  create index scenarios_by_run on scenarios(run_id);
  `,
  // 4: who is running a run. A run still `running` when its process is gone (SIGKILL, a crash, a
  // power cut) is marked `incomplete` by the next pipebench that opens the store; these say which
  // process to look for: its pid on which host, and `owner_start`, an opaque token telling that
  // process apart from a later one given the same pid (Linux: boot id and start time in ticks).
  `
  alter table runs add column owner_pid integer;
  alter table runs add column owner_host text;
  alter table runs add column owner_start text;
  create index runs_by_status on runs(status);
  `,
  // 5: a heartbeat. A run of another host (a pod, a CI runner sharing a PostgreSQL store) cannot
  // be asked about its pid; one whose process has not written for a while is gone all the same.
  `
  alter table runs add column heartbeat_at integer;
  `,
];

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  create table runs (
    id            bigint generated by default as identity primary key,
    suite_name    text not null,
    suite_file    text not null,
    started_at    bigint not null,
    finished_at   bigint,
    status        text not null,
    exit_code     integer,
    environment   text not null,
    suite         text not null,
    thresholds    text not null default '[]'
  );

  create table scenarios (
    id            bigint generated by default as identity primary key,
    run_id        bigint not null references runs(id) on delete cascade,
    ordinal       integer not null,
    name          text not null,
    target        text not null,
    target_kind   text not null,
    workload      text not null,
    load          text not null,
    status        text not null,
    started_at    bigint not null,
    duration_s    double precision not null,
    result        text not null,
    thresholds    text not null default '[]',
    unique (run_id, name)
  );

  create table metrics (
    scenario_id   bigint not null references scenarios(id) on delete cascade,
    name          text not null,
    value         double precision,
    unit          text not null,
    primary key (scenario_id, name)
  );

  create table histograms (
    scenario_id   bigint not null references scenarios(id) on delete cascade,
    kind          text not null,
    unit          text not null default 'us',
    encoded       text not null,
    primary key (scenario_id, kind)
  );

  create table series (
    scenario_id   bigint not null references scenarios(id) on delete cascade,
    t             integer not null,
    ops           bigint not null,
    errors        bigint not null,
    records       bigint not null,
    bytes         bigint not null,
    p50_ms        double precision,
    p99_ms        double precision,
    primary key (scenario_id, t)
  );

  create table probe_readings (
    id            bigint generated by default as identity primary key,
    run_id        bigint not null references runs(id) on delete cascade,
    scenario_id   bigint references scenarios(id) on delete cascade,
    target        text,
    probe         text not null,
    phase         text not null,
    taken_at      bigint not null,
    metrics       text not null,
    details       text,
    notes         text not null default '[]'
  );

  create index scenarios_by_run on scenarios(run_id);
  create index probe_readings_by_run on probe_readings(run_id);
  `,
  `
  create table observed_series (
    scenario_id   bigint not null references scenarios(id) on delete cascade,
    name          text not null,
    t             integer not null,
    arrivals      bigint not null,
    p50_ms        double precision,
    p99_ms        double precision,
    primary key (scenario_id, name, t)
  );
  `,
  // PostgreSQL changes the scenarios' uniqueness in place (SQLite rebuilt the table).
  `
  alter table runs add column tag text;
  alter table runs add column trials integer not null default 1;
  create index runs_by_tag on runs(tag);

  create table baselines (
    suite_name    text primary key,
    run_id        bigint not null references runs(id) on delete cascade,
    set_at        bigint not null
  );

  alter table scenarios add column trial integer not null default 0;
  alter table scenarios add column variant text;
  alter table scenarios drop constraint scenarios_run_id_name_key;
  alter table scenarios add constraint scenarios_run_id_name_trial_key unique (run_id, name, trial);
  `,
  `
  alter table runs add column owner_pid integer;
  alter table runs add column owner_host text;
  alter table runs add column owner_start text;
  create index runs_by_status on runs(status);
  `,
  `
  alter table runs add column heartbeat_at bigint;
  `,
];
