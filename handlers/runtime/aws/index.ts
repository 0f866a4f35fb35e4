/**
 * `serverless-event-ledger/runtime/aws`: the stores and transports on DynamoDB, EventBridge, SQS
 * and S3, the command side from table names, and the Lambda handler factories the components bundle.
 */
export { AwsClients, resolveClients } from "./clients";
export { documentClient } from "./documentClient";
export { DynamoDbEventStore, DynamoDbEventStoreOptions } from "./ledgerTable";
export { DynamoDbSnapshotStore } from "./snapshotTable";
export { DynamoDbReadModel } from "./readModelTable";
export { EventBridgeBus } from "./eventBridgeBus";
export { SqsDeadLetterQueue } from "./sqsDeadLetterQueue";
export { SqsDeadLetterQueueReader, SqsRedriveTargets } from "./sqsDeadLetterRedrive";
export { failedBatchObjects } from "./failedBatchBucket";
export { ListOptions, countIndexedAggregates, indexedAggregateIds, scannedAggregateIds } from "./aggregateIds";
export { DynamoDbCommandSideOptions, dynamoDbCommandSide } from "./commandSide";
export { LEDGER_TABLE, SNAPSHOT_TABLE, READ_MODEL_TABLE, IDEMPOTENCY_TABLE, TableSchema } from "../tableSchemas";
export { createDispatcherHandler } from "../../dispatcher";
export { createProjectorHandler } from "../../projector";
export { HttpApiEvent, createCommandApiHandler } from "../../commandApi";
