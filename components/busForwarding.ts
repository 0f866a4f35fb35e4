import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Contract, publishedDetailType, requireContract } from "../handlers/runtime/contracts/contract";
import { detailTypeOf } from "../handlers/runtime/ledger/conventions";
import { AlarmsArgs } from "./alarms";
import { BusInput, resolveBus, servicePattern } from "./busRef";
import type { Tags } from "./handlerFunction";
import { policyDocument } from "./policy";
import { queueWithDeadLetter } from "./queueWithDeadLetter";
import { nameArgs } from "./stackNames";

export interface BusForwardingArgs {
  /** The producer's bus, in this account: a ServiceBus, or `{ busName, busArn, serviceName }`. Its service's events are forwarded. Required. */
  readonly sourceBus: BusInput;
  /** ARN of the bus events are forwarded to (the consumer's, in another account; its policy must let this account or `role` put events). Required. */
  readonly targetBusArn: pulumi.Input<string>;
  /** Contracts whose every public event type is forwarded (their detail-types). Give this, `eventTypes`, or both. Default none. */
  readonly contracts?: readonly Contract[];
  /**
   * Event types of the service's own state-carried messages to forward (their detail-type is the event
   * type). They carry the aggregate's internal state: prefer a contract between services. Default none.
   */
  readonly eventTypes?: readonly string[];
  /** ARN of the policy bounding the forwarding role (a permissions boundary your organisation may require). Default none. */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /** Seconds the dead-letter queue keeps an undeliverable event (60 to 1,209,600). Default 1,209,600 (14 days, the maximum). */
  readonly deadLetterRetentionSeconds?: pulumi.Input<number>;
  /** The alarm on events in the dead-letter queue. Default on, without actions. */
  readonly alarms?: AlarmsArgs;
  /** Tags on the rule, the role and the dead-letter queue. Default none. */
  readonly tags?: Tags;
}

/**
 * The producer's side of a subscription from another account: a rule on the producer's bus matching
 * its service's forwarded detail-types, whose target is the consumer's bus, put there with a role
 * EventBridge assumes that may only events:PutEvents on that bus; what EventBridge cannot deliver (the
 * consumer's policy refuses it, the bus is gone) goes to a dead-letter queue here, not nowhere. Events
 * arrive unchanged (source and detail-type kept), so the consumer's rules match them on its bus with
 * the producer's source. The consumer's side is its ServiceBus's `acceptEventsFrom`.
 */
export class BusForwarding extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  /** The role EventBridge puts the events on the target bus with (give its ARN to the consumer's `acceptEventsFrom.roleArns`). */
  readonly role: aws.iam.Role;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** The detail-types forwarded. */
  readonly detailTypes: string[];
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: BusForwardingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:bus:BusForwarding", name, {}, opts);
    const component = `BusForwarding "${name}"`;
    const source = resolveBus(args.sourceBus, component);
    if (!args.targetBusArn) throw new Error(`${component}: \`targetBusArn\` is required (the consumer's bus)`);
    this.detailTypes = forwardedDetailTypes(component, args);
    const tags = args.tags;
    const deadLetters = queueWithDeadLetter(
      name,
      { component, deadLetterRetentionSeconds: args.deadLetterRetentionSeconds, alarms: args.alarms ?? {}, tags },
      this,
    );
    this.deadLetterQueue = deadLetters.deadLetterQueue;
    this.alarms = deadLetters.alarms;
    const detailTypes = this.detailTypes;
    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        eventBusName: source.busName,
        eventPattern: servicePattern(
          args.sourceBus.serviceName,
          (service) => ({ source: [service], "detail-type": detailTypes }),
          `${component}: the event pattern of ${detailTypes.length} forwarded detail-types`,
        ),
        tags,
        ...nameArgs("eventRule", name, "rule"),
      },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        permissionsBoundary: args.permissionsBoundary,
        tags,
        ...nameArgs("iamRole", name, "role"),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: policyDocument([{ Sid: "PutOnTargetBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [args.targetBusArn] }]),
        ...nameArgs("iamRolePolicy", name, "policy"),
      },
      { parent: this },
    );
    const deadLetterPolicy = new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "UndeliverableFromThisRule",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: this.deadLetterQueue.arn,
              Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
            },
          ],
        }),
      },
      { parent: this },
    );
    // An event bus target takes no retry policy: EventBridge applies its own, then the dead-letter queue.
    this.target = new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        eventBusName: source.busName,
        arn: args.targetBusArn,
        roleArn: this.role.arn,
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
      // The rule forwards only once its role may put events and its dead-letter queue accepts what fails.
      { parent: this, dependsOn: [policy, deadLetterPolicy] },
    );
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn, deadLetterQueueUrl: this.deadLetterQueue.url, detailTypes: this.detailTypes });
  }
}

/** The detail-types a forwarding matches: every contract's public ones and the state-carried ones asked for, each once. */
function forwardedDetailTypes(component: string, args: BusForwardingArgs): string[] {
  const fromContracts = (args.contracts ?? []).flatMap((contract, index) => {
    requireContract(contract, `${component}: contracts[${index}]`);
    if (typeof args.sourceBus.serviceName === "string" && contract.service !== args.sourceBus.serviceName)
      throw new Error(
        `${component}: contract ${contract.name} v${contract.version} is service "${contract.service}"'s, but the source bus carries "${args.sourceBus.serviceName}"'s events`,
      );
    return Object.keys(contract.eventTypes).map((type) => publishedDetailType(contract, type));
  });
  const own = (args.eventTypes ?? []).map((type) => {
    if (typeof type !== "string" || type === "")
      throw new Error(`${component}: eventTypes holds ${JSON.stringify(type)}, not an event type`);
    return detailTypeOf(type);
  });
  const detailTypes = [...new Set([...fromContracts, ...own])];
  if (detailTypes.length === 0)
    throw new Error(
      `${component}: nothing to forward: give \`contracts\` (their public events) or \`eventTypes\` (state-carried messages)`,
    );
  return detailTypes;
}
