import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";

/** Something that could not be processed and must not be lost: the original input and why. */
export interface DeadLetter {
  reason: string;
  /** Which component gave up on it, e.g. "dispatcher" or "projector:balances". */
  origin: string;
  input: unknown;
}

export interface DeadLetterSink {
  /** Returns the letters that could not be stored (the caller reports their inputs as failures). */
  send(letters: readonly DeadLetter[]): Promise<DeadLetter[]>;
}

/** Dead letters as SQS messages: body = the letter as JSON, the reason also as a message attribute. */
export class SqsDeadLetterQueue implements DeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const unsent: DeadLetter[] = [];
    for (let start = 0; start < letters.length; start += 10) {
      const chunk = letters.slice(start, start + 10);
      try {
        const response = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((letter, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(letter),
              MessageAttributes: {
                reason: { DataType: "String", StringValue: letter.reason.slice(0, 1024) },
                origin: { DataType: "String", StringValue: letter.origin },
              },
            })),
          }),
        );
        for (const failed of response.Failed ?? []) unsent.push(chunk[Number(failed.Id)]);
      } catch {
        unsent.push(...chunk);
      }
    }
    return unsent;
  }
}
