/**
 * `serverless-event-ledger/runtime`: what a domain author needs, free of AWS. Domains and
 * projections, the command side over any store, typed errors, the store ports, in-memory stores
 * that honour the DynamoDB stores' contracts, and a given/when/then test kit.
 */
export {
  Aggregate,
  Decided,
  Decision,
  Domain,
  EventShape,
  LedgerEvent,
  MultiDecision,
  NewEvent,
  PayloadCheck,
  PayloadVersions,
  Recorded,
  RecordFields,
  Rejection,
  Upcaster,
  defineDomain,
  domainProblem,
  isRejection,
  reject,
  requireDomain,
  validateEvent,
} from "./domain/domain";
export { Projection, defineProjection, projectionProblem, requireProjection } from "./projection/projection";
export { ReadModelSnapshotSource, aggregateProjection } from "./projection/readModelSnapshots";
export { AggregateLoader, AggregateLoaderOptions, StartStrategy } from "./ledger/aggregateLoader";
export { CommandHandler, CommandHandlerOptions, CommandResult, ExecuteOptions, MultiCommandResult } from "./command/commandHandler";
export { START_POLICIES, StartPolicy } from "./ledger/conventions";
export { emptyAggregate, fold } from "./domain/fold";
export { toSnapshot } from "./ledger/snapshots";
export { MAX_EVENTS_PER_COMMIT, REPLAY_EVENT_TYPE } from "./ledger/conventions";
export * from "./support/errors";
export * from "./domain/errors";
export * from "./ledger/errors";
export * from "./messages/errors";
export * from "./command/errors";
export { ERROR_ANSWERS, ErrorAnswer } from "./command/errorAnswers";
export {
  AppendOptions,
  EventStore,
  IdempotencyRecord,
  ReadModelStore,
  Snapshot,
  SnapshotSource,
  SnapshotStore,
  StoredEventItem,
  WriteOutcome,
} from "./ledger/stores";
export { DeadLetter, DeadLetterSink } from "./messages/deadLetters";
export { Bus } from "./dispatch/publisher";
export { BusEnvelope, CarriedAggregate, StateCarriedMessage } from "./messages/stateCarried";
export { Dispatcher, DispatcherOptions, DispatchReport } from "./dispatch/dispatcher";
export { Projector, ProjectorOptions, ProjectReport, QueueMessage } from "./projection/projector";
export { BatchResponse } from "./support/batchResponse";
export { InMemoryEventStore } from "./memory/eventStore";
export { InMemorySnapshotStore } from "./memory/snapshotStore";
export { InMemoryReadModel } from "./memory/readModel";
export { InMemoryDeadLetters, MessageDeadLetters } from "./memory/deadLetters";
export {
  DeadLetterQueuePort,
  HeldMessage,
  MessageAttribute,
  MessageAttributes,
  RedriveTargetsPort,
} from "./operations/deadLetterRedrive/messages";
export {
  DeadLetterView,
  RedriveOptions,
  RedriveOutcome,
  RedrivePlan,
  RedriveReport,
  listDeadLetters,
  planRedrive,
  redriveDeadLetters,
  showDeadLetter,
} from "./operations/deadLetterRedrive/redrive";
export { DeadLetterShape, shapeOf } from "./operations/deadLetterRedrive/shapes";
export { GivenEvent, Then, deciderSpec } from "./testing/deciderSpec";
export {
  Contract,
  ContractEvents,
  PublishedEvent,
  contractLabel,
  contractProblem,
  defineContract,
  envelopeSchema,
  publishedDetailType,
  publishedEventProblems,
  requireContract,
} from "./contracts/contract";
export { JsonSchema, JsonType, JsonValue, payloadCheck, schemaProblem, validate } from "./contracts/schema";
export { compatibilityProblems } from "./contracts/compatibility";
export { ContractDocument, contractDocument, contractFileName, contractFromDocument } from "./contracts/document";
export {
  Publication,
  PublicationInput,
  PublicationMapping,
  PublicationMappings,
  definePublication,
  requirePublications,
} from "./contracts/publication";
export { ContractFileOutcome, assertContractCompatible } from "./testing/contractAssertion";
export {
  Reaction,
  ReactionCommand,
  ReactionInput,
  ReactionSource,
  ReactionsOf,
  commandsOf,
  reactionEventPattern,
  reactionProblem,
  reactionsOf,
  requireReaction,
} from "./reaction/reaction";
export { ReactReport, ReactionCommands, Reactor, ReactorMessage, ReactorOptions } from "./reaction/reactor";
export { ClaimOutcome, ReactionCheckpoints } from "./reaction/checkpoints";
export { CommandScheduler, ScheduledCommand } from "./reaction/scheduled";
export { InMemoryReactionCheckpoints } from "./memory/reactionCheckpoints";
export { InMemoryScheduler } from "./memory/scheduler";
export { FailedBatchRecord, RecoveryOptions, RecoveryReport, recoverFailedBatches } from "./operations/failedBatches";
export {
  CheckpointError,
  CheckpointStore,
  ListingPosition,
  ReplayCheckpoint,
  ReplayProgress,
  ReplayRunIdentity,
  ReplayRunOptions,
  defaultCheckpointPath,
  fileCheckpoint,
  replayRun,
} from "./operations/replayRun";
