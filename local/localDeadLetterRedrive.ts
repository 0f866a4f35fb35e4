import {
  DeadLetterQueuePort,
  HeldMessage,
  MessageAttributes,
  RedriveTargetsPort,
} from "../handlers/runtime/operations/deadLetterRedrive/messages";
import { LocalQueue } from "./localQueue";

/**
 * A local stage's dead-letter queue as the redrive reads it. The stage runs in one process, so
 * reading is peeking: nothing else receives from a DLQ, and there is no visibility to restore.
 */
export class LocalDeadLetterQueue implements DeadLetterQueuePort {
  constructor(
    private readonly queue: LocalQueue,
    /** Every queue of the stage, to find those whose redrive policy names this one. */
    private readonly queues: () => readonly LocalQueue[],
  ) {}

  get label(): string {
    return this.queue.name;
  }

  async hold(limit: number): Promise<{ messages: HeldMessage[]; more: boolean }> {
    const messages = this.queue.peek();
    return { messages: messages.slice(0, limit), more: messages.length > limit };
  }

  async remove(messageIds: readonly string[]): Promise<string[]> {
    return this.queue.remove(messageIds);
  }

  async release(): Promise<void> {}

  async sourceQueues(): Promise<string[]> {
    return this.queues()
      .filter((queue) => queue.deadLetterQueue === this.queue)
      .map((queue) => queue.arn);
  }
}

/** Redrive destinations in the local stage: its queues by ARN, and a replay through its command side. */
export class LocalRedriveTargets implements RedriveTargetsPort {
  readonly replay?: RedriveTargetsPort["replay"];

  constructor(
    private readonly queues: () => readonly LocalQueue[],
    replay?: RedriveTargetsPort["replay"],
  ) {
    if (replay) this.replay = replay;
  }

  async sendToQueue(queueArn: string, body: string, attributes: MessageAttributes): Promise<void> {
    const queue = this.queues().find((candidate) => candidate.arn === queueArn);
    if (!queue) throw new Error(`no queue ${queueArn} in the local stage`);
    queue.send(body, attributes);
  }
}
