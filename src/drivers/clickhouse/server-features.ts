// What the ClickHouse server in front of us can do. The driver meets servers from 18.16 (the only
// one Debian packages, which the tests run) to today's; it detects the version at connect and
// uses what that server has, and says plainly when a suite asks for what it lacks. Where the
// server can be asked directly (query_log's column types) it is asked, rather than trusting a
// version table.

export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  /** As the server says it, e.g. "18.16.1" or "24.8.4.13". */
  readonly text: string;
}

export function parseVersion(text: string): ServerVersion {
  const [major = 0, minor = 0] = text.trim().split(".").map((p) => Number.parseInt(p, 10) || 0);
  return { major, minor, text: text.trim() };
}

function atLeast(v: ServerVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export interface ServerFeatures {
  readonly version: ServerVersion;
  /** DateTime64 (millisecond timestamps): 20.1 and newer. Older servers keep whole seconds. */
  readonly dateTime64: boolean;
  /** `system.query_log.type` is an Enum ('QueryFinish'); on 18.16 it is a UInt8 (2). */
  readonly queryLogTypeEnum: boolean;
  /** `X-ClickHouse-Summary` response header (written/read rows): 19.x and newer. */
  readonly summaryHeader: boolean;
}

export function featuresOf(version: ServerVersion, queryLogType: string | undefined): ServerFeatures {
  return {
    version,
    dateTime64: atLeast(version, 20, 1),
    // Unknown before query_log exists (no query ran yet): fall back to the version.
    queryLogTypeEnum: queryLogType === undefined ? atLeast(version, 19, 9) : queryLogType.startsWith("Enum"),
    summaryHeader: atLeast(version, 19, 0),
  };
}

/** The sentence a UsageError gives when a suite asks for what this server lacks. */
export function needsNewer(feature: string, version: ServerVersion, what: string): string {
  return `${feature} needs a newer ClickHouse than this server's ${version.text}: ${what}`;
}
