// What a ClickHouse workload works with once connected: the workloads' client, what the server
// supports, and the slots that keep operations within `connections`.
import type { ClickHouseClient } from "@clickhouse/client";
import type { ServerFeatures } from "./server-features.js";
import type { Slots } from "./slots.js";

export interface WorkloadContext {
  readonly client: ClickHouseClient;
  readonly features: ServerFeatures;
  readonly slots: Slots;
  readonly connections: number;
}
