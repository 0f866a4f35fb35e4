export interface RecentlyUsedOptions<V> {
  /** What one value weighs (for instance its size in bytes); with `maxWeight`, the total is bounded too. */
  weigh?: (value: V) => number;
  /** The most the values may weigh together; a value heavier than this alone is not kept. */
  maxWeight?: number;
}

/**
 * A map of at most `capacity` entries (and, with a weigher, at most `maxWeight` in all) that drops
 * the least recently used ones first: what a warm Lambda keeps between invocations (aggregates,
 * versions) without growing past its memory. A capacity of 0 remembers nothing.
 */
export class RecentlyUsed<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private weight = 0;

  constructor(
    readonly capacity: number,
    private readonly options: RecentlyUsedOptions<V> = {},
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting moves the key to the most recent end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    if (this.capacity === 0) return;
    const weight = this.options.weigh?.(value) ?? 0;
    const maxWeight = this.options.maxWeight ?? Infinity;
    if (weight > maxWeight) return;
    this.entries.set(key, { value, weight });
    this.weight += weight;
    while (this.entries.size > this.capacity || this.weight > maxWeight) this.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The values' total weight (0 without a weigher). */
  get totalWeight(): number {
    return this.weight;
  }
}

/** Roughly what an aggregate's state takes: its JSON length (a state that has none is not kept). */
export function stateWeight(aggregate: { state: unknown }): number {
  try {
    return JSON.stringify(aggregate.state)?.length ?? 0;
  } catch {
    return Infinity;
  }
}

/** Default bound of the states a handler remembers: 32 MB of their JSON, whatever their count. */
export const REMEMBERED_BYTES = 32 * 1024 * 1024;
