import { SQSClient, SendMessageBatchCommand, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { SQS_MAX_MESSAGE_BYTES } from "../ledger/conventions";
import { DeadLetter, DeadLetterSink, deadLetterMessage } from "../messages/deadLetters";
import { sizedBatches } from "../support/sizedBatches";

/** Bytes SQS counts for a message: its body plus each attribute's name, type and value. */
function messageBytes(entry: SendMessageBatchRequestEntry): number {
  let size = Buffer.byteLength(entry.MessageBody ?? "");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {}))
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? "");
  return size;
}

/** Room kept under the limit for what this code does not count exactly (JSON escaping of the request). */
const SAFETY_BYTES = 4 * 1024;

/**
 * Dead letters as SQS messages (see deadLetterMessage): body = the letter as JSON, its reason and
 * origin also as message attributes.
 * Batches respect SQS's limits (10 messages, 1 MiB per message and per request); a letter too large
 * for a message is stored with its input truncated rather than failing the batch it is in.
 */
export class SqsDeadLetterQueue implements DeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
    private readonly maxBytes = SQS_MAX_MESSAGE_BYTES,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const limit = this.maxBytes - SAFETY_BYTES;
    const entries = letters.map((letter, index) => {
      const { body, attributes } = deadLetterMessage(letter, limit - 2048);
      return {
        letter,
        entry: {
          Id: String(index),
          MessageBody: body,
          MessageAttributes: {
            reason: { DataType: "String", StringValue: attributes.reason },
            origin: { DataType: "String", StringValue: attributes.origin },
          },
        } satisfies SendMessageBatchRequestEntry,
      };
    });
    const unsent: DeadLetter[] = [];
    for (const chunk of sizedBatches(entries, 10, limit, (item) => messageBytes(item.entry))) {
      try {
        const response = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: chunk.map(({ entry }) => entry) }),
        );
        for (const failed of response.Failed ?? []) unsent.push(entries[Number(failed.Id)].letter);
      } catch {
        unsent.push(...chunk.map(({ letter }) => letter));
      }
    }
    return unsent;
  }
}
