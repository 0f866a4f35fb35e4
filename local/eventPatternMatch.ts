import { EventPattern } from "../handlers/runtime/messages/eventPatterns";
import { isPlainObject } from "../handlers/runtime/domain/domain";
import { LedgerError } from "../handlers/runtime/support/errors";

/**
 * A pattern uses an EventBridge operator or shape this matcher does not model (prefix, numeric,
 * anything-but…, a bare value): refused when the rule is put on a local bus, rather than deciding
 * silently what EventBridge may decide otherwise.
 */
export class UnsupportedPatternError extends LedgerError {
  readonly code = "unsupported-event-pattern";
  constructor(
    readonly field: string,
    readonly operator: unknown,
  ) {
    super(
      `event pattern field "${field}": ${JSON.stringify(operator)} is not modelled locally (a list of values or { exists }, $or over a list of patterns, and nesting are)`,
    );
  }
}

/**
 * Whether an event (source, detail-type, detail) matches a pattern, as EventBridge decides it for the
 * subset this library's patterns use: a list of values (one equal to the event's, or to any element
 * of an array in the event), `{ exists }` on a leaf, `$or`, nesting (over an object, or any object
 * of an array in the event).
 */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === "$or") return (expected as EventPattern[]).some((branch) => matchesPattern(branch, event));
    const actual = event?.[field];
    if (Array.isArray(expected)) {
      return expected.some((option) => {
        if (typeof option !== "object" || option === null) return Array.isArray(actual) ? actual.includes(option) : actual === option;
        return (actual !== undefined) === existsOperand(field, option);
      });
    }
    // A nested pattern over an array of objects in the event matches when one of them does.
    const objects = Array.isArray(actual) ? actual : [actual];
    return objects.some(
      (value) => typeof value === "object" && value !== null && matchesPattern(expected as EventPattern, value as Record<string, unknown>),
    );
  });
}

/** Refuses a pattern with an operator `matchesPattern` does not model: a rule is checked once, when it is put on a local bus. */
export function requireModelledPattern(pattern: EventPattern): void {
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === "$or") {
      if (!Array.isArray(expected) || !expected.every(isPlainObject)) throw new UnsupportedPatternError(field, expected);
      expected.forEach(requireModelledPattern);
    } else if (Array.isArray(expected)) {
      for (const option of expected) if (typeof option === "object" && option !== null) existsOperand(field, option);
    } else if (isPlainObject(expected)) requireModelledPattern(expected);
    // A bare value (not in a list) is no pattern EventBridge takes either.
    else throw new UnsupportedPatternError(field, expected);
  }
}

/** The operand of `{ exists: boolean }`, the one operator modelled; any other is refused. */
function existsOperand(field: string, option: object): boolean {
  const keys = Object.keys(option);
  const exists = (option as { exists?: unknown }).exists;
  if (keys.length !== 1 || typeof exists !== "boolean") throw new UnsupportedPatternError(field, option);
  return exists;
}
