// The results database schema. Migrations are append-only: a database written by an older
// pipebench is brought forward, never rewritten. `user_version` counts the migrations applied.

export const MIGRATIONS: readonly string[] = [
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
];
