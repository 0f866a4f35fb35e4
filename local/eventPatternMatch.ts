import { EventPattern } from "../handlers/runtime/messages/eventPatterns";
import { LedgerError } from "../handlers/runtime/support/errors";

/**
 * A pattern uses an EventBridge operator this matcher does not model (prefix, numeric, anything-but…):
 * refused, so the local stage never passes or drops an event where EventBridge would decide otherwise.
 */
export class UnsupportedPatternError extends LedgerError {
  readonly code = "unsupported-event-pattern";
  constructor(
    readonly field: string,
    readonly operator: unknown,
  ) {
    super(`event pattern field "${field}": ${JSON.stringify(operator)} is not modelled locally (values, exists, $or and nesting are)`);
  }
}

/**
 * Whether an event (source, detail-type, detail) matches a pattern, as EventBridge decides it for the
 * subset this library's patterns use: a list of values (one equal to the event's, or to any element
 * of an array in the event), `{ exists }`, `$or`, nesting.
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
    return typeof actual === "object" && actual !== null && matchesPattern(expected as EventPattern, actual as Record<string, unknown>);
  });
}

/** Refuses a pattern with an operator `matchesPattern` does not model: a rule is checked once, when it is put on a local bus. */
export function requireModelledPattern(pattern: EventPattern): void {
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === "$or") (expected as EventPattern[]).forEach(requireModelledPattern);
    else if (Array.isArray(expected)) {
      for (const option of expected) if (typeof option === "object" && option !== null) existsOperand(field, option);
    } else requireModelledPattern(expected as EventPattern);
  }
}

/** The operand of `{ exists: boolean }`, the one operator modelled; any other is refused. */
function existsOperand(field: string, option: object): boolean {
  const keys = Object.keys(option);
  const exists = (option as { exists?: unknown }).exists;
  if (keys.length !== 1 || typeof exists !== "boolean") throw new UnsupportedPatternError(field, option);
  return exists;
}
