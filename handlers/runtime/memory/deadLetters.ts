import { DeadLetter, DeadLetterSink } from "../deadLetters";

/** A dead-letter queue kept in memory: the stand-in for SQS in the local stage and in tests, its letters inspectable. */
export class InMemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    this.letters.push(...letters);
    return [];
  }
}
