/** Something that could not be processed and must not be lost: the original input and why. */
export interface DeadLetter {
  reason: string;
  /** Which component gave up on it, e.g. "dispatcher" or "projector:balances". */
  origin: string;
  input: unknown;
}

/**
 * The origin of a letter about public events a record's version could not publish (a mapping that
 * threw, a payload its contract refuses, an entry too large): a replay cannot redrive it, since a
 * replay publishes no public event, so it is told apart from the dispatcher's other letters.
 */
export const PUBLICATION_LETTER_ORIGIN = "dispatcher:publications";

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

/** The most of a reason a truncated letter keeps: a reason is a sentence, its cause's message at most. */
const MAX_TRUNCATED_REASON_CHARS = 8_192;

function deadLetterBody(letter: DeadLetter, limit: number): string {
  const whole = JSON.stringify(letter);
  if (Buffer.byteLength(whole) <= limit) return whole;
  const input = JSON.stringify(letter.input) ?? "";
  const withPrefix = (chars: number): string => {
    // Never half of a surrogate pair: the prefix stays valid text.
    const end = chars > 0 && /[\uD800-\uDBFF]/.test(input[chars - 1]) ? chars - 1 : chars;
    const truncated: TruncatedDeadLetter = {
      reason: letter.reason.slice(0, MAX_TRUNCATED_REASON_CHARS),
      origin: letter.origin.slice(0, ORIGIN_ATTRIBUTE_CHARS),
      inputTruncated: { originalBytes: Buffer.byteLength(input), prefix: input.slice(0, end) },
    };
    return JSON.stringify(truncated);
  };
  // The longest prefix whose letter fits once serialized (escaping the prefix's quotes and
  // backslashes again, which can double its size): a binary search on its length.
  let [fits, over] = [0, input.length + 1];
  while (over - fits > 1) {
    const middle = Math.floor((fits + over) / 2);
    if (Buffer.byteLength(withPrefix(middle)) <= limit) fits = middle;
    else over = middle;
  }
  return withPrefix(fits);
}
