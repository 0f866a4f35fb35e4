import { DeadLetterSink } from "../handlers/runtime/deadLetters";
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
  deadLettered: number;
}

interface InFlight extends QueueMessage {
  receiveCount: number;
}

/**
 * An SQS-like queue in memory: at-least-once delivery in batches, failed messages come back
 * until maxReceiveCount, then go to the DLQ (the redrive policy). Chaos reorders, duplicates
 * and delays on purpose.
 */
export class LocalQueue {
  private ready: InFlight[] = [];
  private held: InFlight[] = [];
  private counter = 0;
  readonly stats: QueueStats = { sent: 0, delivered: 0, duplicated: 0, delayed: 0, redelivered: 0, deadLettered: 0 };

  constructor(
    readonly name: string,
    private readonly deadLetters: DeadLetterSink,
    private readonly maxReceiveCount = 5,
    private readonly chaos?: Chaos,
  ) {}

  send(body: string): void {
    this.stats.sent += 1;
    this.ready.push({ messageId: `${this.name}-${++this.counter}`, body, receiveCount: 0 });
  }

  get depth(): number {
    return this.ready.length + this.held.length;
  }

  /** Takes up to `size` messages; with chaos some are held back, duplicated or shuffled. */
  receive(size: number): InFlight[] {
    if (this.ready.length === 0) [this.ready, this.held] = [this.held, []];
    const batch: InFlight[] = [];
    while (batch.length < size && this.ready.length > 0) {
      const message = this.ready.shift()!;
      if (this.chaos && this.ready.length > 0 && this.chaos.random.chance(this.chaos.delay)) {
        this.held.push(message);
        this.stats.delayed += 1;
        continue;
      }
      message.receiveCount += 1;
      batch.push(message);
      if (this.chaos?.random.chance(this.chaos.duplicate)) {
        // A second delivery with its own receive count: copies of copies must not add up to a
        // maxReceiveCount no single message ever reached.
        this.ready.push({ ...message, messageId: `${message.messageId}-dup`, receiveCount: 0 });
        this.stats.duplicated += 1;
      }
    }
    if (this.chaos?.reorder) this.chaos.random.shuffle(batch);
    this.stats.delivered += batch.length;
    return batch;
  }

  /** Settles a received batch: failed messages return to the queue or, past maxReceiveCount, go to the DLQ. */
  async settle(batch: InFlight[], failedIds: Set<string>): Promise<void> {
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        await this.deadLetters.send([{ reason: `received ${message.receiveCount} times without success`, origin: `queue:${this.name}`, input: message }]);
        this.stats.deadLettered += 1;
      } else {
        this.ready.push(message);
        this.stats.redelivered += 1;
      }
    }
  }
}
