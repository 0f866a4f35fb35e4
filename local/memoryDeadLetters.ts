import { DeadLetter, DeadLetterSink } from "../handlers/runtime/deadLetters";

/** A dead-letter queue kept in memory: the local stage's stand-in for SQS, inspectable by tests. */
export class MemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  async send(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    this.letters.push(...letters);
    return [];
  }
}
