/**
 * `serverless-event-ledger/runtime/aws`: the stores and transports on DynamoDB, EventBridge, SQS
 * and S3, and the factories that build the command side, the dispatcher and a projector on them
 * (the Lambda handlers are `serverless-event-ledger/lambda`).
 */
export { AwsClients, resolveClients } from "./clients";
export { documentClient } from "./documentClient";
export { DynamoDbEventStore, DynamoDbEventStoreOptions } from "./dynamoDbEventStore";
export { DynamoDbSnapshotStore } from "./dynamoDbSnapshotStore";
export { DynamoDbReadModel, DynamoDbReadModelOptions, RowReader } from "./dynamoDbReadModel";
export { EventBridgeBus } from "./eventBridgeBus";
export { SqsDeadLetterQueue } from "./sqsDeadLetterQueue";
export { SqsDeadLetterQueueReader, SqsRedriveTargets } from "./sqsDeadLetterRedrive";
export { failedBatchObjects } from "./failedBatchBucket";
export { ListOptions, countIndexedAggregates, indexedAggregateIds, scannedAggregateIds } from "./aggregateIds";
export {
  DispatcherSettings,
  DynamoDbClientInput,
  DynamoDbCommandSideOptions,
  DynamoDbDispatcherOptions,
  DynamoDbProjectorOptions,
  DynamoDbReactorOptions,
  ProjectorSettings,
  dynamoDbCommandSide,
  dynamoDbDispatcher,
  dynamoDbProjector,
  dynamoDbReactor,
} from "./factories";
export { DynamoDbReactionCheckpoints } from "./dynamoDbReactionCheckpoints";
export { EventBridgeScheduler, EventBridgeSchedulerOptions } from "./eventBridgeScheduler";
export { unmarshallImage } from "./streamImages";
export { LEDGER_TABLE, SNAPSHOT_TABLE, READ_MODEL_TABLE, IDEMPOTENCY_TABLE, TableSchema } from "../ledger/tableSchemas";
