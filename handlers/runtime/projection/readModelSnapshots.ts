import { Domain } from "../domain/domain";
import { snapshotChecksum } from "../ledger/snapshots";
import { Snapshot, SnapshotSource } from "../ledger/stores";
import { Projection, defineProjection } from "./projection";
import { ReadModelStore } from "../ledger/stores";

/**
 * A projection whose row is the whole aggregate (state, schema version and checksum). Its rows
 * double as snapshots: commands can start from them and fold only the events after their version.
 */
export function aggregateProjection<S>(name: string, domain: Domain<S, unknown>): Projection<S> {
  return defineProjection<S>({
    name,
    eventTypes: Object.keys(domain.eventTypes),
    schemaVersion: domain.schemaVersion,
    project: ({ aggregateId, version, state }) => ({
      state,
      schemaVersion: domain.schemaVersion,
      checksum: snapshotChecksum({ aggregateId, version, schemaVersion: domain.schemaVersion, state }),
    }),
  });
}

/**
 * Snapshots read from an aggregateProjection's rows. A row is eventually consistent, which is
 * fine: the loader reads every event after its version consistently and checks the row like any
 * snapshot (checksum, schema, the ledger reaching its version). A row newer than the version
 * asked for cannot serve as a starting point and is not returned.
 */
export class ReadModelSnapshotSource implements SnapshotSource {
  /** A replica's row is written at every event it subscribes to: current but for the projector's lag. */
  readonly followsLedger = true;
  constructor(private readonly readModel: Pick<ReadModelStore, "get">) {}

  async latest(aggregateId: string, atOrBelow?: number): Promise<Snapshot | undefined> {
    const row = await this.readModel.get(aggregateId);
    if (!row || typeof row.version !== "number" || typeof row.schemaVersion !== "number") return undefined;
    if (atOrBelow !== undefined && row.version > atOrBelow) return undefined;
    return {
      aggregateId,
      version: row.version,
      state: row.state,
      schemaVersion: row.schemaVersion,
      checksum: row.checksum as string | undefined,
    };
  }
}
