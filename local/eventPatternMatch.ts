import { EventPattern } from "../handlers/runtime/messages/eventPatterns";

/** Whether an event (source, detail-type, detail) matches a pattern, as EventBridge decides it for this subset. */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === "$or") return (expected as EventPattern[]).some((branch) => matchesPattern(branch, event));
    const actual = event?.[field];
    if (Array.isArray(expected)) {
      return expected.some((option) =>
        typeof option === "object" && option !== null && "exists" in option
          ? (actual !== undefined) === (option as { exists: boolean }).exists
          : actual === option,
      );
    }
    return typeof actual === "object" && actual !== null && matchesPattern(expected as EventPattern, actual as Record<string, unknown>);
  });
}
