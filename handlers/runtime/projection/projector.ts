import { BatchResponse } from "../support/batchResponse";
import { PoisonMessageError } from "../messages/errors";
import { forEachLimit } from "../support/concurrency";
import { DeadLetter, DeadLetterSink } from "../messages/deadLetters";
import { Aggregate, LedgerEvent, isPlainObject, isReplay, replayTarget } from "../domain/domain";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { positiveInteger } from "../support/options";
import { RecentlyUsed } from "../support/recentlyUsed";
import { StateCarriedMessage, parseStateCarriedMessage, resolveCarriedAggregate } from "../messages/stateCarried";
import { SnapshotStore } from "../ledger/stores";
import { DYNAMODB_LIMITS, itemSize, unstorable } from "../domain/storable";
import { Projection } from "./projection";
import { ReadModelStore } from "../ledger/stores";

/** One queue message (an SQS record's id and body). */
export interface QueueMessage {
  messageId: string;
  body: string;
}

export interface ProjectorOptions<S> {
  projection: Projection<S>;
  readModel: ReadModelStore;
  /** Resolves aggregates sent by reference (claim checks). */
  snapshots?: Pick<SnapshotStore, "get">;
  deadLetters: DeadLetterSink;
  /** Aggregates handled at once (the messages of one aggregate run one after another). Default 10. */
  concurrency?: number;
  /**
   * Rows whose version this projector remembers (written by it, or found by a refused write), at
   * most this many. A message at or below a remembered version is stale without a request: the
   * duplicates and older messages SQS delivers cost nothing, and in a batch holding several
   * messages of one aggregate only the newest is written. Rows only move forward, so a
   * remembered version is never above the row's (a row deleted by hand is rewritten by a replay,
   * whose version is new). Default 10,000; 0 writes every message.
   */
  rememberedVersions?: number;
  /** Where the projector logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/** The messages Lambda must retry (their ids), and what the batch did. */
export interface ProjectReport extends BatchResponse {
  written: number;
  /** Duplicates and out-of-order messages the version guard absorbed. */
  stale: number;
  /** Messages for other projectors (targeted replays) or event types this one ignores. */
  skipped: number;
  deadLettered: number;
}

/**
 * The Projector's logic: every message carries the aggregate at version v, so the row is
 * overwritten only when v is strictly greater than the stored version. Duplicates and
 * reordering therefore change nothing.
 */
export class Projector<S> {
  private readonly origin: string;
  private readonly concurrency: number;
  private readonly rowVersions: RecentlyUsed<string, number>;
  private readonly log: RuntimeLogger;

  constructor(private readonly options: ProjectorOptions<S>) {
    this.origin = `projector:${options.projection.name}`;
    this.log = options.logger ?? defaultLogger;
    this.concurrency = positiveInteger("concurrency", options.concurrency, 10);
    this.rowVersions = new RecentlyUsed(positiveInteger("rememberedVersions", options.rememberedVersions, 10_000, { allowZero: true }));
  }

  async project(messages: readonly QueueMessage[]): Promise<ProjectReport> {
    const report: ProjectReport = { batchItemFailures: [], written: 0, stale: 0, skipped: 0, deadLettered: 0 };
    const poisoned: { letter: DeadLetter; messageId: string }[] = [];
    const poison = (message: QueueMessage, error: PoisonMessageError) =>
      poisoned.push({ letter: { reason: error.message, origin: this.origin, input: message }, messageId: message.messageId });
    // The messages of one aggregate, newest first: the older ones then find its version remembered.
    const byAggregate = new Map<string, { message: QueueMessage; carried: StateCarriedMessage }[]>();
    for (const message of messages) {
      try {
        const carried = parseStateCarriedMessage(message.body);
        const group = byAggregate.get(carried.event.aggregateId) ?? [];
        group.push({ message, carried });
        byAggregate.set(carried.event.aggregateId, group);
      } catch (error) {
        if (!(error instanceof PoisonMessageError)) throw error;
        poison(message, error);
      }
    }
    await forEachLimit([...byAggregate.values()], this.concurrency, async (group) => {
      for (const { message, carried } of group.sort((a, b) => b.carried.event.version - a.carried.event.version)) {
        try {
          report[await this.projectOne(carried)] += 1;
        } catch (error) {
          if (error instanceof PoisonMessageError) poison(message, error);
          else {
            this.log.error("projection failed, message will be retried", {
              projector: this.options.projection.name,
              messageId: message.messageId,
              error,
            });
            report.batchItemFailures.push({ itemIdentifier: message.messageId });
          }
        }
      }
    });
    if (poisoned.length > 0) {
      const unsent = await this.options.deadLetters.send(poisoned.map((item) => item.letter));
      for (const item of poisoned) {
        this.log.warn("message sent to the dead-letter queue", { projector: this.options.projection.name, reason: item.letter.reason });
        if (unsent.includes(item.letter)) report.batchItemFailures.push({ itemIdentifier: item.messageId });
        else report.deadLettered += 1;
      }
    }
    return report;
  }

  private async projectOne(carried: StateCarriedMessage): Promise<"written" | "stale" | "skipped"> {
    const { projection, readModel } = this.options;
    const { event } = carried;
    if (isReplay(event)) {
      const target = replayTarget(event);
      if (target !== undefined && target !== projection.name) return "skipped";
    } else if (!projection.eventTypes.includes(event.type)) return "skipped";
    if (event.version <= (this.rowVersions.get(event.aggregateId) ?? 0)) return "stale";

    const carriedState = await resolveCarriedAggregate(carried, this.options.snapshots);
    const aggregate: Aggregate<S> = {
      aggregateId: event.aggregateId,
      version: carriedState.version,
      state: this.upcast(carriedState.state, carried.schemaVersion),
    };
    const outcome = await readModel.putIfNewer(event.aggregateId, aggregate.version, this.rowOf(aggregate, event));
    const rowVersion = outcome.written ? aggregate.version : outcome.storedVersion;
    if (rowVersion !== undefined && rowVersion > (this.rowVersions.get(event.aggregateId) ?? 0))
      this.rowVersions.set(event.aggregateId, rowVersion);
    if (!outcome.written) {
      this.log.debug("stale or duplicate message absorbed", {
        aggregateId: event.aggregateId,
        version: aggregate.version,
        storedVersion: outcome.storedVersion,
      });
    }
    return outcome.written ? "written" : "stale";
  }

  /**
   * The projection's row for this aggregate, or PoisonMessageError when it can never be written:
   * the projection throws on it, or the row holds what DynamoDB cannot store (a number past its
   * range or 2^53, an undefined in a list) or exceeds its item size. Retrying changes none of that.
   */
  private rowOf(aggregate: Aggregate<S>, event: LedgerEvent): Record<string, unknown> {
    const { projection } = this.options;
    let row: Record<string, unknown>;
    try {
      row = projection.project(aggregate, event);
    } catch (error) {
      throw new PoisonMessageError(
        `projection "${projection.name}" failed on version ${aggregate.version} of "${aggregate.aggregateId}": ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
    if (!isPlainObject(row))
      throw new PoisonMessageError(`projection "${projection.name}" returned ${row === null ? "null" : typeof row}, not a row object`);
    const problem = unstorable(row, "row");
    if (problem)
      throw new PoisonMessageError(`the row of "${aggregate.aggregateId}" at version ${aggregate.version} cannot be stored: ${problem}`);
    const bytes = itemSize(row);
    if (bytes > DYNAMODB_LIMITS.itemBytes)
      throw new PoisonMessageError(
        `the row of "${aggregate.aggregateId}" at version ${aggregate.version} is ${bytes} bytes, over DynamoDB's ${DYNAMODB_LIMITS.itemBytes}-byte item limit`,
      );
    return row;
  }

  private upcast(state: unknown, schemaVersion: number): S {
    const { projection } = this.options;
    if (schemaVersion === projection.schemaVersion) return state as S;
    if (!projection.upcast) {
      throw new PoisonMessageError(
        `aggregate schema version ${schemaVersion} is not ${projection.schemaVersion} and projector "${projection.name}" has no upcast`,
      );
    }
    try {
      return projection.upcast(state, schemaVersion);
    } catch (error) {
      throw new PoisonMessageError(`upcast from schema version ${schemaVersion} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
