/**
 * Splits items, in order, into batches of at most `maxCount` items whose sizes add up to at most
 * `maxBytes` (a single item larger than that gets a batch of its own): how every batch API of
 * AWS counts (PutEvents, SendMessageBatch).
 */
export function sizedBatches<T>(items: readonly T[], maxCount: number, maxBytes: number, sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length === maxCount || (current.length > 0 && bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
