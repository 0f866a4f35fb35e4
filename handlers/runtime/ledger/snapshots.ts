import { checksumOf } from "../support/checksum";
import { forEachLimit } from "../support/concurrency";
import { versionProblem } from "../domain/identity";
import { Aggregate, Domain } from "../domain/domain";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { Snapshot, SnapshotStore } from "./stores";

/** A snapshot is taken at every version that is a multiple of `every` (0 = never). */
export const isSnapshotDue = (version: number, every: number): boolean => every > 0 && version > 0 && version % every === 0;

/** What a snapshot's checksum covers: everything that makes it a starting point. */
export const snapshotChecksum = (snapshot: Omit<Snapshot, "checksum">): string =>
  checksumOf({
    aggregateId: snapshot.aggregateId,
    version: snapshot.version,
    schemaVersion: snapshot.schemaVersion,
    state: snapshot.state,
  });

/** The aggregate as a snapshot of the domain's schema version, with the checksum a reader verifies before trusting it. */
export const toSnapshot = <S>(domain: Domain<S, unknown>, aggregate: Aggregate<S>): Snapshot<S> => {
  const snapshot = {
    aggregateId: aggregate.aggregateId,
    version: aggregate.version,
    state: aggregate.state,
    schemaVersion: domain.schemaVersion,
  };
  return { ...snapshot, checksum: snapshotChecksum(snapshot) };
};

/**
 * What is wrong with a snapshot as a starting point for `aggregateId`, or undefined when it can be
 * trusted: made with the current schema, for this aggregate, at a real version, its checksum
 * matching its content and its state passing the domain's check.
 */
export function snapshotProblem<S>(domain: Domain<S, unknown>, aggregateId: string, snapshot: Snapshot): string | undefined {
  if (snapshot.schemaVersion !== domain.schemaVersion)
    return `made with schema version ${snapshot.schemaVersion}, not ${domain.schemaVersion}`;
  if (snapshot.aggregateId !== aggregateId) return `belongs to aggregate "${snapshot.aggregateId}"`;
  const versionIssue = versionProblem(snapshot.version);
  if (versionIssue) return versionIssue;
  if (typeof snapshot.checksum !== "string") return "has no checksum";
  if (snapshot.checksum !== snapshotChecksum(snapshot)) return "checksum does not match its content";
  try {
    const problem = domain.checkState?.(snapshot.state as S);
    return problem === undefined ? undefined : `state fails the domain's check: ${problem}`;
  } catch (error) {
    return `state fails the domain's check: ${(error as Error).message}`;
  }
}

/**
 * Saves snapshots best effort: a snapshot only saves reading time, so a failure is
 * logged and never fails the command or batch that produced it.
 */
export async function saveSnapshots<S>(
  store: SnapshotStore,
  domain: Domain<S, unknown>,
  aggregates: readonly Aggregate<S>[],
  logger: RuntimeLogger = defaultLogger,
): Promise<number> {
  let saved = 0;
  await forEachLimit(aggregates, 8, async (aggregate) => {
    try {
      await store.save(toSnapshot(domain, aggregate));
      saved += 1;
    } catch (error) {
      logger.warn("snapshot not saved", { aggregateId: aggregate.aggregateId, version: aggregate.version, error });
    }
  });
  return saved;
}
