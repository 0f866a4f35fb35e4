import type { DynamoDBRecord } from "aws-lambda";
import { Domain, LedgerEvent, validateEvent } from "../domain/domain";
import { InvalidEventError } from "../domain/errors";

/** A DynamoDB stream record as Lambda delivers it; the dispatcher reads its new image and sequence number. */
export type StreamRecord = DynamoDBRecord;

/** A record's new image, in DynamoDB's attribute-value format. */
export type StreamImage = NonNullable<NonNullable<StreamRecord["dynamodb"]>["NewImage"]>;

/** Reads a new image as a plain item (the AWS adapters unmarshall it). */
export type ImageReader = (image: StreamImage) => Record<string, unknown>;

export type ParsedRecord = { ok: true; id: string; event: LedgerEvent } | { ok: false; id: string; reason: string };

/** The identifier Lambda expects in batchItemFailures for a stream record. */
export const recordId = (record: StreamRecord): string => record.dynamodb?.SequenceNumber ?? record.eventID ?? "";

/** Reads the ledger event out of an INSERT record's new image, or says why it cannot. */
export function parseRecord(domain: Domain<unknown, unknown>, record: StreamRecord, unmarshall: ImageReader): ParsedRecord {
  const id = recordId(record);
  const image = record.dynamodb?.NewImage;
  if (!image) return { ok: false, id, reason: "stream record has no NewImage (is the stream view NEW_IMAGE?)" };
  try {
    return { ok: true, id, event: validateEvent(domain, unmarshall(image)) };
  } catch (error) {
    if (error instanceof InvalidEventError) return { ok: false, id, reason: error.message };
    return { ok: false, id, reason: `unreadable new image: ${(error as Error).message}` };
  }
}
