import { RESERVED_KEY_PREFIXES } from "./idempotency";
import { CommandHandler } from "./commandHandler";
import { positiveInteger } from "../support/options";
import { Aggregate, LedgerEvent } from "../domain/domain";
import { CommandRejectedError } from "./errors";
import { CommitOutcomeUnknownError } from "../ledger/errors";
import { aggregateIdProblem } from "../domain/identity";
import { answerTo } from "./errorAnswers";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { ReadModelStore } from "../ledger/stores";
import { ReadModelSnapshotSource } from "../projection/readModelSnapshots";

/** An HTTP request as the command API sees it, whatever delivered it (function URL, API Gateway, the local server). */
export interface HttpRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body?: string;
  requestId?: string;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface CommandRoutesOptions<S, C> {
  commands: CommandHandler<S, C>;
  /** The read replica (an aggregateProjection's rows) for `?consistency=eventual` reads. Without it, such reads answer 400. */
  replica?: Pick<ReadModelStore, "get">;
  /** Largest request body accepted, in bytes. Default 262,144. */
  maxBodyBytes?: number;
  /** Seconds a client should wait before retrying after a 503. Default 1. */
  retryAfterSeconds?: number;
  /** Where unexpected failures are logged. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
  /**
   * Told how each command ended: the attempts it took, or the error it ended with (metrics), with
   * the request it answers (requests may run at once: each outcome belongs to its own).
   */
  observe?: (request: HttpRequest, outcome: CommandOutcome) => void;
}

/** How a command request ended, for whoever counts them. */
export type CommandOutcome = { attempts: number; repeated: boolean } | { error: unknown };

/** A refusal with its HTTP status: the body says what was wrong, never how the code failed. */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

const eventView = (event: LedgerEvent) => ({
  type: event.type,
  version: event.version,
  payload: event.payload,
  timestamp: event.timestamp,
});
const aggregateView = <S>(aggregate: Aggregate<S>) => ({
  aggregateId: aggregate.aggregateId,
  version: aggregate.version,
  state: aggregate.state,
});

/**
 * The command side over HTTP:
 * - `POST /aggregates/{id}/commands`: body = the command; `Idempotency-Key` header honoured.
 * - `POST /commands`: body = `{ aggregateIds, command }`, one atomic commit over several aggregates.
 * - `GET /aggregates/{id}`: strongly consistent (replica or snapshot, then the events after it);
 *   `?version=n` as of version n; `?consistency=eventual` the replica's row alone.
 * Typed errors map to statuses (400, 404, 405, 409, 413, 422, 503); anything else is a 500 that
 * names the request id and nothing of the failure.
 */
export function commandRoutes<S, C>(options: CommandRoutesOptions<S, C>): (request: HttpRequest) => Promise<HttpResponse> {
  const maxBodyBytes = positiveInteger("maxBodyBytes", options.maxBodyBytes, 256 * 1024);
  const retryAfterSeconds = positiveInteger("retryAfterSeconds", options.retryAfterSeconds, 1);
  const replica = options.replica ? new ReadModelSnapshotSource(options.replica) : undefined;

  const readBody = (request: HttpRequest): unknown => {
    const body = request.body ?? "";
    if (Buffer.byteLength(body) > maxBodyBytes)
      throw new HttpError(413, "body-too-large", `the body is ${Buffer.byteLength(body)} bytes; at most ${maxBodyBytes} are accepted`);
    if (body.trim() === "") throw new HttpError(400, "invalid-body", "the body is empty; send the command as a JSON object");
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new HttpError(400, "invalid-json", `the body is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, "invalid-body", "the body must be a JSON object");
    if (nestingDepth(parsed) > MAX_BODY_NESTING)
      throw new HttpError(400, "invalid-body", `the body nests deeper than ${MAX_BODY_NESTING} levels`);
    return parsed;
  };

  const idempotencyKey = (request: HttpRequest) => {
    const key = request.headers["idempotency-key"];
    // The reactions' own keys and checkpoints live in the same table: a client may never take one.
    if (typeof key === "string" && RESERVED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)))
      throw new HttpError(400, "reserved-idempotency-key", `an Idempotency-Key may not start with ${RESERVED_KEY_PREFIXES.join(" or ")}`);
    return key;
  };

  /** Runs the command of `request` and tells the observer how it ended. */
  const observed = async <R extends { attempts?: number; repeated?: boolean }>(
    request: HttpRequest,
    command: () => Promise<R>,
  ): Promise<R> => {
    try {
      const result = await command();
      options.observe?.(request, { attempts: result.attempts ?? 1, repeated: result.repeated === true });
      return result;
    } catch (error) {
      options.observe?.(request, { error });
      throw error;
    }
  };

  /** A route: its path, and per method the query parameters it takes and its handler. */
  type Method = { query: readonly string[]; handle: (request: HttpRequest, id: string) => Promise<HttpResponse> };
  const routes: { pattern: RegExp; methods: Record<string, Method> }[] = [
    {
      pattern: /^\/aggregates\/([^/]+)\/commands\/?$/,
      methods: {
        POST: {
          query: [],
          handle: async (request, id) => {
            const result = await observed(request, () =>
              options.commands.execute(id, readBody(request) as C, { idempotencyKey: idempotencyKey(request) }),
            );
            return json(200, {
              ...aggregateView(result.aggregate),
              events: result.events.map(eventView),
              commitId: result.commitId,
              repeated: result.repeated === true,
              attempts: result.attempts,
            });
          },
        },
      },
    },
    {
      pattern: /^\/commands\/?$/,
      methods: {
        POST: {
          query: [],
          handle: async (request) => {
            const body = readBody(request) as { aggregateIds?: unknown; command?: unknown };
            if (
              !Array.isArray(body.aggregateIds) ||
              body.aggregateIds.length === 0 ||
              !body.aggregateIds.every((id) => typeof id === "string" && id !== "")
            ) {
              throw new HttpError(400, "invalid-body", "aggregateIds must be a non-empty array of aggregate ids");
            }
            for (const id of body.aggregateIds as string[]) checkAggregateId(id);
            if (typeof body.command !== "object" || body.command === null || Array.isArray(body.command))
              throw new HttpError(400, "invalid-body", "command must be a JSON object");
            const result = await observed(request, () =>
              options.commands.executeMany(body.aggregateIds as string[], body.command as C, { idempotencyKey: idempotencyKey(request) }),
            );
            return json(200, {
              aggregates: [...result.aggregates.values()].map(aggregateView),
              events: result.events.map((event) => ({ aggregateId: event.aggregateId, ...eventView(event) })),
              commitId: result.commitId,
              attempts: result.attempts,
              repeated: result.repeated === true,
            });
          },
        },
      },
    },
    {
      pattern: /^\/aggregates\/([^/]+)\/?$/,
      methods: {
        GET: {
          query: ["consistency", "version"],
          handle: async (request, id) => {
            const consistency = request.query.consistency ?? "strong";
            if (consistency !== "strong" && consistency !== "eventual")
              throw new HttpError(400, "invalid-query", `consistency must be "strong" or "eventual", got "${consistency}"`);
            const version = request.query.version;
            if (version !== undefined && !(/^[0-9]+$/.test(version) && Number.isSafeInteger(Number(version))))
              throw new HttpError(400, "invalid-query", `version must be a non-negative integer, got "${version}"`);
            if (consistency === "eventual") {
              if (version !== undefined)
                throw new HttpError(
                  400,
                  "invalid-query",
                  "version reads come from the ledger: omit consistency=eventual to read as of a version",
                );
              if (!replica) throw new HttpError(400, "no-replica", "this endpoint has no read replica; omit consistency=eventual");
              const snapshot = await replica.latest(id);
              if (!snapshot) throw new HttpError(404, "not-found", `aggregate "${id}" has no row in the replica (yet)`);
              return json(200, { aggregateId: id, version: snapshot.version, state: snapshot.state, consistency });
            }
            const aggregate = await options.commands.query(id, version === undefined ? undefined : Number(version));
            if (aggregate.version === 0) throw new HttpError(404, "not-found", `aggregate "${id}" has no events`);
            if (version !== undefined && aggregate.version < Number(version))
              throw new HttpError(404, "not-found", `aggregate "${id}" has no version ${version}; its latest is ${aggregate.version}`);
            return json(200, { ...aggregateView(aggregate), consistency });
          },
        },
      },
    },
  ];

  return async (request) => {
    try {
      for (const route of routes) {
        const match = route.pattern.exec(request.path);
        if (!match) continue;
        const method = route.methods[request.method.toUpperCase()];
        if (!method)
          throw new HttpError(
            405,
            "method-not-allowed",
            `${request.method} is not allowed on ${request.path}`,
            {},
            { allow: Object.keys(route.methods).join(", ") },
          );
        const unknown = Object.keys(request.query).filter((name) => !method.query.includes(name));
        if (unknown.length > 0) {
          throw new HttpError(
            400,
            "invalid-query",
            `unknown query parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; ${method.query.length > 0 ? `this route takes ${method.query.join(", ")}` : "this route takes none"}`,
          );
        }
        let id = "";
        if (match[1] !== undefined) {
          try {
            id = decodeURIComponent(match[1]);
          } catch {
            throw new HttpError(400, "invalid-path", "the aggregate id in the path is not valid percent-encoding");
          }
          checkAggregateId(id);
        }
        return await method.handle(request, id);
      }
      throw new HttpError(404, "no-route", `no route for ${request.method} ${request.path}`);
    } catch (error) {
      return toResponse(error, request, retryAfterSeconds, options.logger ?? defaultLogger);
    }
  };
}

/** Refuses an id the ledger cannot hold, before any request is made for it. */
function checkAggregateId(id: string): void {
  const problem = aggregateIdProblem(id);
  if (problem) throw new HttpError(400, "invalid-aggregate-id", problem);
}

/** The status and body for an error: what the caller can act on, nothing of the stack. */
function toResponse(error: unknown, request: HttpRequest, retryAfterSeconds: number, log: RuntimeLogger): HttpResponse {
  const body = (
    statusCode: number,
    code: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => json(statusCode, { error: code, message, ...extra, ...(request.requestId ? { requestId: request.requestId } : {}) }, headers);
  if (error instanceof HttpError) return body(error.statusCode, error.code, error.message, error.extra, error.headers);
  const answer = answerTo(error);
  if (answer) {
    const typed = error as Error;
    const message = answer.hint ? `${typed.message}; ${answer.hint}` : typed.message;
    const extra =
      error instanceof CommandRejectedError
        ? { code: error.reason, detail: error.detail, aggregateId: error.aggregateId, version: error.version }
        : error instanceof CommitOutcomeUnknownError
          ? { commitId: error.commitId }
          : {};
    return body(answer.status, answer.code, message, extra, answer.retryable ? { "retry-after": String(retryAfterSeconds) } : {});
  }
  log.error("command API request failed", { method: request.method, path: request.path, requestId: request.requestId, error });
  return body(500, "internal", "the request failed unexpectedly; the function's log has the details under this request id");
}

/** The deepest a body may nest objects and arrays: DynamoDB's limit for the items its events become. */
const MAX_BODY_NESTING = 32;

/** How deep a parsed JSON value nests objects and arrays, walked without recursion (a body is input). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (typeof next !== "object" || next === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_BODY_NESTING) return deepest;
    for (const child of Object.values(next)) pending.push([child, depth + 1]);
  }
  return deepest;
}
