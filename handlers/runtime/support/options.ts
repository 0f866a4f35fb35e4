/**
 * Checks a numeric option at construction time, so a misconfiguration fails loudly at once
 * instead of, say, a concurrency of 0 processing nothing and reporting success.
 */
export function positiveInteger(name: string, value: number | undefined, fallback: number, { allowZero = false } = {}): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < (allowZero ? 0 : 1)) {
    throw new RangeError(`${name} must be a${allowZero ? " non-negative" : " positive"} integer, got ${String(value)}`);
  }
  return resolved;
}
