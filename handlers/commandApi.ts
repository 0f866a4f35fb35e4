import { AggregateLoader } from "./runtime/aggregateLoader";
import { AwsClients, resolveClients } from "./runtime/awsClients";
import { CommandHandler } from "./runtime/commandHandler";
import { COMMAND_STARTS, CommandStart, ENV, REPLICA_TAIL_EVENTS } from "./runtime/conventions";
import { Domain } from "./runtime/domain";
import { documentClient } from "./runtime/dynamodb/client";
import { DynamoDbEventStore } from "./runtime/dynamodb/ledgerTable";
import { DynamoDbSnapshotStore } from "./runtime/dynamodb/snapshotTable";
import { requireEnv } from "./runtime/environment";
import { HttpRequest, HttpResponse, commandRoutes } from "./runtime/http/commandRoutes";
import { log } from "./runtime/log";
import { ReadModelSnapshotSource } from "./runtime/projection/readModelSnapshots";
import { DynamoDbReadModel } from "./runtime/projection/readModelTable";

/** The part of an HTTP request event (payload format 2.0: Lambda function URLs and API Gateway HTTP APIs) the API reads. */
export interface HttpApiEvent {
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; http?: { method?: string; path?: string } };
}

/** The event as the routes' request: lower-case header names, a decoded body. */
export function toHttpRequest(event: HttpApiEvent): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: event.requestContext?.http?.method ?? "GET",
    path: event.rawPath ?? event.requestContext?.http?.path ?? "/",
    query: event.queryStringParameters ?? {},
    headers,
    body: event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body,
    requestId: event.requestContext?.requestId,
  };
}

/**
 * The CommandApi Lambda: HTTP requests in, commands and strongly consistent reads out. With a
 * replica table (an aggregateProjection's rows) commands start from the replica (COMMAND_START:
 * the replica and the ledger's tail at once by default, or seed 000's decide-on-replica).
 */
export function createCommandApiHandler<S, C>(domain: Domain<S, C>, clients: Partial<AwsClients> = {}) {
  let routes: ((request: HttpRequest) => Promise<HttpResponse>) | undefined;
  const aws = resolveClients(clients);
  const build = () => {
    const db = documentClient(aws.dynamodb);
    const events = new DynamoDbEventStore(db, requireEnv(ENV.ledgerTable), { idempotencyTable: requireEnv(ENV.idempotencyTable) });
    const replicaTable = process.env[ENV.replicaTable];
    const replica = replicaTable ? new DynamoDbReadModel(db, replicaTable) : undefined;
    const start = (process.env[ENV.commandStart] ?? "replica-and-tail") as CommandStart;
    if (!COMMAND_STARTS.includes(start)) throw new Error(`${ENV.commandStart} must be one of ${COMMAND_STARTS.join(", ")}, got "${start}"`);
    const snapshots = replica ? new ReadModelSnapshotSource(replica) : new DynamoDbSnapshotStore(db, requireEnv(ENV.snapshotTable));
    const loader = new AggregateLoader(domain as Domain<S, unknown>, events, snapshots, replica && start === "replica-and-tail" ? { start: "parallel", tailSize: REPLICA_TAIL_EVENTS } : {});
    const maxBodyBytes = process.env[ENV.maxBodyBytes] ? Number(process.env[ENV.maxBodyBytes]) : undefined;
    const commands = new CommandHandler<S, C>(loader, events, { decideOnReplica: replica !== undefined && start === "decide-on-replica" });
    return commandRoutes({ commands, replica, maxBodyBytes });
  };
  return async (event: HttpApiEvent): Promise<HttpResponse> => {
    routes ??= build();
    const request = toHttpRequest(event);
    const response = await routes(request);
    log.info("command API request", { method: request.method, path: request.path, status: response.statusCode, requestId: request.requestId });
    return response;
  };
}
