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
