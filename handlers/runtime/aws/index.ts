/**
 * `serverless-event-ledger/runtime/aws`: the stores and transports on DynamoDB, EventBridge, SQS
 * and S3, the command side from table names, and the Lambda handler factories the components bundle.
 */
export { AwsClients, resolveClients } from "./clients";
export { documentClient } from "./documentClient";
export { DynamoDbEventStore, DynamoDbEventStoreOptions } from "./dynamoDbEventStore";
export { DynamoDbSnapshotStore } from "./dynamoDbSnapshotStore";
export { DynamoDbReadModel } from "./dynamoDbReadModel";
export { EventBridgeBus } from "./eventBridgeBus";
export { SqsDeadLetterQueue } from "./sqsDeadLetterQueue";
export { SqsDeadLetterQueueReader, SqsRedriveTargets } from "./sqsDeadLetterRedrive";
export { failedBatchObjects } from "./failedBatchBucket";
export { ListOptions, countIndexedAggregates, indexedAggregateIds, scannedAggregateIds } from "./aggregateIds";
export { DynamoDbCommandSideOptions, dynamoDbCommandSide } from "./commandSide";
export { LEDGER_TABLE, SNAPSHOT_TABLE, READ_MODEL_TABLE, IDEMPOTENCY_TABLE, TableSchema } from "../ledger/tableSchemas";
export { createDispatcherHandler } from "../../dispatcherHandler";
export { createProjectorHandler } from "../../projectorHandler";
export { HttpApiEvent, createCommandApiHandler } from "../../commandApiHandler";
