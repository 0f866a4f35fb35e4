/**
 * One source of truth for names shared by the Pulumi components, the Lambda
 * handlers and the local stage: table keys, envelope fields, environment
 * variables and service limits. Change a name here and every side follows.
 */

/** Ledger table: one item per event. */
export const LEDGER_PARTITION_KEY = "aggregateId";
export const LEDGER_SORT_KEY = "version";

/**
 * The ledger's sparse index of aggregates: only an aggregate's first event (version 1) carries a
 * bucket, so the index holds one small item per aggregate, spread over a few partitions, and
 * listing every aggregate never reads the events themselves.
 */
export const AGGREGATE_INDEX = "aggregates";
export const AGGREGATE_BUCKET_ATTRIBUTE = "aggregateBucket";
export const AGGREGATE_BUCKETS = 16;

/** The index bucket of an aggregate id (FNV-1a of its UTF-8 bytes): stable across runtimes. */
export function aggregateBucket(aggregateId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(aggregateId, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % AGGREGATE_BUCKETS;
}

/** Snapshot table: one item per snapshot, so a state at or below any version can be found. */
export const SNAPSHOT_PARTITION_KEY = "aggregateId";
export const SNAPSHOT_SORT_KEY = "version";

/** Read-model tables written by projectors: one row per aggregate, guarded by `version`. */
export const PROJECTION_PARTITION_KEY = "id";
export const PROJECTION_VERSION_ATTRIBUTE = "version";

export { REPLAY_EVENT_TYPE } from "../domain/domain";

/** EventBridge: detail-type is the event type; source is the service name. */
export const detailTypeOf = (eventType: string): string => eventType;

/**
 * Events one commit may hold: DynamoDB's 100 actions per transaction, less one predecessor check
 * per aggregate and one idempotency record. 98 always fits for one aggregate.
 */
export const MAX_EVENTS_PER_COMMIT = 98;

/** EventBridge PutEvents: at most 10 entries and 256 KB per request (and per entry). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/**
 * SQS: the largest message a queue accepts (and the largest SendMessageBatch request). The
 * components set every queue to it, so any event PutEvents accepts (256 KB) fits with EventBridge's
 * envelope around it (some 200 bytes), and any dead letter up to this size can be stored.
 */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Environment variables the components set on the Lambda functions. */
export const ENV = {
  ledgerTable: "LEDGER_TABLE_NAME",
  snapshotTable: "SNAPSHOT_TABLE_NAME",
  eventBusName: "EVENT_BUS_NAME",
  serviceName: "SERVICE_NAME",
  deadLetterQueueUrl: "DEAD_LETTER_QUEUE_URL",
  snapshotEvery: "SNAPSHOT_EVERY",
  readModelTable: "READ_MODEL_TABLE_NAME",
  logLevel: "LOG_LEVEL",
  idempotencyTable: "IDEMPOTENCY_TABLE_NAME",
  replicaTable: "REPLICA_TABLE_NAME",
  maxBodyBytes: "MAX_BODY_BYTES",
  startPolicy: "COMMAND_START",
  rememberedAggregates: "REMEMBERED_AGGREGATES",
  daxEndpoint: "DAX_ENDPOINT",
  scheduleGroup: "SCHEDULE_GROUP_NAME",
  reactorQueueArn: "REACTOR_QUEUE_ARN",
  schedulerRoleArn: "SCHEDULER_ROLE_ARN",
  deadLetterQueueArn: "DEAD_LETTER_QUEUE_ARN",
  maxReceiveCount: "MAX_RECEIVE_COUNT",
  claimLeaseMs: "CLAIM_LEASE_MS",
} as const;

/**
 * How a command starts, wherever its state comes from (the aggregate its handler remembers, the
 * read replica's row, the ledger's snapshots):
 * - "memory-first" (default): decides at once on the aggregate its handler remembers when the
 *   ledger proved that version within the last second (the handler's own commit, a read, a refused
 *   write's answer), and writes it with one plain conditional write; otherwise as "read-first". A
 *   writer that keeps an aggregate busy pays one request per command; when another wrote in
 *   between, the refusal carries the winner's event and the retry needs no read.
 * - "read-first": reads the ledger's events after that state before deciding (with a replica, its
 *   row and the ledger's last few events at once; from memory, one query of the events after it),
 *   then one plain write. A refused write only when another writer commits in between.
 * - "decide-first": decides on the remembered state however old, else the replica's row, at once;
 *   a state the ledger did not prove within the last second is written with a check that its
 *   version is still the ledger's (a transaction). The ledger is read only when the write is
 *   refused, and then only the events missed. For one process serving an aggregate's commands, or
 *   a current replica; a refused write and a catch-up more when another wrote in between.
 * A rejection, a refusal or a decision to do nothing always stands on the ledger's latest state.
 */
export type StartPolicy = "memory-first" | "read-first" | "decide-first";
export const START_POLICIES: readonly StartPolicy[] = ["memory-first", "read-first", "decide-first"];
export const DEFAULT_START_POLICY: StartPolicy = "memory-first";
/** The start policy given, checked: anything but one of START_POLICIES is a RangeError naming them. */
export function requireStartPolicy(start: unknown): StartPolicy {
  if (START_POLICIES.includes(start as StartPolicy)) return start as StartPolicy;
  throw new RangeError(`start must be one of ${START_POLICIES.map((policy) => `"${policy}"`).join(", ")}, got ${JSON.stringify(start)}`);
}
/** Events a read-first start reads from the ledger's end beside the replica row. */
export const REPLICA_TAIL_EVENTS = 10;

/** Idempotency table: one item per idempotency key, forgotten after its retention (TTL attribute). */
export const IDEMPOTENCY_PARTITION_KEY = "idempotencyKey";
export const IDEMPOTENCY_TTL_ATTRIBUTE = "expiresAt";
/** How long a key answers repeats with the first result. */
export const DEFAULT_IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;
