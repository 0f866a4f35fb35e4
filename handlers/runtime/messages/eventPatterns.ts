import { REPLAY_EVENT_TYPE } from "../domain/domain";
import { detailTypeOf } from "../ledger/conventions";

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
