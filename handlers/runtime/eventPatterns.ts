import { REPLAY_EVENT_TYPE, detailTypeOf } from "./conventions";

/** An EventBridge event pattern (the subset this library uses: values, `exists`, `$or`, nesting). */
export type EventPattern = { [field: string]: unknown };

/**
 * The rule a projector subscribes with: its event types from the service, plus replay events
 * aimed at it or at every projector. A replay for another projector never reaches its queue.
 */
export function projectorEventPattern(source: string, eventTypes: readonly string[], projectorName: string): EventPattern {
  const replay = (target: unknown) => ({ "detail-type": [REPLAY_EVENT_TYPE], detail: { event: { payload: { target: [target] } } } });
  return {
    source: [source],
    $or: [{ "detail-type": eventTypes.map(detailTypeOf) }, replay(projectorName), replay({ exists: false })],
  };
}

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
