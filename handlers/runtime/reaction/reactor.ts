import { Contract, PublishedEvent, contractLabel, publishedEventProblems } from "../contracts/contract";
import { isPlainObject } from "../domain/domain";
import { aggregateIdProblem } from "../domain/identity";
import { SnapshotStore } from "../ledger/stores";
import { DeadLetter, DeadLetterSink } from "../messages/deadLetters";
import { PoisonMessageError } from "../messages/errors";
import { StateCarriedMessage, parseStateCarriedMessage, resolveCarriedAggregate } from "../messages/stateCarried";
import { BatchResponse } from "../support/batchResponse";
import { forEachLimit } from "../support/concurrency";
import { LedgerError } from "../support/errors";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { positiveInteger } from "../support/options";
import { CommandRejectedError } from "../command/errors";
import { ReactionCheckpoints, checkpointKey, reactionCommandKey } from "./checkpoints";
import { Reaction, ReactionCommand, commandsOf, requireReaction, sourceServiceOf } from "./reaction";
import { CommandScheduler, ScheduledCommand, scheduledCommandOf } from "./scheduled";

/** One queue message (an SQS record's id, body and, as Lambda gives them, its attributes). */
export interface ReactorMessage {
  messageId: string;
  body: string;
  /** SQS's attributes; ApproximateReceiveCount tells the last receive before the dead-letter queue. */
  attributes?: { ApproximateReceiveCount?: string };
}

/** What runs a reaction's commands: the reacting service's command side (CommandHandler fits). */
export interface ReactionCommands<C> {
  execute(aggregateId: string, command: C, options: { idempotencyKey: string }): Promise<{ repeated?: boolean }>;
}

export interface ReactorOptions<C> {
  reaction: Reaction<C>;
  commands: ReactionCommands<C>;
  checkpoints: ReactionCheckpoints;
  /** Where commands asked for later go. Without it, a reply with a future `at` is dead-lettered. */
  scheduler?: CommandScheduler;
  /** Resolves aggregates sent by reference (claim checks) for a reaction to a domain's events. */
  snapshots?: Pick<SnapshotStore, "get">;
  deadLetters: DeadLetterSink;
  /** The clock deciding whether an `at` has come. Default: the system clock. */
  now?: () => Date;
  /** Source aggregates handled at once (the messages of one run in version order). Default 10. */
  concurrency?: number;
  /**
   * Receives of a message before its queue moves it to the dead-letter queue (the redrive policy's
   * maxReceiveCount): on the last one, a version that still fails is given up on here (completed,
   * each of its commands that did not run dead-lettered alone), so that it never holds the
   * aggregate's later versions back. Default: unknown (the claim's lease frees it).
   */
  maxReceiveCount?: number;
  /**
   * How long a claim holds a source aggregate if its holder never completes it, in ms. Default 15
   * minutes (the longest a Lambda invocation runs). Keep it above the queue's visibility timeout plus
   * one invocation: a holder retried for now comes back once per visibility timeout and must find its
   * claim still held (else a later version takes the aggregate over, and the holder's commands that
   * had not run are superseded). Keep it below the visibility timeout times (maxReceiveCount - 1): a
   * later version waiting behind a dead holder's claim is received again once per visibility timeout
   * and must find the claim expired before its receives run out. The Reactor component sets seven
   * times the function's timeout (its queue's visibility timeout is six).
   */
  claimLeaseMs?: number;
  /**
   * Whether a failure can never pass by retrying (a refused request: access denied, validation).
   * Typed errors of the ledger say so themselves (`retryable`). Default: none besides those.
   */
  isPermanent?: (error: unknown) => boolean;
  logger?: RuntimeLogger;
}

/** The messages Lambda must retry (their ids), and what the batch did. */
export interface ReactReport extends BatchResponse {
  /** Source events acted on: their commands applied, answered from their keys, refused, or scheduled. */
  acted: number;
  /** Source events at or below a version acted on already: duplicates, and events that arrived after a newer one. */
  superseded: number;
  /** Source events of types the reaction does not take (left in the queue from before a change of its types). */
  skipped: number;
  /** Source events whose older version is still being acted on: retried later. */
  waiting: number;
  /** Commands applied now (scheduled ones included when they run). */
  applied: number;
  /** Commands an earlier delivery applied already, answered from their idempotency keys. */
  repeated: number;
  /** Commands the reacting domain refused: recorded under their keys, counted, never retried. */
  rejected: number;
  /** Commands handed to the scheduler to run later. */
  scheduled: number;
  deadLettered: number;
}

/** One source event as a reaction takes it, whichever way it travelled. */
interface SourceEvent {
  service: string;
  aggregateId: string;
  version: number;
  type: string;
  event: unknown;
  state: unknown;
  /** A domain's message, whose aggregate is resolved (it may be a claim check) before acting. */
  carried?: StateCarriedMessage;
}

/** What one message turned out to be: a source event, or a scheduled command come due. */
type Parsed = { kind: "event"; source: SourceEvent } | { kind: "scheduled"; command: ScheduledCommand };

/**
 * Runs a reaction over a queue of source events. Each command is executed with an idempotency key
 * derived from the source event and its position, so redeliveries and duplicates apply it once; a
 * checkpoint per source aggregate, claimed before acting and completed after, keeps the reaction
 * from acting on a version older than one it acted on, even across processes (an older event that
 * arrives after a newer one is superseded: the newer one's state says what it changed).
 */
export class Reactor<C> {
  private readonly log: RuntimeLogger;
  private readonly origin: string;
  private readonly concurrency: number;
  private readonly sourceService: string;

  constructor(private readonly options: ReactorOptions<C>) {
    requireReaction(options.reaction);
    this.log = options.logger ?? defaultLogger;
    this.origin = `reactor:${options.reaction.name}`;
    this.concurrency = positiveInteger("concurrency", options.concurrency, 10);
    this.sourceService = sourceServiceOf(options.reaction);
  }

  async react(messages: readonly ReactorMessage[]): Promise<ReactReport> {
    const report: ReactReport = {
      batchItemFailures: [],
      acted: 0,
      superseded: 0,
      skipped: 0,
      waiting: 0,
      applied: 0,
      repeated: 0,
      rejected: 0,
      scheduled: 0,
      deadLettered: 0,
    };
    const poisoned: { letter: DeadLetter; messageId: string }[] = [];
    /** What each message given up on still has to do once all its letters are stored (complete its version's claim). */
    const onceStored = new Map<string, () => Promise<void>>();
    const poison = (message: ReactorMessage, error: Error) => {
      // A version some of whose commands ran leaves the ones that did not, each a message that runs it alone.
      const remaining = error instanceof GivenUp ? error.remaining : undefined;
      if (!remaining)
        poisoned.push({ letter: { reason: error.message, origin: this.origin, input: message }, messageId: message.messageId });
      else
        for (const command of remaining)
          poisoned.push({
            letter: { reason: error.message, origin: this.origin, input: { messageId: message.messageId, body: JSON.stringify(command) } },
            messageId: message.messageId,
          });
      if (error instanceof GivenUp && error.onceStored) onceStored.set(message.messageId, error.onceStored);
    };
    const retry = (message: ReactorMessage, error: unknown) => {
      this.log.error("reaction failed, message will be retried", {
        reaction: this.options.reaction.name,
        messageId: message.messageId,
        error,
      });
      report.batchItemFailures.push({ itemIdentifier: message.messageId });
    };
    const groups = new Map<string, { message: ReactorMessage; source: SourceEvent }[]>();
    const due: { message: ReactorMessage; command: ScheduledCommand }[] = [];
    for (const message of messages) {
      try {
        const parsed = this.parse(message.body);
        if (parsed.kind === "scheduled") due.push({ message, command: parsed.command });
        else {
          const group = groups.get(parsed.source.aggregateId) ?? [];
          group.push({ message, source: parsed.source });
          groups.set(parsed.source.aggregateId, group);
        }
      } catch (error) {
        if (error instanceof PoisonMessageError) poison(message, error);
        else throw error;
      }
    }
    const work = [
      ...[...groups.values()].map((group) => async () => {
        // Oldest first: a batch holding several versions of one aggregate acts on each in order.
        for (const { message, source } of group.sort((a, b) => a.source.version - b.source.version)) {
          try {
            await this.actOn(message, source, report);
          } catch (error) {
            if (error instanceof PoisonMessageError) poison(message, error);
            else retry(message, error);
          }
        }
      }),
      ...due.map(({ message, command }) => async () => {
        try {
          // Not due yet (a letter redriven early, a schedule refused and redriven): asked for again, not run early.
          if (this.forLater(command)) await this.schedule(command, report);
          else await this.runCommand(command.aggregateId, command.command as C, command.idempotencyKey, command.source, report);
        } catch (error) {
          if (error instanceof PoisonMessageError) poison(message, error);
          else if (this.lastReceive(message)) poison(message, givingUp(error));
          else retry(message, error);
        }
      }),
    ];
    await forEachLimit(work, this.concurrency, (run) => run());
    if (poisoned.length > 0) {
      const unsent = await this.options.deadLetters.send(poisoned.map((item) => item.letter));
      const retried = new Set<string>();
      for (const item of poisoned) {
        this.log.warn("message sent to the dead-letter queue", { reaction: this.options.reaction.name, reason: item.letter.reason });
        if (unsent.includes(item.letter)) retried.add(item.messageId);
        else report.deadLettered += 1;
      }
      // A version's claim is completed only once every command of it that did not run is stored as a
      // letter: until then the message comes back (its claim held), and runs them again under their keys.
      for (const [messageId, complete] of onceStored) {
        if (retried.has(messageId)) continue;
        try {
          await complete();
        } catch (error) {
          this.log.error("claim not completed after its letters were stored, message will be retried", { messageId, error });
          retried.add(messageId);
        }
      }
      for (const messageId of retried) report.batchItemFailures.push({ itemIdentifier: messageId });
    }
    return report;
  }

  /** Claims the source event's version, runs the reaction's commands, completes the claim. */
  private async actOn(message: ReactorMessage, source: SourceEvent, report: ReactReport): Promise<void> {
    const { reaction, checkpoints } = this.options;
    // The rule delivers only the subscribed types; one left in the queue from before a change of them is not news to this reaction.
    if (!reaction.eventTypes.includes(source.type)) {
      report.skipped += 1;
      return;
    }
    if (source.carried) source.state = await this.stateOf(source.carried);
    const key = checkpointKey(reaction.name, source.service, source.aggregateId);
    const now = this.now().getTime();
    const claim = await checkpoints.claim(key, source.version, now, now + (this.options.claimLeaseMs ?? CLAIM_LEASE_MS));
    if (claim.status === "superseded") {
      report.superseded += 1;
      this.log.debug("source event superseded", { reaction: reaction.name, aggregateId: source.aggregateId, version: source.version });
      return;
    }
    if (claim.status === "waiting") {
      report.waiting += 1;
      report.batchItemFailures.push({ itemIdentifier: message.messageId });
      return;
    }
    let commands: readonly ReactionCommand<C>[];
    try {
      commands = commandsOf(reaction.react({ event: source.event, state: source.state, previousVersion: claim.previousVersion }));
      commands.forEach((command, index) => checkCommand(command, index));
    } catch (error) {
      // Nothing was acted on: give the version up so that later ones are not held back by it.
      await checkpoints.release(key, source.version);
      throw new PoisonMessageError(
        `reaction "${reaction.name}" failed on ${source.type} v${source.version} of "${source.aggregateId}": ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
    const origin = { service: source.service, aggregateId: source.aggregateId, version: source.version, type: source.type };
    const asked: ScheduledCommand[] = commands.map((command, index) => ({
      kind: "scheduled-command",
      reaction: reaction.name,
      aggregateId: command.aggregateId,
      command: command.command,
      idempotencyKey: reactionCommandKey(reaction.name, source, index),
      at: (command.at === undefined ? new Date(now) : new Date(command.at)).toISOString(),
      source: origin,
    }));
    for (const [index, command] of asked.entries()) {
      try {
        if (this.forLater(command)) await this.schedule(command, report);
        else await this.runCommand(command.aggregateId, command.command as C, command.idempotencyKey, origin, report);
      } catch (error) {
        const permanent = error instanceof PoisonMessageError;
        if (!permanent && !this.lastReceive(message)) throw error; // retried with the message: the claim holds, the keys answer what ran
        // Given up: the commands asked for stand (react is deterministic), so each that did not run is
        // dead-lettered alone and the version completed. A redrive runs them whatever versions came
        // after; the source message would be superseded by then, and its commands lost.
        throw givingUp(error, {
          remaining: asked.slice(index),
          of: asked.length,
          onceStored: async () => {
            await checkpoints.complete(key, source.version);
            report.acted += 1;
          },
        });
      }
    }
    await checkpoints.complete(key, source.version);
    report.acted += 1;
  }

  /** True on the message's last receive before its queue's redrive policy moves it to the dead-letter queue. */
  private lastReceive(message: ReactorMessage): boolean {
    const limit = this.options.maxReceiveCount;
    const count = Number(message.attributes?.ApproximateReceiveCount);
    return limit !== undefined && Number.isFinite(count) && count >= limit;
  }

  /**
   * Whether a command waits for a schedule: its time is further ahead than a schedule can be
   * created in (Scheduler refuses a time already past), else it runs now.
   */
  private forLater(command: ScheduledCommand): boolean {
    return Date.parse(command.at) > this.now().getTime() + SCHEDULE_LEAD_MS;
  }

  private async schedule(command: ScheduledCommand, report: ReactReport): Promise<void> {
    if (!this.options.scheduler)
      throw new PoisonMessageError(`reaction "${this.options.reaction.name}" asked for a command at ${command.at} but has no scheduler`);
    try {
      await this.options.scheduler.schedule(command);
    } catch (error) {
      if (this.options.isPermanent?.(error))
        throw new PoisonMessageError(
          `the schedule of a command of reaction "${this.options.reaction.name}" was refused: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      throw error;
    }
    report.scheduled += 1;
  }

  /**
   * Executes one command under its key. A refusal is the reacting domain's answer: recorded under the
   * key, counted and logged, never retried. A command that can never run (invalid, its key reused with
   * another command, a request the store refuses) is a PoisonMessageError. Anything else is retried
   * with the message.
   */
  private async runCommand(
    aggregateId: string,
    command: C,
    idempotencyKey: string,
    origin: ScheduledCommand["source"],
    report: ReactReport,
  ): Promise<void> {
    try {
      const result = await this.options.commands.execute(aggregateId, command, { idempotencyKey });
      report[result.repeated ? "repeated" : "applied"] += 1;
    } catch (error) {
      if (error instanceof CommandRejectedError) {
        report.rejected += 1;
        this.log.warn("reaction's command rejected", {
          reaction: this.options.reaction.name,
          aggregateId,
          reason: error.reason,
          detail: error.detail,
          source: origin,
        });
        return;
      }
      if ((error instanceof LedgerError && !error.retryable) || this.options.isPermanent?.(error))
        throw new PoisonMessageError(
          `the command of reaction "${this.options.reaction.name}" on "${aggregateId}" cannot run: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  /** The carried aggregate's state, in the shape the source domain reduces to now. */
  private async stateOf(carried: StateCarriedMessage): Promise<unknown> {
    const { source, name } = this.options.reaction;
    const aggregate = await resolveCarriedAggregate(carried, this.options.snapshots);
    const expected = "domain" in source ? source.domain.schemaVersion : carried.schemaVersion;
    if (carried.schemaVersion !== expected)
      throw new PoisonMessageError(
        `reaction "${name}" takes states of schema version ${expected}; the message carries version ${carried.schemaVersion}`,
      );
    return aggregate.state;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** A queue body as a source event of this reaction's source, or a scheduled command; PoisonMessageError otherwise. */
  private parse(body: string): Parsed {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PoisonMessageError("message body is not JSON");
    }
    const scheduled = scheduledCommandOf(parsed);
    if (scheduled) {
      if (scheduled.reaction !== this.options.reaction.name)
        throw new PoisonMessageError(
          `a scheduled command of reaction "${scheduled.reaction}" reached reaction "${this.options.reaction.name}"`,
        );
      return { kind: "scheduled", command: scheduled };
    }
    const { source } = this.options.reaction;
    if ("contract" in source) return { kind: "event", source: this.publishedSource(parsed, source.contract) };
    const carried = parseStateCarriedMessage(body);
    const { event } = carried;
    const own = { service: this.sourceService, aggregateId: event.aggregateId, version: event.version, type: event.type };
    return { kind: "event", source: { ...own, event, state: undefined, carried } };
  }

  private publishedSource(parsed: unknown, contract: Contract): SourceEvent {
    const detail = isPlainObject(parsed) && isPlainObject(parsed.detail) ? parsed.detail : parsed;
    const problems = publishedEventProblems(contract, detail);
    if (problems.length > 0) throw new PoisonMessageError(`not a published event of ${contractLabel(contract)}: ${problems.join("; ")}`);
    const { aggregateId, version, type } = detail as PublishedEvent;
    return { service: contract.service, aggregateId, version, type, event: detail, state: undefined };
  }
}

/** How long a claim holds a source aggregate when its holder never completes it: longer than any invocation's retries take. */
const CLAIM_LEASE_MS = 15 * 60_000;

/**
 * The least time ahead a command is scheduled for: one due sooner runs at once, as does one that
 * reaches the queue this early (a schedule runs at its time or after). CreateSchedule refuses a time
 * already past, which a time this close could be by the time the request arrives.
 */
const SCHEDULE_LEAD_MS = 5_000;

/**
 * A version given up on: why, the commands of it that did not run, each to be dead-lettered alone,
 * and what completes the version once their letters are stored.
 */
class GivenUp extends PoisonMessageError {
  constructor(
    message: string,
    readonly remaining?: readonly ScheduledCommand[],
    readonly onceStored?: () => Promise<void>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const givingUp = (error: unknown, rest?: { remaining: readonly ScheduledCommand[]; of: number; onceStored: () => Promise<void> }) =>
  new GivenUp(
    rest
      ? `${rest.remaining.length} of the reaction's ${rest.of} command(s) did not run, each dead-lettered alone: ${(error as Error)?.message ?? String(error)}`
      : `given up on the last receive: ${(error as Error)?.message ?? String(error)}`,
    rest?.remaining,
    rest?.onceStored,
    { cause: error },
  );

/** A reply's command, or a PoisonMessageError-worthy error naming what is wrong with it. */
function checkCommand(command: unknown, index: number): void {
  if (!isPlainObject(command)) throw new Error(`command ${index} is not { aggregateId, command }`);
  const problem = aggregateIdProblem(command.aggregateId);
  if (problem) throw new Error(`command ${index}: ${problem}`);
  if (!("command" in command)) throw new Error(`command ${index} has no command`);
  if (command.at !== undefined) {
    const at = new Date(command.at as string);
    if (Number.isNaN(at.getTime())) throw new Error(`command ${index}: at ${JSON.stringify(command.at)} is not a time`);
    // A date-time without a zone is local time: it would mean one instant in Lambda (UTC) and another on a laptop.
    if (typeof command.at === "string" && /T\d/.test(command.at) && !/(Z|[+-]\d\d:?\d\d)$/i.test(command.at.trim()))
      throw new Error(`command ${index}: at ${JSON.stringify(command.at)} names no time zone (end it with Z or an offset such as +01:00)`);
    // EventBridge Scheduler's at() takes a four-digit year.
    if (at.getUTCFullYear() > 9999) throw new Error(`command ${index}: at ${at.toISOString()} is past the year 9999`);
  }
}
