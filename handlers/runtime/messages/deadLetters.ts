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

/** A letter whose input did not fit in a message: its JSON cut to a prefix, and how long it was. */
export interface TruncatedDeadLetter {
  reason: string;
  origin: string;
  inputTruncated: { originalBytes: number; prefix: string };
}

/** The attribute lengths a letter's message carries (its reason and origin, also in the body). */
const REASON_ATTRIBUTE_CHARS = 1024;
const ORIGIN_ATTRIBUTE_CHARS = 256;

/**
 * A dead letter as a queue message, the same on SQS and in the local stage: the body is the letter
 * as JSON when it fits in `maxBodyBytes`, else its reason and origin with the input cut down to a
 * prefix of its JSON (the ledger still holds every event in full); the reason and origin are also
 * string attributes, so a queue's messages can be told apart without reading their bodies.
 */
export function deadLetterMessage(
  letter: DeadLetter,
  maxBodyBytes: number,
): { body: string; attributes: { reason: string; origin: string } } {
  return {
    body: deadLetterBody(letter, maxBodyBytes),
    attributes: { reason: letter.reason.slice(0, REASON_ATTRIBUTE_CHARS), origin: letter.origin.slice(0, ORIGIN_ATTRIBUTE_CHARS) },
  };
}

function deadLetterBody(letter: DeadLetter, limit: number): string {
  const whole = JSON.stringify(letter);
  if (Buffer.byteLength(whole) <= limit) return whole;
  const input = JSON.stringify(letter.input) ?? "";
  const keep = Math.max(0, limit - Buffer.byteLength(letter.reason) - Buffer.byteLength(letter.origin) - 512);
  const truncated: TruncatedDeadLetter = {
    reason: letter.reason,
    origin: letter.origin,
    inputTruncated: { originalBytes: Buffer.byteLength(input), prefix: Buffer.from(input).subarray(0, keep).toString("utf8") },
  };
  return JSON.stringify(truncated);
}
