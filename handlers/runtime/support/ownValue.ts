/**
 * The value a record holds under `key` itself, or undefined: never one it inherits. A key that
 * comes from input (an event's type, a payload's property) may be "constructor" or "__proto__",
 * which a plain lookup finds on every object.
 */
export const ownValue = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
