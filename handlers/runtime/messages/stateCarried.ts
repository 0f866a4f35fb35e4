import { LedgerEvent, isPlainObject } from "../domain/domain";
import { aggregateIdProblem, versionProblem } from "../domain/identity";
import { snapshotChecksum } from "../ledger/snapshots";
import { SnapshotStore } from "../ledger/stores";
import { PoisonMessageError } from "./errors";

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

/** Reads a state-carried message from a queue body (an EventBridge envelope, or the bare message). */
export function parseStateCarriedMessage(body: string): StateCarriedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PoisonMessageError("message body is not JSON");
  }
  const envelope = parsed as { detail?: unknown };
  const message = (
    typeof envelope?.detail === "object" && envelope.detail !== null ? envelope.detail : parsed
  ) as Partial<StateCarriedMessage>;
  const event = message?.event as Partial<LedgerEvent> | undefined;
  if (!event || typeof event !== "object") throw new PoisonMessageError("message has no event");
  const idProblem = aggregateIdProblem(event.aggregateId);
  if (idProblem) throw new PoisonMessageError(`event: ${idProblem}`);
  const versionIssue = versionProblem(event.version);
  if (versionIssue) throw new PoisonMessageError(`event of "${event.aggregateId}": ${versionIssue}`);
  if (typeof event.type !== "string" || event.type === "") throw new PoisonMessageError(`event of "${event.aggregateId}" has no type`);
  if (!isPlainObject(event.payload)) throw new PoisonMessageError(`event ${event.type} of "${event.aggregateId}" has no payload object`);
  if (typeof message.schemaVersion !== "number") throw new PoisonMessageError("message carries no aggregate schema version");
  if (message.aggregate !== undefined) {
    if (!isPlainObject(message.aggregate) || !("state" in message.aggregate)) {
      throw new PoisonMessageError("the carried aggregate is not { version, state }");
    }
    if (message.aggregate.version !== event.version) {
      throw new PoisonMessageError(`aggregate version ${message.aggregate.version} does not match event version ${event.version}`);
    }
  } else {
    const ref = message.aggregateRef;
    if (!isPlainObject(ref) || ref.version !== event.version) {
      throw new PoisonMessageError("message carries neither the aggregate at the event's version nor a reference to it");
    }
    if (ref.aggregateId !== event.aggregateId) {
      throw new PoisonMessageError(
        `the claim check names aggregate ${JSON.stringify(ref.aggregateId)}, not the event's "${event.aggregateId}"`,
      );
    }
  }
  return message as StateCarriedMessage;
}

/**
 * The aggregate a message carries, or the one its claim check names, read from the snapshot store:
 * a missing claim check is retried (the dispatcher saves it before publishing); one that fails its
 * checksum, or one no store can resolve, is a PoisonMessageError.
 */
export async function resolveCarriedAggregate(
  message: StateCarriedMessage,
  snapshots: Pick<SnapshotStore, "get"> | undefined,
): Promise<CarriedAggregate> {
  if (message.aggregate) return message.aggregate;
  const ref = message.aggregateRef!;
  if (!snapshots) throw new PoisonMessageError("aggregate sent by reference but there is no snapshot store to read it from");
  const snapshot = await snapshots.get(ref.aggregateId, ref.version);
  if (!snapshot) throw new Error(`claim check for aggregate "${ref.aggregateId}" at version ${ref.version} not found`);
  if (snapshot.checksum !== snapshotChecksum(snapshot)) {
    throw new PoisonMessageError(`claim check for aggregate "${ref.aggregateId}" at version ${ref.version} does not match its checksum`);
  }
  return { version: snapshot.version, state: snapshot.state };
}
