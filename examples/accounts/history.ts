import {
  EventStore,
  LedgerEvent,
  MAX_EVENTS_PER_COMMIT,
  Recorded,
  SnapshotStore,
  emptyAggregate,
  fold,
  toSnapshot,
} from "../../handlers/runtime";
import { AccountEvent, accounts } from "./domain";

/** An account event as the ledger holds it, typed for both the runtime and the domain. */
export type AccountLedgerEvent = LedgerEvent & Recorded<AccountEvent>;

/** Versions `from..to` of an account's history: opened at version 1, then credits of 1, at fixed times. */
export function accountEvents(aggregateId: string, from: number, to: number): AccountLedgerEvent[] {
  const events: AccountLedgerEvent[] = [];
  for (let version = from; version <= to; version += 1) {
    const timestamp = new Date(Date.UTC(2026, 0, 1) + version).toISOString();
    events.push(
      version === 1
        ? { aggregateId, version, type: "AccountOpened", payload: { owner: "ada" }, timestamp }
        : { aggregateId, version, type: "Credited", payload: { amount: 1 }, timestamp },
    );
  }
  return events;
}

/** Writes one account's full history (from version 1) in commits of up to 100, with a snapshot at every multiple of `snapshotEvery`. */
export async function seedAccount(events: EventStore, snapshots: SnapshotStore, history: LedgerEvent[], snapshotEvery = 0): Promise<void> {
  for (let start = 0; start < history.length; start += MAX_EVENTS_PER_COMMIT)
    await events.append(history.slice(start, start + MAX_EVENTS_PER_COMMIT));
  if (snapshotEvery <= 0 || history.length === 0) return;
  const saves: Promise<void>[] = [];
  fold(accounts, emptyAggregate(accounts, history[0].aggregateId), history, (aggregate) => {
    if (aggregate.version % snapshotEvery === 0) saves.push(snapshots.save(toSnapshot(accounts, aggregate)));
  });
  await Promise.all(saves);
}
