import { StreamRecord } from "../dispatch/streamRecords";
import { tableNameOf, tableOfStreamArn } from "./streamSource";

/**
 * What Lambda writes to an S3 on-failure destination when a stream batch exhausts its retries:
 * the invocation's metadata and, unlike an SQS or SNS destination, the records themselves.
 */
export interface FailedBatchRecord {
  version: string;
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: "RetryAttemptsExhausted" | "RecordAgeExceeded" | string;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  DDBStreamBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string };
  /** The function's event: `{ Records }`, as an object or as its JSON text. */
  payload: { Records: StreamRecord[] } | string;
}

/**
 * The aggregate ids a failed batch touched, from each record's keys or new image. An object that
 * is not a failed batch (no payload, no Records, a record naming no aggregate) is an error: its
 * aggregates cannot be known, so it is never counted as recovered.
 */
export function aggregatesOfFailedBatch(record: FailedBatchRecord): string[] {
  if (typeof record !== "object" || record === null) throw new Error("the object is not a failed-batch record (not a JSON object)");
  if (record.payload === undefined || record.payload === null) throw new Error("the failed-batch record has no payload");
  const payload = typeof record.payload === "string" ? (JSON.parse(record.payload) as { Records?: unknown }) : record.payload;
  const records = (payload as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new Error("the failed-batch record's payload has no Records list");
  const ids = new Set<string>();
  for (const [index, stream] of (records as StreamRecord[]).entries()) {
    const image = stream?.dynamodb?.NewImage ?? stream?.dynamodb?.Keys;
    const id = image?.aggregateId?.S;
    if (!id) throw new Error(`record ${index} of the failed batch names no aggregate (no aggregateId in its keys or new image)`);
    ids.add(id);
  }
  return [...ids];
}

export interface RecoveryReport {
  batches: number;
  aggregates: number;
  replayed: string[];
  failed: { aggregateId: string; reason: string }[];
  unreadable: { source: string; reason: string }[];
  /** Batches read from another table's stream than the ledger's: their aggregates are that ledger's, left unreplayed. */
  foreign: { source: string; table: string }[];
}

export interface RecoveryOptions {
  /**
   * The ledger the replays are appended to (its name or ARN): a batch of another table's stream
   * names that table's aggregates, so it is reported in `foreign` and none of them is replayed.
   * Default: batches are not checked.
   */
  readonly ledgerTable?: string;
}

/**
 * Makes read models converge after batches the dispatcher never delivered: every aggregate those
 * batches touched gets a replay (an event that makes projectors rewrite their row from the latest
 * aggregate), once, however many batches name it. Safe to run twice: a replay only rewrites rows.
 * Given the ledger, a batch of another table's stream is reported, not replayed.
 */
export async function recoverFailedBatches(
  batches: AsyncIterable<{ source: string; body: string }>,
  replay: (aggregateId: string) => Promise<unknown>,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const report: RecoveryReport = { batches: 0, aggregates: 0, replayed: [], failed: [], unreadable: [], foreign: [] };
  const ledger = options.ledgerTable === undefined ? undefined : tableNameOf(options.ledgerTable);
  const seen = new Set<string>();
  for await (const { source, body } of batches) {
    let ids: string[];
    let record: FailedBatchRecord;
    try {
      record = JSON.parse(body) as FailedBatchRecord;
      ids = aggregatesOfFailedBatch(record);
    } catch (error) {
      report.unreadable.push({ source, reason: (error as Error).message });
      continue;
    }
    const table = tableOfStreamArn(record.DDBStreamBatchInfo?.streamArn);
    if (ledger !== undefined && table !== undefined && table !== ledger) {
      report.foreign.push({ source, table });
      continue;
    }
    report.batches += 1;
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      try {
        await replay(id);
        report.replayed.push(id);
      } catch (error) {
        report.failed.push({ aggregateId: id, reason: (error as Error).message });
      }
    }
  }
  report.aggregates = seen.size;
  return report;
}
