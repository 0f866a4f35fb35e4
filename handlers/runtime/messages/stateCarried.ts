import { LedgerEvent } from "../domain/domain";

/**
 * The state-carried message the dispatcher publishes for every event: the event and the
 * aggregate right after it. The state travels as it is, beside its version, never merged with
 * it: a state with its own `version` field, or one that is not an object (a counter), arrives
 * unchanged. An aggregate too large for the bus travels by reference to the snapshot saved at
 * that version (a claim check) instead.
 */
export interface StateCarriedMessage {
  /** Schema version of the aggregate's state, so projectors can upcast older shapes. */
  schemaVersion: number;
  event: LedgerEvent;
  /** The aggregate at `event.version`. */
  aggregate?: CarriedAggregate;
  /** Present instead of `aggregate` when the state was too large to carry. */
  aggregateRef?: { aggregateId: string; version: number };
}

/** An aggregate as a message carries it: its version and its state, side by side. */
export interface CarriedAggregate<S = unknown> {
  version: number;
  state: S;
}

/** What EventBridge delivers to an SQS target: the message is its `detail`. */
export interface BusEnvelope {
  source: string;
  "detail-type": string;
  detail: StateCarriedMessage;
  id?: string;
  time?: string;
}
