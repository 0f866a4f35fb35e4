import { Snapshot, SnapshotStore } from "../ledger/stores";

/** Snapshots in memory, with DynamoDbSnapshotStore's contract: history kept per version, a save of an existing snapshot of the same schema ignored. */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly byAggregate = new Map<string, Map<number, Snapshot>>();

  async latest(aggregateId: string, atOrBelow?: number): Promise<Snapshot | undefined> {
    const versions = [...(this.byAggregate.get(aggregateId)?.keys() ?? [])].filter(
      (version) => atOrBelow === undefined || version <= atOrBelow,
    );
    return versions.length === 0 ? undefined : this.get(aggregateId, Math.max(...versions));
  }

  async get(aggregateId: string, version: number): Promise<Snapshot | undefined> {
    const found = this.byAggregate.get(aggregateId)?.get(version);
    return found && structuredClone(found);
  }

  async getMany(keys: readonly { aggregateId: string; version: number }[]): Promise<Snapshot[]> {
    const found = await Promise.all(keys.map((key) => this.get(key.aggregateId, key.version)));
    return found.filter((snapshot): snapshot is Snapshot => snapshot !== undefined);
  }

  async save(snapshot: Snapshot): Promise<void> {
    const versions = this.byAggregate.get(snapshot.aggregateId) ?? new Map<number, Snapshot>();
    const held = versions.get(snapshot.version);
    // The fold is deterministic: a snapshot of the same schema at this version is the same snapshot.
    if (held && held.schemaVersion === snapshot.schemaVersion) return;
    versions.set(snapshot.version, structuredClone(snapshot));
    this.byAggregate.set(snapshot.aggregateId, versions);
  }
}
