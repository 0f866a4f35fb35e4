/** One message attribute as SQS keeps it: a type and a string or binary value. */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

export type MessageAttributes = Readonly<Record<string, MessageAttribute>>;

export const stringAttribute = (value: string): MessageAttribute => ({ dataType: "String", stringValue: value });

/** String attributes as SQS message attributes. */
export const stringAttributes = (values: Readonly<Record<string, string>>): Record<string, MessageAttribute> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, stringAttribute(value)]));

/** A message a dead-letter queue holds, as ReceiveMessage returns it. */
export interface HeldMessage {
  messageId: string;
  body: string;
  attributes: MessageAttributes;
  /** SQS's DeadLetterQueueSourceArn system attribute: the queue SQS's redrive moved it from. */
  sourceQueueArn?: string;
  /** When it was first sent (to this queue or, when SQS moved it, to its source), epoch milliseconds. */
  sentAt?: number;
}

/** A dead-letter queue as the redrive reads it: an SQS queue, or the local stage's in-process one. */
export interface DeadLetterQueuePort {
  /** The queue, for messages (its URL on SQS). */
  readonly label: string;
  /**
   * Up to `limit` of its messages, each held (invisible to other readers) until removed or
   * released; `more` when the queue may hold others.
   */
  hold(limit: number): Promise<{ messages: HeldMessage[]; more: boolean }>;
  /** Deletes held messages (those redriven); returns the ids it could not delete. */
  remove(messageIds: readonly string[]): Promise<string[]>;
  /** Makes held messages visible again, where they were. */
  release(messageIds: readonly string[]): Promise<void>;
  /** The queues whose redrive policy names this one as their DLQ, by ARN (SQS's ListDeadLetterSourceQueues). */
  sourceQueues(): Promise<string[]>;
}

/** Where redriven letters go: queues by ARN, and the ledger (a replay) for the dispatcher's letters. */
export interface RedriveTargetsPort {
  sendToQueue(queueArn: string, body: string, attributes: MessageAttributes): Promise<void>;
  /**
   * Appends a replay event for an aggregate, so the dispatcher publishes it again from the ledger;
   * with `republish`, one asking the dispatcher to publish the public events of those versions again
   * (CommandHandler.republish). Absent when no ledger is configured: the dispatcher's letters are
   * then left where they are.
   */
  replay?(aggregateId: string, idempotencyKey: string, republish?: readonly number[]): Promise<void>;
}
