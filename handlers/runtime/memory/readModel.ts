import { PROJECTION_PARTITION_KEY, PROJECTION_VERSION_ATTRIBUTE } from "../ledger/conventions";
import { ReadModelStore, WriteOutcome } from "../ledger/stores";

/** A read model in memory, with DynamoDbReadModel's contract: a row is overwritten only by a strictly higher version. */
export class InMemoryReadModel implements ReadModelStore {
  private readonly rows = new Map<string, Record<string, unknown>>();

  async putIfNewer(id: string, version: number, row: Record<string, unknown>): Promise<WriteOutcome> {
    const stored = this.rows.get(id);
    const storedVersion = stored?.[PROJECTION_VERSION_ATTRIBUTE] as number | undefined;
    if (storedVersion !== undefined && storedVersion >= version) return { written: false, storedVersion };
    this.rows.set(id, structuredClone({ ...row, [PROJECTION_PARTITION_KEY]: id, [PROJECTION_VERSION_ATTRIBUTE]: version }));
    return { written: true };
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }
}
