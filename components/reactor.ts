import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV, START_POLICIES, StartPolicy } from "../handlers/runtime/ledger/conventions";
import { Reaction, reactionEventPattern, sourceServiceOf } from "../handlers/runtime/reaction/reaction";
import { functionAlarms } from "./alarms";
import { HandlerBundleSpec, bundleHandler } from "./bundle";
import { BusInput, resolveBus } from "./busRef";
import { EVENT_PATTERN_MAX_CHARACTERS, checkEventPattern } from "./eventPatternSize";
import { EventLedger } from "./eventLedger";
import { HandlerFunction, RoleRef, handlerFunction } from "./handlerFunction";
import { PolicyStatement, kmsStatements, policyDocument } from "./policy";
import { Queues, queueWithDeadLetter } from "./queueWithDeadLetter";
import { BusSubscriberArgs, ruleToQueue } from "./ruleToQueue";
import { settingVariable } from "./settings";
import { nameArgs } from "./stackNames";
import { busReference, claimReactionName, recordComponent } from "./registry";

/** Seconds a reactor's function may run; its queue hides a message six times as long. */
const DEFAULT_TIMEOUT = 30;

export interface ReactorArgs extends BusSubscriberArgs {
  /**
   * The bus the reaction's events are on: for a reaction to another service's contract, that service's
   * bus (a ServiceBus of this program, or `{ busName, busArn, serviceName }` from its stack's outputs),
   * or this account's bus its events are forwarded to (see BusForwarding); for a reaction to this
   * service's own events, its own bus. The rule matches the reaction's source service and event types
   * there. Required.
   */
  readonly bus: BusInput;
  /**
   * The reacting service's ledger: the commands are appended there, their keys and the reaction's
   * checkpoints kept in its idempotency table. A ledger the program's other components use with
   * another domain than the reaction's target is refused when the program runs. Required.
   */
  readonly ledger: EventLedger;
  /** Path of the module exporting the reaction (`reactionsOf(domain).define(...)`); its source and event types shape the rule. Required. */
  readonly reactionModule: string;
  /** Export of `reactionModule` holding the reaction. Default "default". */
  readonly reactionExport?: string;
  /**
   * Commands the reaction asks for later (`at`) as EventBridge Scheduler one-time schedules: a schedule
   * group of the reactor's own, a role Scheduler sends to the queue with, and the DLQ for what it cannot
   * deliver. Default true; false creates none (a reply asking for later is then dead-lettered).
   */
  readonly schedules?: boolean;
  /**
   * How the reaction's commands start (see StartPolicy): "memory-first" decides at once on the
   * aggregate the function remembers when the ledger proved it within the last second, else reads
   * first; "read-first" always reads the ledger after the remembered aggregate (or its snapshot)
   * before deciding; "decide-first" decides on the remembered aggregate however old, its write
   * checking a version not proven within the second. Default "memory-first".
   */
  readonly start?: StartPolicy;
  /** The reacting service's name in logs and metrics. Default: the name of the domain the reaction's commands go to. */
  readonly serviceName?: pulumi.Input<string>;
}

/**
 * A reaction of this service to events (another service's published ones, or its own): an
 * EventBridge rule for its event types, its own SQS queue and DLQ, a Lambda that runs each event's
 * commands on this service's ledger once (idempotency keys from the source event, a checkpoint per
 * source aggregate), and a schedule group for the commands it asks for later.
 */
export class Reactor extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rule: aws.cloudwatch.EventRule;
  readonly function: aws.lambda.Function;
  /** The role the function runs with: its own, or `role.existing`. */
  readonly role: RoleRef;
  /** The function's log group, unless `logGroup.existing` or `logGroup.skip` was given. */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The group the function logs to. */
  readonly logGroupName: pulumi.Output<string>;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** The schedule group of the commands asked for later, unless `schedules` is false. */
  readonly scheduleGroup?: aws.scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler sends due commands to the queue with, unless `schedules` is false. */
  readonly schedulerRole?: aws.iam.Role;
  /** The reaction's name (part of every command's idempotency key). */
  readonly reactionName: string;
  /** The service whose events it reacts to. */
  readonly sourceService: string;
  readonly queueUrl: pulumi.Output<string>;

  constructor(name: string, args: ReactorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:reaction:Reactor", name, {}, opts);
    const component = `Reactor "${name}"`;
    if (!args.ledger) throw new Error(`${component}: \`ledger\` is required (the reacting service's EventLedger)`);
    if (!args.reactionModule) throw new Error(`${component}: \`reactionModule\` is required (the module exporting the reaction)`);
    const bus = resolveBus(args.bus, component);
    const bundle: HandlerBundleSpec = { kind: "reactor", module: args.reactionModule, exportName: args.reactionExport ?? "default" };
    // The reaction as its bundle loads it (checked there): its source and event types shape the rule.
    const reaction = bundleHandler(bundle).definition as Reaction;
    this.reactionName = reaction.name;
    claimReactionName(reaction.name, args.ledger, name);
    this.sourceService = sourceServiceOf(reaction);
    const alarms = args.alarms ?? {};
    const timeout = args.function?.timeout ?? DEFAULT_TIMEOUT;
    let schedules: Schedules | undefined;
    const queues = queueWithDeadLetter(
      name,
      {
        component,
        queue: {
          // Six times the function's timeout, as Lambda advises for SQS sources.
          visibilityTimeoutSeconds: pulumi.output(timeout).apply((seconds) => seconds * 6),
          maxReceiveCount: args.maxReceiveCount,
          consumer: {
            batchSize: args.batchSize,
            batchingWindowSeconds: args.batchingWindowSeconds,
            maximumConcurrency: args.maximumConcurrency,
            create: (created) => {
              schedules = args.schedules === false ? undefined : scheduleParts(name, created, args, this);
              const serviceName = args.serviceName ?? reaction.target.name;
              return reactorFunction(name, { component, bundle, queues: created, schedules, args, serviceName }, this);
            },
          },
        },
        alarms,
        tags: args.tags,
      },
      this,
    );
    this.queue = queues.queue!;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.eventSourceMapping = queues.eventSourceMapping!;
    const { fn, role, logGroup, logGroupName } = queues.consumer!;
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.logGroupName = logGroupName;
    this.scheduleGroup = schedules?.group;
    this.schedulerRole = schedules?.role;
    this.rule = ruleToQueue(
      name,
      {
        component,
        busName: bus.busName,
        eventPattern: checkEventPattern(
          reactionEventPattern(reaction),
          `${component}: the event pattern of reaction "${reaction.name}" (${reaction.eventTypes.length} event types)`,
          args.eventPatternMaxCharacters ?? EVENT_PATTERN_MAX_CHARACTERS,
        ),
        deliveryMaxAgeSeconds: args.deliveryMaxAgeSeconds,
        tags: args.tags,
      },
      { queue: this.queue, deadLetterQueue: this.deadLetterQueue },
      this,
    );
    this.alarms = [...functionAlarms(name, fn, alarms, { parent: this, tags: args.tags }), ...queues.alarms];
    this.queueUrl = this.queue.url;
    recordComponent({
      kind: "Reactor",
      name,
      bus: busReference(args.bus),
      ledger: args.ledger,
      reaction: { module: args.reactionModule, exportName: args.reactionExport ?? "default" },
      reactionName: reaction.name,
      domainName: reaction.target.name,
    });
    this.registerOutputs({ reactionName: this.reactionName, sourceService: this.sourceService, queueUrl: this.queueUrl });
  }
}

/** The schedule group and the role EventBridge Scheduler delivers due commands with. */
interface Schedules {
  readonly group: aws.scheduler.ScheduleGroup;
  readonly role: aws.iam.Role;
}

/**
 * A schedule group of the reactor's own (its schedules, and the function's right to create them,
 * apart from any other's) and the role Scheduler assumes, only from this account, to send a due
 * command to the queue, or to the DLQ when it cannot deliver it.
 */
function scheduleParts(name: string, queues: Queues, args: ReactorArgs, parent: pulumi.Resource): Schedules {
  const group = new aws.scheduler.ScheduleGroup(
    `${name}-schedules`,
    { tags: args.tags, ...nameArgs("scheduleGroup", name, "schedules") },
    { parent },
  );
  // The queue's ARN names the partition, region and account the reactor is deployed in: no lookup needed.
  const groupArn = pulumi.all([queues.queue.arn, group.name]).apply(([arn, groupName]) => {
    const [, partition, , region, account] = arn.split(":");
    return `arn:${partition}:scheduler:${region}:${account}:schedule-group/${groupName}`;
  });
  const account = queues.queue.arn.apply((arn) => arn.split(":")[4]);
  const role = new aws.iam.Role(
    `${name}-scheduler-role`,
    {
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "scheduler.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only this reactor's schedules assume it (the confused-deputy guard Scheduler documents).
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": groupArn } },
          },
        ],
      }),
      tags: args.tags,
      ...nameArgs("iamRole", name, "scheduler-role"),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-scheduler-policy`,
    {
      role: role.name,
      policy: policyDocument([
        {
          Sid: "SendDueCommands",
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: [queues.queue.arn, queues.deadLetterQueue.arn],
        },
      ]),
      ...nameArgs("iamRolePolicy", name, "scheduler-policy"),
    },
    { parent },
  );
  return { group, role };
}

/** The reactor's function: it runs the reaction's commands, keeps its checkpoints and schedules commands for later. */
function reactorFunction(
  name: string,
  parts: {
    readonly component: string;
    readonly bundle: HandlerBundleSpec;
    readonly queues: Queues;
    readonly schedules?: Schedules;
    readonly args: ReactorArgs;
    readonly serviceName: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): HandlerFunction {
  const { queues, schedules, args } = parts;
  const { ledger } = args;
  return handlerFunction(
    name,
    {
      component: parts.component,
      bundle: parts.bundle,
      environment: {
        [ENV.ledgerTable]: ledger.tableName,
        [ENV.idempotencyTable]: ledger.idempotencyTableName,
        [ENV.snapshotTable]: ledger.snapshotTableName,
        [ENV.deadLetterQueueUrl]: queues.deadLetterQueue.url,
        // The redrive policy's count: on the last receive a failing version is given up on, never left holding the aggregate.
        [ENV.maxReceiveCount]: pulumi.output(args.maxReceiveCount ?? 5).apply(String),
        // A claim outlives its holder's retry (its message comes back one visibility timeout, six
        // function timeouts, later, and runs up to one more) and a dead holder's ends long before a
        // version waiting behind it runs out of receives (one per visibility timeout).
        [ENV.claimLeaseMs]: pulumi.output(args.function?.timeout ?? DEFAULT_TIMEOUT).apply((seconds) => String(seconds * 7 * 1000)),
        ...(args.start
          ? { [ENV.startPolicy]: settingVariable(parts.component, "start", args.start, { kind: "choice", choices: START_POLICIES }) }
          : {}),
        ...(schedules
          ? {
              [ENV.scheduleGroup]: schedules.group.name,
              [ENV.reactorQueueArn]: queues.queue.arn,
              [ENV.schedulerRoleArn]: schedules.role.arn,
              [ENV.deadLetterQueueArn]: queues.deadLetterQueue.arn,
            }
          : {}),
      },
      statements: reactorStatements(queues, ledger, schedules, args.start),
      defaults: { memorySize: 256, timeout: DEFAULT_TIMEOUT },
      serviceName: parts.serviceName,
      asked: args,
    },
    parent,
  );
}

/** What the reactor's function (and the queue mapping, with its role) may do. */
function reactorStatements(queues: Queues, ledger: EventLedger, schedules: Schedules | undefined, start?: StartPolicy): PolicyStatement[] {
  return [
    // What Lambda's SQS event source mapping needs with the function's role.
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [queues.queue.arn],
    },
    { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queues.deadLetterQueue.arn] },
    // The command side: loads and catch-ups query the ledger, a commit puts its events (in a transaction with its key).
    // A decide-first write checks in its transaction that the version it decided on exists.
    {
      Sid: "Ledger",
      Effect: "Allow",
      Action: ["dynamodb:Query", "dynamodb:PutItem", ...(start === "decide-first" ? ["dynamodb:ConditionCheckItem"] : [])],
      Resource: [ledger.tableArn],
    },
    // Every command's idempotency record (read by a command refused before its write, to answer a
    // repeat with the first outcome), and the reaction's checkpoints (conditional updates).
    {
      Sid: "KeysAndCheckpoints",
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: [ledger.idempotencyTableArn],
    },
    // Loads start from snapshots; claim checks of this service's own events are read by key.
    { Sid: "Snapshots", Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:GetItem"], Resource: [ledger.snapshotTableArn] },
    ...(schedules
      ? [
          {
            Sid: "ScheduleCommands",
            Effect: "Allow" as const,
            Action: ["scheduler:CreateSchedule"],
            Resource: [
              pulumi.all([queues.queue.arn, schedules.group.name]).apply(([arn, group]) => {
                const [, partition, , region, account] = arn.split(":");
                return `arn:${partition}:scheduler:${region}:${account}:schedule/${group}/*`;
              }),
            ],
          },
          {
            Sid: "PassSchedulerRole",
            Effect: "Allow" as const,
            Action: ["iam:PassRole"],
            Resource: [schedules.role.arn],
            Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
          },
        ]
      : []),
    ...kmsStatements(ledger.kmsKeyArn),
  ];
}
