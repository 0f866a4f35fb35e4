/**
 * What DynamoDB stores and gives back unchanged. A value that would not round-trip (an
 * `undefined` dropped from an array, a Date turned into `{}`, a number past 2^53 the
 * marshaller refuses) is refused before anything is written, with the path that is wrong.
 */

/** DynamoDB limits that matter before a write. */
export const DYNAMODB_LIMITS = {
  /** Bytes of a partition key value. */
  partitionKeyBytes: 2048,
  /** Bytes of a sort key value, in a table or an index. */
  sortKeyBytes: 1024,
  /** Bytes of one item, attribute names included. */
  itemBytes: 400 * 1024,
  /** Bytes of one TransactWriteItems request. */
  transactionBytes: 4 * 1024 * 1024,
  /** Actions in one TransactWriteItems request. */
  transactionItems: 100,
  /** Nesting levels of lists and maps. */
  depth: 32,
  /** Smallest and largest magnitudes of a number (38 significant digits between them). */
  smallestNumber: 1e-130,
  largestNumber: 9.9999999999999999999999999999999999999e125,
} as const;

/**
 * The path of the first part of `value` DynamoDB would not store and return as it is, and why;
 * undefined when it round-trips. Object fields holding `undefined` are fine (they are absent,
 * as in JSON); `undefined` inside an array is not.
 */
export function unstorable(value: unknown, path = "$", depth = 0): string | undefined {
  if (depth > DYNAMODB_LIMITS.depth) return `${path}: nested deeper than ${DYNAMODB_LIMITS.depth} levels`;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return unstorableNumber(value, path);
    case "undefined":
      return `${path}: undefined (inside an array it would be dropped)`;
    case "object":
      break;
    default:
      return `${path}: a ${typeof value} cannot be stored`;
  }
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      if (!(index in value)) return `${path}[${index}]: an empty array slot would be dropped`;
      const problem = unstorable(value[index], `${path}[${index}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return `${path}: a ${value.constructor?.name ?? "class instance"} is not a plain object and would not come back as it is`;
  }
  for (const [key, field] of Object.entries(value)) {
    if (key === "") return `${path}: an attribute name is empty`;
    if (field === undefined) continue;
    const problem = unstorable(field, `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

function unstorableNumber(value: number, path: string): string | undefined {
  if (!Number.isFinite(value)) return `${path}: ${value} is not a finite number`;
  const magnitude = Math.abs(value);
  if (magnitude > Number.MAX_SAFE_INTEGER) return `${path}: ${value} is beyond ±2^53 and would lose precision`;
  if (magnitude !== 0 && magnitude < DYNAMODB_LIMITS.smallestNumber)
    return `${path}: ${value} is below DynamoDB's smallest number (1e-130)`;
  return undefined;
}

/**
 * The size DynamoDB counts for an item: attribute names plus values (strings in UTF-8, numbers
 * about one byte per two digits, one byte per boolean or null, three bytes per list or map plus
 * one per element). Slightly generous, so a commit it accepts is one DynamoDB accepts.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number") return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, "").length / 2) + 1;
  if (typeof value === "boolean" || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === "object") {
    let size = 3;
    for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
      if (field !== undefined) size += 1 + Buffer.byteLength(name) + valueSize(field);
    }
    return size;
  }
  return 0;
}
