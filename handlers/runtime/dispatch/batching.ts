import { PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from "../ledger/conventions";
import { sizedBatches } from "../support/sizedBatches";

/** One PutEvents entry, before the bus name is added by the adapter. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: string;
}

/** EventBridge's size of an entry: the UTF-8 bytes of source, detail-type and detail (no Time, no Resources). */
export const entrySize = (entry: BusEntry): number =>
  Buffer.byteLength(entry.source) + Buffer.byteLength(entry.detailType) + Buffer.byteLength(entry.detail);

/**
 * Splits entries into PutEvents requests of at most 10 entries and 256 KB, keeping order.
 * An entry that alone exceeds the limit is an error: callers send such aggregates by reference.
 */
export function batchEntries<T extends BusEntry>(
  entries: readonly T[],
  maxEntries = PUT_EVENTS_MAX_ENTRIES,
  maxBytes = PUT_EVENTS_MAX_BYTES,
): T[][] {
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > maxBytes) throw new RangeError(`a bus entry of ${size} bytes exceeds the ${maxBytes}-byte limit`);
  }
  return sizedBatches(entries, maxEntries, maxBytes, entrySize);
}
