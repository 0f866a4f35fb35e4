import { randomUUID } from "node:crypto";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { marshall } from "@aws-sdk/util-dynamodb";
import { BatchResponse } from "../handlers/runtime/support/batchResponse";
import { FailedBatchRecord } from "../handlers/runtime/operations/failedBatches";
import { StreamRecord, recordId } from "../handlers/runtime/dispatch/streamRecords";

export interface StreamPollerOptions {
  /** Records per dispatcher invocation, like the mapping's BatchSize. Default 100. */
  batchSize?: number;
  /** Retries of a failing batch before the rest of it goes to the on-failure destination. Default 10, as the component's mapping. */
  maximumRetryAttempts?: number;
  /**
   * On a function error (the invocation throws or is abandoned), split the batch in two and retry
   * each half, without spending a retry. Default true, as the component's mapping.
   */
  bisectBatchOnFunctionError?: boolean;
}

export interface PollStats {
  /** Stream reads that failed and were tried again. */
  readErrors: number;
  batches: number;
  records: number;
  retries: number;
  /** Failed batches split in two (bisectBatchOnFunctionError). */
  bisections: number;
  /** Batches given up on and written to the on-failure destination. */
  failedBatches: number;
}

/** Where the mapping writes a batch it gave up on: an S3 bucket in the deployed stack. */
export type FailureDestination = (record: FailedBatchRecord) => Promise<void>;

type BatchHandler = (records: StreamRecord[]) => Promise<BatchResponse>;

/**
 * Reads a real DynamoDB stream (from DynamoDB Local) and feeds the dispatcher the way Lambda's
 * event source mapping does: per shard, in batches, INSERTs only; on reported failures it
 * retries from the lowest failed record, on a function error it bisects the batch, and after the
 * retry budget writes what is left of the batch, records included, to the on-failure destination
 * (as Lambda does to an S3 destination) and moves on, so the shard never blocks.
 */
export class StreamPoller {
  private readonly iterators = new Map<string, string | undefined>();
  /** The last record read from each shard: where a new iterator starts when the one held is no longer served. */
  private readonly lastRead = new Map<string, string>();
  /** The stream's shards as last described; undefined when they must be described again. */
  private shards?: string[];
  private describedAt = 0;
  readonly stats: PollStats = { readErrors: 0, batches: 0, records: 0, retries: 0, bisections: 0, failedBatches: 0 };

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly handle: BatchHandler,
    private readonly onFailure: FailureDestination,
    private readonly options: StreamPollerOptions = {},
  ) {}

  /**
   * Polls every shard until none has new records; returns how many records were handled. A failed
   * read of the stream is tried again, as the event source mapping does, a bounded number of times.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (let failures = 0; ;) {
      let handled: number;
      try {
        handled = await this.pollOnce();
        failures = 0;
      } catch (error) {
        if (++failures > 20) throw error;
        this.stats.readErrors += 1;
        continue;
      }
      total += handled;
      if (handled === 0) return total;
    }
  }

  /**
   * Like the event source mapping, the stream is described once and again only when a shard
   * closes (its successor appears then), or at most once a second when a poll finds nothing:
   * DynamoDB Local's DescribeStream grows with the records it holds, and describing before every
   * read came to dominate long runs (the bench's local-stage section ran for minutes).
   */
  private async pollOnce(): Promise<number> {
    if (!this.shards) {
      const description = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
      this.shards = (description.StreamDescription?.Shards ?? []).map((shard) => shard.ShardId!);
      this.describedAt = Date.now();
    }
    let handled = 0;
    for (const shardId of this.shards) {
      if (!this.iterators.has(shardId)) {
        const after = this.lastRead.get(shardId);
        const iterator = await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ...(after ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: after } : { ShardIteratorType: "TRIM_HORIZON" }),
          }),
        );
        this.iterators.set(shardId, iterator.ShardIterator);
      }
      const iterator = this.iterators.get(shardId);
      if (!iterator) continue; // closed shard, fully read
      const page = await this.streams
        .send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }))
        .catch((error) => {
          // An iterator expires (15 minutes on AWS), and DynamoDB Local refuses some held across an empty shard:
          // as the event source mapping does, take a new one after the last record read.
          if ((error as Error).name === "ExpiredIteratorException" || (error as Error).name === "TrimmedDataAccessException")
            this.iterators.delete(shardId);
          throw error;
        });
      this.iterators.set(shardId, page.NextShardIterator);
      const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (last) this.lastRead.set(shardId, last);
      if (!page.NextShardIterator) this.shards = undefined; // closed: its successor is found by describing again
      const inserts = (page.Records ?? [])
        .filter((record) => record.eventName === "INSERT")
        .map((record) => toStreamRecord(record, this.streamArn));
      if (inserts.length > 0) await this.deliver(shardId, inserts);
      handled += inserts.length;
    }
    if (handled === 0 && Date.now() - this.describedAt > 1_000) this.shards = undefined;
    return handled;
  }

  /**
   * One batch, as the event source mapping with ReportBatchItemFailures and
   * bisectBatchOnFunctionError handles it: a partial failure retries from the lowest failed record
   * (a retry); a function error splits the batch in two, the halves tried in order, without
   * spending a retry (a single record that errors spends one). Each part counts its own retries;
   * one past maximumRetryAttempts goes, records included, to the on-failure destination, and the
   * parts after it still run, so the shard moves on.
   */
  private async deliver(shardId: string, records: StreamRecord[]): Promise<void> {
    const parts: { records: StreamRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
    const bisect = this.options.bisectBatchOnFunctionError ?? true;
    const maximumRetryAttempts = this.options.maximumRetryAttempts ?? 10;
    while (parts.length > 0) {
      const part = parts.shift()!;
      this.stats.batches += 1;
      this.stats.records += part.records.length;
      // An invocation that throws (or is abandoned) fails its whole batch, as in Lambda.
      const outcome = await this.handle(part.records).then(
        (response) => ({ threw: false as const, response }),
        () => ({ threw: true as const }),
      );
      let pending: StreamRecord[];
      if (outcome.threw) {
        if (bisect && part.records.length > 1) {
          const half = Math.ceil(part.records.length / 2);
          parts.unshift(
            { records: part.records.slice(0, half), attempts: part.attempts },
            { records: part.records.slice(half), attempts: part.attempts },
          );
          this.stats.bisections += 1;
          continue;
        }
        pending = part.records;
      } else {
        const failedIds = new Set(outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier));
        const firstFailed = part.records.findIndex((record) => failedIds.has(recordId(record)));
        if (firstFailed < 0) continue;
        pending = part.records.slice(firstFailed);
      }
      const attempts = part.attempts + 1;
      if (attempts > maximumRetryAttempts) {
        await this.onFailure(this.failedBatch(shardId, pending, attempts));
        this.stats.failedBatches += 1;
        continue;
      }
      this.stats.retries += 1;
      parts.unshift({ records: pending, attempts });
    }
  }

  /** The record Lambda writes to an S3 on-failure destination for a batch it gave up on. */
  private failedBatch(shardId: string, records: StreamRecord[], attempts: number): FailedBatchRecord {
    const sequence = (record: StreamRecord) => record.dynamodb?.SequenceNumber ?? "";
    return {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: "arn:aws:lambda:local:000000000000:function:dispatcher",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequence(records[0]),
        endSequenceNumber: sequence(records[records.length - 1]),
        batchSize: records.length,
        streamArn: this.streamArn,
      },
      payload: { Records: records },
    };
  }
}

/** The INSERT record Lambda would deliver for a ledger item: what tests and the bench feed the dispatcher directly. */
export const insertRecord = (item: Record<string, unknown>, sequenceNumber: string, eventID?: string): StreamRecord => ({
  eventID,
  eventName: "INSERT",
  dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) as StreamImage, SequenceNumber: sequenceNumber },
});

/** The SDK's and Lambda's AttributeValue types describe the same wire shape. */
type StreamImage = NonNullable<NonNullable<StreamRecord["dynamodb"]>["NewImage"]>;

/** A record as Lambda delivers it: with the stream it came from, as `eventSourceARN`. */
const toStreamRecord = (record: _Record, streamArn: string): StreamRecord => ({
  eventID: record.eventID,
  eventName: record.eventName,
  eventSource: "aws:dynamodb",
  eventSourceARN: streamArn,
  // The streams client's AttributeValue is the same wire shape as DynamoDB's.
  dynamodb: { NewImage: record.dynamodb?.NewImage as StreamImage | undefined, SequenceNumber: record.dynamodb?.SequenceNumber },
});
