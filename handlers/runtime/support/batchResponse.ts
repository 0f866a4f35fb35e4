import type { DynamoDBBatchResponse } from "aws-lambda";

/**
 * What a batch handler answers Lambda with ReportBatchItemFailures on: the records to retry. The
 * same shape for stream records (sequence numbers) and queue messages (message ids).
 */
export type BatchResponse = DynamoDBBatchResponse;
