import { randomUUID } from "node:crypto";
import { BusEntry } from "../handlers/runtime/dispatch/batching";
import { Bus } from "../handlers/runtime/dispatch/publisher";
import { EventPattern } from "../handlers/runtime/messages/eventPatterns";
import { stringAttributes } from "../handlers/runtime/operations/deadLetterRedrive/messages";
import { matchesPattern, requireModelledPattern } from "./eventPatternMatch";
import { LOCAL_ACCOUNT, LocalQueue, MessageRefusedError } from "./localQueue";
import { Random } from "./random";

/** Why a delivery to a target failed, as EventBridge reports it in the DLQ's ERROR_CODE and ERROR_MESSAGE. */
export interface DeliveryFailure {
  code: string;
  message: string;
  /** EventBridge retries some errors; others (a missing permission or target, a refusal no retry can change) go to the DLQ at once. */
  retryable: boolean;
}

/** A rule's target: the queue, its dead-letter queue and retry policy (as the Projector component sets them). */
export interface TargetOptions {
  /** The rule's name, for its ARN. Default the queue's name with "-rule". */
  ruleName?: string;
  deadLetterQueue?: LocalQueue;
  /** Retries after the first attempt. Default 185, the component's (and EventBridge's) value. */
  maximumRetryAttempts?: number;
}

interface Rule {
  pattern: EventPattern;
  queue: LocalQueue;
  ruleArn: string;
  deadLetterQueue?: LocalQueue;
  maximumRetryAttempts: number;
}

export interface DeliveryStats {
  delivered: number;
  /** Attempts that failed and were tried again, per the target's retry policy. */
  retried: number;
  /** Events given up on and put on the target's DLQ. */
  deadLettered: number;
  /** Events given up on with no DLQ to put them on, or one that refused them: lost, as on AWS. */
  dropped: number;
}

/** The bus's name in the local stage's ARNs. */
const LOCAL_BUS = "local";

/**
 * An EventBridge stand-in: routes each entry, as the envelope EventBridge delivers, to every
 * queue whose rule matches. With `refuse`, it refuses that share of entries the way a throttled
 * PutEvents does (per entry), so the dispatcher's resend path runs. A delivery the target does not
 * accept (its size limit, or a fault injected with `deliveryFaults` or `failDelivery`) is retried
 * per the target's retry policy, at once (time is not modelled, so MaximumEventAgeInSeconds is
 * not either), then put on the target's DLQ as EventBridge does: the event as it is, with
 * RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and, when the retries ran out,
 * EXHAUSTED_RETRY_CONDITION as message attributes.
 */
export class InProcessBus implements Bus {
  private readonly rules: Rule[] = [];
  published = 0;
  refused = 0;
  readonly deliveries: DeliveryStats = { delivered: 0, retried: 0, deadLettered: 0, dropped: 0 };
  /** While true every PutEvents call fails, as in a regional EventBridge outage. */
  outage = false;
  /** A failure to inject into one delivery attempt (attempt 0 is the first), or undefined to let it through. */
  failDelivery?: (queue: LocalQueue, attempt: number) => DeliveryFailure | undefined;

  constructor(
    private readonly options: {
      refuse?: { random: Random; probability: number };
      /** Transient delivery failures (retried, so with the default policy they practically never reach a DLQ). */
      deliveryFaults?: { random: Random; probability: number };
    } = {},
  ) {}

  /** Puts a rule on the bus; a pattern with an operator the local matcher does not model is refused here (UnsupportedPatternError). */
  subscribe(pattern: EventPattern, queue: LocalQueue, target: TargetOptions = {}): void {
    requireModelledPattern(pattern);
    const ruleArn = `arn:aws:events:local:${LOCAL_ACCOUNT}:rule/${LOCAL_BUS}/${target.ruleName ?? `${queue.name}-rule`}`;
    this.rules.push({
      pattern,
      queue,
      ruleArn,
      deadLetterQueue: target.deadLetterQueue,
      maximumRetryAttempts: target.maximumRetryAttempts ?? 185,
    });
  }

  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    if (this.outage)
      throw Object.assign(new Error("EventBridge is unavailable (local outage)"), {
        name: "ServiceUnavailableException",
        $fault: "server",
      });
    return entries.map((entry) => {
      if (this.options.refuse?.random.chance(this.options.refuse.probability)) {
        this.refused += 1;
        return "ThrottlingException: rate exceeded (local chaos)";
      }
      const envelope = {
        version: "0",
        id: randomUUID(),
        "detail-type": entry.detailType,
        source: entry.source,
        account: LOCAL_ACCOUNT,
        time: new Date().toISOString(),
        region: "local",
        resources: [],
        detail: JSON.parse(entry.detail),
      };
      const body = JSON.stringify(envelope);
      for (const rule of this.rules) if (matchesPattern(rule.pattern, envelope)) this.deliver(rule, body);
      this.published += 1;
      return undefined;
    });
  }

  /** One event to one target: attempts per the retry policy, then the DLQ (or nowhere). */
  private deliver(rule: Rule, body: string): void {
    for (let attempt = 0; ; attempt += 1) {
      const failure = this.attempt(rule, body, attempt);
      if (!failure) {
        this.deliveries.delivered += 1;
        return;
      }
      const exhausted = attempt >= rule.maximumRetryAttempts;
      if (failure.retryable && !exhausted) {
        this.deliveries.retried += 1;
        continue;
      }
      if (!rule.deadLetterQueue) {
        this.deliveries.dropped += 1;
        return;
      }
      this.putOnDeadLetterQueue(rule, body, failure, attempt);
      return;
    }
  }

  /** EventBridge's dead letter: the event as it is, why and where as attributes. One the DLQ refuses is lost, as on AWS. */
  private putOnDeadLetterQueue(rule: Rule, body: string, failure: DeliveryFailure, retries: number): void {
    try {
      rule.deadLetterQueue!.send(
        body,
        stringAttributes({
          RULE_ARN: rule.ruleArn,
          TARGET_ARN: rule.queue.arn,
          ERROR_CODE: failure.code,
          ERROR_MESSAGE: failure.message,
          RETRY_ATTEMPTS: String(retries),
          ...(failure.retryable ? { EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts" } : {}),
        }),
      );
      this.deliveries.deadLettered += 1;
    } catch (error) {
      if (!(error instanceof MessageRefusedError)) throw error;
      this.deliveries.dropped += 1;
    }
  }

  private attempt(rule: Rule, body: string, attempt: number): DeliveryFailure | undefined {
    const injected = this.failDelivery?.(rule.queue, attempt);
    if (injected) return injected;
    const faults = this.options.deliveryFaults;
    if (faults?.random.chance(faults.probability))
      return { code: "THROTTLING", message: "target throttled (local chaos)", retryable: true };
    try {
      rule.queue.send(body);
      return undefined;
    } catch (error) {
      // The queue refuses a message over its size: no retry can change that.
      if (error instanceof MessageRefusedError)
        return { code: "SDK_CLIENT_ERROR", message: `${error.name}: ${error.message}`, retryable: false };
      throw error;
    }
  }
}
