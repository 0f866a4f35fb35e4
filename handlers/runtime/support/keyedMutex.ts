/**
 * Runs work exclusively per key within this process: work on "a" waits for the work on "a" before
 * it, work on several keys takes them in sorted order (so two such works never wait on each other).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((resolve) => (release = resolve));
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        releases.push(() => {
          release();
          if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        await previous;
      }
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  /** Keys with work running or waiting. */
  get busy(): number {
    return this.tails.size;
  }
}
