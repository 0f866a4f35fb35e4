import type { RowReader } from "./runtime/aws/dynamoDbReadModel";
import { AwsClients, resolveClients } from "./runtime/aws/clients";
import { dynamoDbCommandSide } from "./runtime/aws/factories";
import { ENV, START_POLICIES, StartPolicy } from "./runtime/ledger/conventions";
import { Domain, requireDomain } from "./runtime/domain/domain";
import { choiceEnv, integerEnv, optionalEnv, requireEnv } from "./runtime/support/environment";
import { CommandOutcome, HttpRequest, HttpResponse, commandRoutes } from "./runtime/command/httpRoutes";
import { RetriesExhaustedError } from "./runtime/command/errors";
import { answerTo } from "./runtime/command/errorAnswers";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { instrumented, log } from "./observability";

/**
 * An HTTP request event in payload format 2.0 (Lambda function URLs, API Gateway HTTP APIs), of
 * which the API reads the path, query, headers, body and request id; the rest may be absent.
 */
export type HttpApiEvent = Partial<Omit<APIGatewayProxyEventV2, "requestContext">> & {
  requestContext?: { requestId?: string; http?: Partial<APIGatewayProxyEventV2["requestContext"]["http"]> };
};

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

/** What the CommandApi component gives its function: the tables, how commands start, what is remembered. */
export interface CommandApiFunctionSettings {
  ledgerTable: string;
  idempotencyTable: string;
  /** The replica's table (an aggregateProjection's rows); without it, commands start from the snapshot table. */
  replicaTable?: string;
  snapshotTable?: string;
  start?: StartPolicy;
  rememberedAggregates?: number;
  maxBodyBytes?: number;
}

/** The settings from the environment the component sets, each variable checked. */
export function commandApiSettingsFromEnv(): CommandApiFunctionSettings {
  const replicaTable = optionalEnv(ENV.replicaTable);
  return {
    ledgerTable: requireEnv(ENV.ledgerTable),
    idempotencyTable: requireEnv(ENV.idempotencyTable),
    replicaTable,
    snapshotTable: replicaTable ? undefined : requireEnv(ENV.snapshotTable),
    start: choiceEnv(ENV.startPolicy, START_POLICIES),
    rememberedAggregates: integerEnv(ENV.rememberedAggregates, 0),
    maxBodyBytes: integerEnv(ENV.maxBodyBytes, 1),
  };
}

/**
 * The CommandApi Lambda: HTTP requests in, commands and strongly consistent reads out. With a
 * replica table (an aggregateProjection's rows) commands start from the replica. The component
 * bundles it with the domain module and sets the environment; the settings are read at the first
 * invocation (`settings` to give them another way, as the local stage does).
 */
export function createCommandApiHandler<S, C>(
  domain: Domain<S, C>,
  clients: Partial<AwsClients> = {},
  replicaReader?: () => RowReader,
  settings: () => CommandApiFunctionSettings = commandApiSettingsFromEnv,
) {
  requireDomain(domain);
  let routes: ((request: HttpRequest) => Promise<HttpResponse>) | undefined;
  const aws = resolveClients(clients);
  const build = () => {
    const given = settings();
    const { commands, replica } = dynamoDbCommandSide({
      domain,
      client: aws.dynamodb,
      ledgerTable: given.ledgerTable,
      idempotencyTable: given.idempotencyTable,
      replicaTable: given.replicaTable,
      snapshotTable: given.snapshotTable,
      start: given.start,
      replicaReader: replicaReader?.(),
      commands: { rememberedAggregates: given.rememberedAggregates },
      logger: log,
    });
    return commandRoutes({
      commands,
      replica,
      maxBodyBytes: given.maxBodyBytes,
      logger: log,
      observe: (request, outcome) => outcomes.set(request, outcome),
    });
  };
  // Per request: invocations in one process may overlap (the local stage, a multi-concurrency environment).
  const outcomes = new WeakMap<HttpRequest, CommandOutcome>();
  return (event: HttpApiEvent, context?: Context): Promise<HttpResponse> =>
    instrumented(context, async () => {
      routes ??= build();
      const request = toHttpRequest(event);
      const response = await routes(request);
      log.info("command API request", {
        method: request.method,
        path: request.path,
        status: response.statusCode,
        requestId: request.requestId,
      });
      return { result: response, counts: commandCounts(outcomes.get(request)) };
    });
}

/** The metrics of one command request; nothing for a read. */
function commandCounts(outcome: CommandOutcome | undefined): Record<string, number> {
  if (!outcome) return {};
  const error = "error" in outcome ? outcome.error : undefined;
  const committed = "attempts" in outcome;
  const metric = answerTo(error)?.metric;
  return {
    CommandsCommitted: committed && !outcome.repeated ? 1 : 0,
    CommandsRepeated: committed && outcome.repeated ? 1 : 0,
    ...(metric ? { [metric]: 1 } : {}),
    // A repeat answered from its key made no attempt (0): no conflict either.
    VersionConflicts: committed ? Math.max(0, outcome.attempts - 1) : error instanceof RetriesExhaustedError ? error.attempts : 0,
  };
}
