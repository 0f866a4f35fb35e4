import { SQS_MAX_MESSAGE_BYTES } from "../handlers/runtime/ledger/conventions";
import { HeldMessage, MessageAttributes } from "../handlers/runtime/operations/deadLetterRedrive/messages";
import { QueueMessage } from "../handlers/runtime/projection/projector";
import { Random } from "./random";

/** Chaos a queue may add on top of at-least-once delivery. */
export interface Chaos {
  random: Random;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Probability that a message is held back for a later batch. */
  delay: number;
  /** Shuffle each batch. */
  reorder: boolean;
}

export interface QueueStats {
  sent: number;
  delivered: number;
  duplicated: number;
  delayed: number;
  redelivered: number;
  /** Messages this queue's redrive policy moved to its dead-letter queue. */
  deadLettered: number;
}

export interface LocalQueueOptions {
  /** SQS's redrive policy: after maxReceiveCount receives without success, the message moves to the DLQ. */
  redrive?: { deadLetterQueue: LocalQueue; maxReceiveCount: number };
  /** The queue's MaximumMessageSize: a larger message (body and attributes) is refused. Default 1 MiB, as the components set. */
  maxMessageBytes?: number;
  chaos?: Chaos;
}

/** A message in the queue: what a receive returns, with what SQS keeps beside it. */
export interface LocalMessage extends QueueMessage {
  attributes: MessageAttributes;
  receiveCount: number;
  sentAt: number;
  /** Set on a message the redrive policy moved here: the queue it came from (DeadLetterQueueSourceArn). */
  sourceQueueArn?: string;
}

/** What SendMessage answers for a message the queue will not take. */
export class MessageRefusedError extends Error {
  readonly name = "InvalidParameterValue";
  constructor(
    readonly queue: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message of ${bytes} bytes is over queue ${queue}'s MaximumMessageSize of ${limit} bytes`);
  }
}

/** The account the local stage pretends to run in, for ARNs. */
export const LOCAL_ACCOUNT = "000000000000";

/** Bytes SQS counts for a message: its body plus each attribute's name, type and value. */
export function messageBytes(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.dataType) +
      Buffer.byteLength(value.stringValue ?? "") +
      (value.binaryValue?.byteLength ?? 0);
  }
  return size;
}

/**
 * An SQS-like queue in memory: at-least-once delivery in batches; failed messages come back until
 * maxReceiveCount, then the redrive policy moves each, as it is (body, attributes, id), to the
 * dead-letter queue. Chaos reorders, duplicates and delays on purpose.
 */
export class LocalQueue {
  private ready: LocalMessage[] = [];
  private held: LocalMessage[] = [];
  private counter = 0;
  readonly stats: QueueStats = { sent: 0, delivered: 0, duplicated: 0, delayed: 0, redelivered: 0, deadLettered: 0 };
  readonly arn: string;
  readonly maxMessageBytes: number;

  constructor(
    readonly name: string,
    private readonly options: LocalQueueOptions = {},
  ) {
    this.arn = `arn:aws:sqs:local:${LOCAL_ACCOUNT}:${name}`;
    this.maxMessageBytes = options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES;
  }

  /** The redrive policy's dead-letter queue, if it has one. */
  get deadLetterQueue(): LocalQueue | undefined {
    return this.options.redrive?.deadLetterQueue;
  }

  /** SendMessage: the new message's id; a message over the size limit is refused (MessageRefusedError). */
  send(body: string, attributes: MessageAttributes = {}): string {
    const bytes = messageBytes(body, attributes);
    if (bytes > this.maxMessageBytes) throw new MessageRefusedError(this.name, bytes, this.maxMessageBytes);
    this.stats.sent += 1;
    const messageId = `${this.name}-${++this.counter}`;
    this.ready.push({ messageId, body, attributes, receiveCount: 0, sentAt: Date.now() });
    return messageId;
  }

  get depth(): number {
    return this.ready.length + this.held.length;
  }

  /** Takes up to `size` messages; with chaos some are held back, duplicated or shuffled. */
  receive(size: number): LocalMessage[] {
    const chaos = this.options.chaos;
    if (this.ready.length === 0) [this.ready, this.held] = [this.held, []];
    const batch: LocalMessage[] = [];
    while (batch.length < size && this.ready.length > 0) {
      const message = this.ready.shift()!;
      if (chaos && this.ready.length > 0 && chaos.random.chance(chaos.delay)) {
        this.held.push(message);
        this.stats.delayed += 1;
        continue;
      }
      message.receiveCount += 1;
      batch.push(message);
      if (chaos?.random.chance(chaos.duplicate)) {
        // A second delivery with its own receive count: copies of copies must not add up to a
        // maxReceiveCount no single message ever reached.
        this.ready.push({ ...message, messageId: `${message.messageId}-dup`, receiveCount: 0 });
        this.stats.duplicated += 1;
      }
    }
    if (chaos?.reorder) chaos.random.shuffle(batch);
    this.stats.delivered += batch.length;
    return batch;
  }

  /**
   * Settles a received batch: failed messages return to the queue or, at maxReceiveCount, move to
   * the dead-letter queue. Without a redrive policy they keep coming back, as on SQS.
   */
  async settle(batch: readonly LocalMessage[], failedIds: ReadonlySet<string>): Promise<void> {
    const redrive = this.options.redrive;
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) continue;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        redrive.deadLetterQueue.moveIn(message, this.arn);
        this.stats.deadLettered += 1;
      } else {
        this.ready.push(message);
        this.stats.redelivered += 1;
      }
    }
  }

  /** The messages waiting (not in flight), as a dead-letter queue's reader sees them; nothing is received. */
  peek(): HeldMessage[] {
    return [...this.ready, ...this.held].map(({ messageId, body, attributes, sourceQueueArn, sentAt }) => ({
      messageId,
      body,
      attributes,
      sourceQueueArn,
      sentAt,
    }));
  }

  /**
   * Takes over every waiting message of `previous` (this queue's counterpart in a stage that is being
   * replaced), as it was: id, body, attributes, receive count and where it came from. How many.
   */
  takeOver(previous: LocalQueue): number {
    const moved = [...previous.ready, ...previous.held];
    previous.ready = [];
    previous.held = [];
    this.ready.push(...moved);
    return moved.length;
  }

  /** Deletes waiting messages by id; returns the ids it did not hold. */
  remove(messageIds: readonly string[]): string[] {
    const wanted = new Set(messageIds);
    const found = new Set<string>();
    const keep = (message: LocalMessage) => {
      if (!wanted.has(message.messageId)) return true;
      found.add(message.messageId);
      return false;
    };
    this.ready = this.ready.filter(keep);
    this.held = this.held.filter(keep);
    return messageIds.filter((id) => !found.has(id));
  }

  /** The redrive policy's move: the same message, its receive count started again, and where it came from. */
  private moveIn(message: LocalMessage, sourceQueueArn: string): void {
    this.ready.push({
      messageId: message.messageId,
      body: message.body,
      attributes: message.attributes,
      receiveCount: 0,
      sentAt: message.sentAt,
      sourceQueueArn,
    });
  }
}
