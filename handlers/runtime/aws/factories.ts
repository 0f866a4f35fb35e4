/**
 * The composition root: the command side, the dispatcher and a projector built on DynamoDB from
 * one typed configuration each. The Lambda entries build theirs from the environment the
 * components set; the local stage, the bench and the tools build theirs from the same factories
 * with their own transports (an in-process bus, local queues).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CommandHandler, CommandHandlerOptions } from "../command/commandHandler";
import { Publication } from "../contracts/publication";
import { Dispatcher, DispatcherOptions } from "../dispatch/dispatcher";
import { Bus } from "../dispatch/publisher";
import { Domain } from "../domain/domain";
import { AggregateLoader } from "../ledger/aggregateLoader";
import { DEFAULT_START_POLICY, REPLICA_TAIL_EVENTS, StartPolicy, requireStartPolicy } from "../ledger/conventions";
import { DeadLetterSink } from "../messages/deadLetters";
import { Projection } from "../projection/projection";
import { Projector, ProjectorOptions } from "../projection/projector";
import { ReadModelSnapshotSource } from "../projection/readModelSnapshots";
import { RuntimeLogger } from "../support/log";
import { FUNCTION_CLIENT_CONFIG } from "./clients";
import { sentWithoutEffect } from "./documentClient";
import { DynamoDbClientInput } from "./items";
import { DynamoDbEventStore } from "./dynamoDbEventStore";
import { DynamoDbReadModel, RowReader } from "./dynamoDbReadModel";
import { DynamoDbSnapshotStore } from "./dynamoDbSnapshotStore";
import { unmarshallImage } from "./streamImages";
import { Reaction } from "../reaction/reaction";
import { Reactor } from "../reaction/reactor";
import { CommandScheduler } from "../reaction/scheduled";
import { DynamoDbReactionCheckpoints } from "./dynamoDbReactionCheckpoints";

export type { DynamoDbClientInput } from "./items";

/** The client given, else one configured from the environment as the functions configure theirs. */
const clientOf = (client: DynamoDbClientInput | undefined): DynamoDbClientInput => client ?? new DynamoDBClient(FUNCTION_CLIENT_CONFIG);

export interface DynamoDbCommandSideOptions<S, C> {
  domain: Domain<S, C>;
  /** The ledger's events table (EventLedger.tableName). */
  ledgerTable: string;
  /** Where idempotency keys are remembered (EventLedger.idempotencyTableName); without it, a keyed command fails as the service's misconfiguration (a ConfigurationError, answered 500), never as the client's. */
  idempotencyTable?: string;
  /** The snapshot table loads start from when there is no replica (EventLedger.snapshotTableName). */
  snapshotTable?: string;
  /** An aggregateProjection's table: loads start from its rows, and eventual reads answer from it. */
  replicaTable?: string;
  /** How a command starts (see StartPolicy). Default "memory-first". */
  start?: StartPolicy;
  /** The DynamoDB client. Default: one configured from the environment. */
  client?: DynamoDbClientInput;
  /** What the replica's rows are read with, e.g. DAX's `DaxDocument`, eventually consistently so its cache answers. Default: DynamoDB, through `client`, consistently. */
  replicaReader?: RowReader;
  /** Retries, serialization, idempotency retention, memory (see CommandHandlerOptions). */
  commands?: CommandHandlerOptions;
  /** Where the command side logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/**
 * The command side on DynamoDB from table names: what the CommandApi's function runs, and what a
 * service of your own (a container, a Lambda of yours, a tool) builds to execute commands and queries.
 */
export function dynamoDbCommandSide<S, C>(options: DynamoDbCommandSideOptions<S, C>) {
  const start = requireStartPolicy(options.start ?? DEFAULT_START_POLICY);
  const db = clientOf(options.client);
  const events = new DynamoDbEventStore(db, options.ledgerTable, { idempotencyTable: options.idempotencyTable });
  // A replica row is only a starting point (the ledger's tail proves and completes it), so a
  // reader of its own (DAX) may answer from its cache: eventually consistent reads.
  const replica = options.replicaTable
    ? new DynamoDbReadModel(db, options.replicaTable, {
        reader: options.replicaReader,
        consistentRead: options.replicaReader === undefined,
      })
    : undefined;
  const snapshots = replica
    ? new ReadModelSnapshotSource(replica)
    : options.snapshotTable
      ? new DynamoDbSnapshotStore(db, options.snapshotTable)
      : undefined;
  const logger = options.logger;
  const loader = new AggregateLoader(options.domain as Domain<S, unknown>, events, snapshots, {
    // With a replica, a read-first start reads its row and the ledger's tail at once.
    ...(replica ? { start: "parallel", tailSize: REPLICA_TAIL_EVENTS } : {}),
    logger,
  });
  const commands = new CommandHandler<S, C>(loader, events, { start, logger, ...options.commands });
  return { commands, loader, events, replica };
}

/** What a dispatcher is given besides its tables and transports (see DispatcherOptions). */
export type DispatcherSettings<S> = Omit<
  DispatcherOptions<S>,
  "domain" | "loader" | "snapshots" | "bus" | "deadLetters" | "source" | "unmarshall" | "logger" | "publications"
>;

export interface DynamoDbDispatcherOptions<S> {
  domain: Domain<S, unknown>;
  /** The ledger's events table: the fold's catch-ups read it. */
  ledgerTable: string;
  /** The snapshot table: starting points, snapshots and claim checks. */
  snapshotTable: string;
  /** Where state-carried events are published (an EventBridgeBus on AWS). */
  bus: Bus;
  /** Where records that can never be published go, with their reason. */
  deadLetters: DeadLetterSink;
  /** The service name: every event's source. */
  source: string;
  /** The contracts the service publishes, each a publication of the domain's events (see DispatcherOptions). Default none. */
  publications?: readonly Publication[];
  /** The DynamoDB client. Default: one configured from the environment. */
  client?: DynamoDbClientInput;
  /** Snapshot interval, publishing, memory (see DispatcherOptions). */
  settings?: DispatcherSettings<S>;
  /** Where the dispatcher logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/** The dispatcher on DynamoDB: what the AggregateDispatcher's function runs on the ledger's stream. */
export function dynamoDbDispatcher<S>(options: DynamoDbDispatcherOptions<S>) {
  const db = clientOf(options.client);
  const events = new DynamoDbEventStore(db, options.ledgerTable);
  const snapshots = new DynamoDbSnapshotStore(db, options.snapshotTable);
  const loader = new AggregateLoader(options.domain, events, snapshots, { logger: options.logger });
  const dispatcher = new Dispatcher<S>({
    ...options.settings,
    domain: options.domain,
    loader,
    snapshots,
    bus: options.bus,
    deadLetters: options.deadLetters,
    source: options.source,
    publications: options.publications,
    unmarshall: unmarshallImage,
    logger: options.logger,
  });
  return { dispatcher, loader, events, snapshots };
}

/** What a projector is given besides its tables and dead letters (see ProjectorOptions). */
export type ProjectorSettings = Pick<ProjectorOptions<unknown>, "concurrency" | "rememberedVersions">;

export interface DynamoDbProjectorOptions<S> {
  projection: Projection<S>;
  /** The read model's table. */
  readModelTable: string;
  /** The snapshot table claim checks are resolved from (the ledger's). Default: none (claim checks are dead-lettered). */
  snapshotTable?: string;
  /** Where messages that can never be projected go, with their reason. */
  deadLetters: DeadLetterSink;
  /** The DynamoDB client. Default: one configured from the environment. */
  client?: DynamoDbClientInput;
  settings?: ProjectorSettings;
  /** Where the projector logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/** A projector on DynamoDB: what a Projector's function runs on its queue. */
export function dynamoDbProjector<S>(options: DynamoDbProjectorOptions<S>) {
  const db = clientOf(options.client);
  const readModel = new DynamoDbReadModel(db, options.readModelTable);
  const projector = new Projector<S>({
    ...options.settings,
    projection: options.projection,
    readModel,
    snapshots: options.snapshotTable ? new DynamoDbSnapshotStore(db, options.snapshotTable) : undefined,
    deadLetters: options.deadLetters,
    logger: options.logger,
  });
  return { projector, readModel };
}

export interface DynamoDbReactorOptions<C> {
  reaction: Reaction<C>;
  /** The reacting service's ledger (EventLedger.tableName): its commands are appended there. */
  ledgerTable: string;
  /** Its idempotency table: every command's key, and the reaction's checkpoints. */
  idempotencyTable: string;
  /** Its snapshot table: loads start from it, and claim checks of its own events are resolved from it. Default: none. */
  snapshotTable?: string;
  /** Where commands asked for later go (an EventBridgeScheduler on AWS). Default: none (such replies are dead-lettered). */
  scheduler?: CommandScheduler;
  /** Where messages that can never be acted on go, with their reason. */
  deadLetters: DeadLetterSink;
  /** The DynamoDB client. Default: one configured from the environment. */
  client?: DynamoDbClientInput;
  /** Retries, memory of the command side (see CommandHandlerOptions). */
  commands?: CommandHandlerOptions;
  /** Source aggregates handled at once. Default 10. */
  concurrency?: number;
  /** The clock deciding whether a command's time has come. Default: the system clock. */
  now?: () => Date;
  /** The queue's maxReceiveCount: a version still failing on its last receive is given up on (see ReactorOptions). Default: unknown. */
  maxReceiveCount?: number;
  /** How long a claim holds a source aggregate if its holder never completes it, in ms (see ReactorOptions). */
  claimLeaseMs?: number;
  logger?: RuntimeLogger;
}

/**
 * How long a reaction's command keys answer repeats: longer than a message can come back (the
 * dead-letter queue keeps one 14 days, a schedule retries for a day), so a redrive never applies one twice.
 */
export const REACTION_KEY_RETENTION_SECONDS = 16 * 86_400;

/** A reactor on DynamoDB: what a Reactor's function runs on its queue, over the reacting service's command side. */
export function dynamoDbReactor<C>(options: DynamoDbReactorOptions<C>) {
  const db = clientOf(options.client);
  const side = dynamoDbCommandSide<unknown, C>({
    domain: options.reaction.target as Domain<unknown, C>,
    ledgerTable: options.ledgerTable,
    idempotencyTable: options.idempotencyTable,
    snapshotTable: options.snapshotTable,
    client: db,
    commands: { idempotencyRetentionSeconds: REACTION_KEY_RETENTION_SECONDS, ...options.commands },
    logger: options.logger,
  });
  const checkpoints = new DynamoDbReactionCheckpoints(db, options.idempotencyTable);
  const reactor = new Reactor<C>({
    reaction: options.reaction,
    commands: side.commands,
    checkpoints,
    scheduler: options.scheduler,
    snapshots: options.snapshotTable ? new DynamoDbSnapshotStore(db, options.snapshotTable) : undefined,
    deadLetters: options.deadLetters,
    concurrency: options.concurrency,
    now: options.now,
    maxReceiveCount: options.maxReceiveCount,
    claimLeaseMs: options.claimLeaseMs,
    // A request DynamoDB or Scheduler refused outright (access denied, validation) fails the same way every time.
    isPermanent: sentWithoutEffect,
    logger: options.logger,
  });
  return { reactor, checkpoints, ...side };
}
