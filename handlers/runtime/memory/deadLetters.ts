import { DeadLetter, DeadLetterSink, deadLetterMessage } from "../messages/deadLetters";
import { SQS_MAX_MESSAGE_BYTES } from "../ledger/conventions";
import { MessageAttributes, stringAttributes } from "../operations/deadLetterRedrive/messages";

/** A dead-letter queue kept in memory: the stand-in for SQS in tests, its letters inspectable. */
export class InMemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    this.letters.push(...letters);
    return [];
  }
}

/**
 * Dead letters written as messages to a queue that is not SQS (the local stage's), in the shape
 * SqsDeadLetterQueue gives them on AWS: the letter as JSON, its reason and origin as attributes.
 * A letter the queue refuses (the write throws) is returned as unsent.
 */
export class MessageDeadLetters implements DeadLetterSink {
  constructor(
    private readonly write: (body: string, attributes: MessageAttributes) => void,
    private readonly maxBodyBytes = SQS_MAX_MESSAGE_BYTES - 8 * 1024,
  ) {}

  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const unsent: DeadLetter[] = [];
    for (const letter of letters) {
      const { body, attributes } = deadLetterMessage(letter, this.maxBodyBytes);
      try {
        this.write(body, stringAttributes(attributes));
      } catch {
        unsent.push(letter);
      }
    }
    return unsent;
  }
}
