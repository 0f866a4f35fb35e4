import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AggregateLoader } from "../ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../command/commandHandler";
import { COMMAND_STARTS, CommandStart, REPLICA_TAIL_EVENTS } from "../ledger/conventions";
import { Domain } from "../domain/domain";
import { ReadModelSnapshotSource } from "../projection/readModelSnapshots";
import { documentClient } from "./documentClient";
import { DynamoDbEventStore } from "./dynamoDbEventStore";
import { DynamoDbReadModel } from "./dynamoDbReadModel";
import { DynamoDbSnapshotStore } from "./dynamoDbSnapshotStore";

export interface DynamoDbCommandSideOptions<S, C> {
  domain: Domain<S, C>;
  /** The ledger's events table (EventLedger.tableName). */
  ledgerTable: string;
  /** Where idempotency keys are remembered (EventLedger.idempotencyTableName); without it, keys are refused. */
  idempotencyTable?: string;
  /** The snapshot table loads start from when there is no replica (EventLedger.snapshotTableName). */
  snapshotTable?: string;
  /** An aggregateProjection's table: loads start from its rows, and eventual reads answer from it. */
  replicaTable?: string;
  /** How a command starts from the replica. Default "replica-and-tail". */
  start?: CommandStart;
  /** The DynamoDB client. Default: one configured from the environment. */
  client?: DynamoDBClient;
  /** What the replica's rows are read with, e.g. a DAX document client, eventually consistently so its cache answers. Default: DynamoDB, through `client`, consistently. */
  replicaReader?: DynamoDBDocumentClient;
  /** Retries, serialization, idempotency retention (see CommandHandlerOptions). */
  commands?: CommandHandlerOptions;
}

/**
 * The command side on DynamoDB from table names: what the CommandApi's function runs, and what a
 * service of your own (a container, a Lambda of yours) builds to execute commands and queries.
 */
export function dynamoDbCommandSide<S, C>(options: DynamoDbCommandSideOptions<S, C>) {
  const start = options.start ?? "replica-and-tail";
  if (!COMMAND_STARTS.includes(start)) throw new RangeError(`start must be one of ${COMMAND_STARTS.join(", ")}, got "${start}"`);
  const db = documentClient(options.client ?? new DynamoDBClient({}));
  const events = new DynamoDbEventStore(db, options.ledgerTable, { idempotencyTable: options.idempotencyTable });
  // A replica row is only a starting point (the ledger's tail proves and completes it), so a
  // reader of its own (DAX) may answer from its cache: eventually consistent reads.
  const replica = options.replicaTable
    ? new DynamoDbReadModel(options.replicaReader ?? db, options.replicaTable, { consistentRead: options.replicaReader === undefined })
    : undefined;
  const snapshots = replica ? new ReadModelSnapshotSource(replica) : options.snapshotTable ? new DynamoDbSnapshotStore(db, options.snapshotTable) : undefined;
  const loader = new AggregateLoader(options.domain as Domain<S, unknown>, events, snapshots, replica && start === "replica-and-tail" ? { start: "parallel", tailSize: REPLICA_TAIL_EVENTS } : {});
  const commands = new CommandHandler<S, C>(loader, events, { decideOnReplica: replica !== undefined && start === "decide-on-replica", ...options.commands });
  return { commands, loader, events, replica };
}
