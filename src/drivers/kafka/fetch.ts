// The low-level fetch loop's building blocks, shared by the `consume` and `end-to-end` workloads:
// partitions grouped by the broker that leads them, and one Fetch request to such a leader.
// (The client's messages stream costs ~2.5× the CPU per record; see docs/decisions.md.)
import type { Consumer } from "@platformatic/kafka";

/** Record batch attribute: a transaction control batch, no user records. */
export const CONTROL_BATCH = 0x20;

/** The parts of the client's fetch response the workloads read. */
export interface FetchResponse {
  responses: {
    partitions: {
      partitionIndex: number;
      records?: {
        firstOffset: bigint;
        lastOffsetDelta: number;
        attributes: number;
        records: { offsetDelta: number; key: Buffer | null; value: Buffer | null }[];
      }[];
    }[];
  }[];
}

/** Partitions by their leader's node id; a partition without a leader right now is left out. */
export function partitionsByLeader(
  described: { partitions: readonly ({ leader: number } | undefined)[] },
  partitions: Iterable<number>,
): Map<number, number[]> {
  const byLeader = new Map<number, number[]>();
  for (const partition of partitions) {
    const leader = described.partitions[partition]?.leader ?? -1;
    if (leader < 0) continue;
    let list = byLeader.get(leader);
    if (!list) byLeader.set(leader, (list = []));
    list.push(partition);
  }
  return byLeader;
}

/** One Fetch request to `leader` for some partitions of one topic, each from its own offset. */
export async function fetchFrom(
  consumer: Consumer,
  leader: number,
  topicId: string,
  partitions: readonly number[],
  offsetOf: (partition: number) => bigint,
  partitionMaxBytes: number,
): Promise<FetchResponse> {
  const response = await consumer.fetch({
    node: leader,
    topics: [
      {
        topicId,
        partitions: partitions.map((partition) => ({
          partition,
          fetchOffset: offsetOf(partition),
          partitionMaxBytes,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        })),
      },
    ],
  });
  return response as unknown as FetchResponse;
}
