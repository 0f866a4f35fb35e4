import { positiveInteger } from "./options";

/** Runs `work` on every item with at most `limit` in flight; resolves when all are done. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  positiveInteger("concurrency limit", limit, 1);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
