import { LedgerEvent } from "./domain";

/**
 * The state-carried message the dispatcher publishes for every event: the event and the
 * aggregate right after it. An aggregate too large for the bus travels by reference to
 * the snapshot saved at that version (a claim check) instead.
 */
export interface StateCarriedMessage {
  /** Schema version of the aggregate's state, so projectors can upcast older shapes. */
  schemaVersion: number;
  event: LedgerEvent;
  /** The aggregate's state at `event.version`, with that version. */
  aggregate?: Record<string, unknown> & { version: number };
  /** Present instead of `aggregate` when the state was too large to carry. */
  aggregateRef?: { aggregateId: string; version: number };
}

/** What EventBridge delivers to an SQS target: the message is its `detail`. */
export interface BusEnvelope {
  source: string;
  "detail-type": string;
  detail: StateCarriedMessage;
  id?: string;
  time?: string;
}

/** `{ ...state, version }`: a state that is not an object is carried as `{ value, version }`. */
export const carriedAggregate = (state: unknown, version: number): Record<string, unknown> & { version: number } =>
  typeof state === "object" && state !== null && !Array.isArray(state)
    ? { ...(state as Record<string, unknown>), version }
    : { value: state, version };
