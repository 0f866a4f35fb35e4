import { forEachLimit } from "./concurrency";
import { Aggregate, Domain } from "./domain";
import { log } from "./log";
import { Snapshot, SnapshotStore } from "./stores";

/** A snapshot is taken at every version that is a multiple of `every` (0 = never). */
export const isSnapshotDue = (version: number, every: number): boolean => every > 0 && version > 0 && version % every === 0;

export const toSnapshot = <S>(domain: Domain<S, unknown>, aggregate: Aggregate<S>): Snapshot<S> => ({
  aggregateId: aggregate.aggregateId,
  version: aggregate.version,
  state: aggregate.state,
  schemaVersion: domain.schemaVersion,
});

/**
 * Saves snapshots best effort: a snapshot only saves reading time, so a failure is
 * logged and never fails the command or batch that produced it.
 */
export async function saveSnapshots<S>(
  store: SnapshotStore,
  domain: Domain<S, unknown>,
  aggregates: readonly Aggregate<S>[],
): Promise<number> {
  let saved = 0;
  await forEachLimit(aggregates, 8, async (aggregate) => {
    try {
      await store.save(toSnapshot(domain, aggregate));
      saved += 1;
    } catch (error) {
      log.warn("snapshot not saved", { aggregateId: aggregate.aggregateId, version: aggregate.version, error });
    }
  });
  return saved;
}
