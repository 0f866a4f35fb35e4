import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV, SQS_MAX_MESSAGE_BYTES } from "../handlers/runtime/ledger/conventions";
import { projectorEventPattern } from "../handlers/runtime/messages/eventPatterns";
import { Projection } from "../handlers/runtime/projection/projection";
import { READ_MODEL_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { bundleHandler } from "./bundle";
import { AlarmsArgs, deadLetterAlarm, functionAlarms, queueAgeAlarm } from "./alarms";
import { EVENT_PATTERN_MAX_CHARACTERS, checkEventPattern } from "./eventPatternSize";
import { FunctionArgs, RoleRef, handlerFunction } from "./handlerFunction";
import { PolicyStatement, kmsStatements } from "./policy";
import { ServiceBus } from "./serviceBus";
import { nameArgs } from "./stackNames";
import { tableArgs } from "./tableArgs";

/** Seconds a projector's function may run; its queue hides a message six times as long. */
const DEFAULT_TIMEOUT = 30;

/** A DynamoDB table given by name and ARN. */
export interface TableRef {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

export interface ProjectorArgs extends FunctionArgs {
  /** The bus to subscribe to: this service's or another's. */
  bus: ServiceBus;
  /** Path of the module exporting the projection; its name and event types shape the rule. */
  projectionModule: string;
  /** Export of `projectionModule` holding the projection. Default "default". */
  projectionExport?: string;
  /** Write to this table instead of creating one (it must have the read-model key schema). Default: a new table. */
  readModelTable?: TableRef;
  /** Snapshot table to resolve aggregates sent by reference (the ledger's, in the same service). Default none. */
  claimCheckTable?: TableRef;
  /** Customer-managed KMS key of the claim-check table or of a given read-model table: the function is granted its use. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Deliveries of a message before SQS moves it to the DLQ. Default 5. */
  maxReceiveCount?: pulumi.Input<number>;
  /** Messages per invocation. Default 10. */
  batchSize?: pulumi.Input<number>;
  /** Concurrent invocations at most (2 to 1000). Default 5. */
  maximumConcurrency?: pulumi.Input<number>;
  /** Deletion protection of a created read-model table. Default false (read models can be rebuilt by replay). */
  deletionProtection?: pulumi.Input<boolean>;
  /** How long EventBridge keeps trying to deliver an event to the queue before its DLQ, in seconds. Default 86400 (the maximum). */
  deliveryMaxAgeSeconds?: pulumi.Input<number>;
  /** Alarms on errors, throttles, queue age and dead letters. Default on, without actions. */
  alarms?: AlarmsArgs;
  /**
   * Characters the rule's event pattern may have: a longer one (many event types) is refused when the
   * program runs. Default 2048, EventBridge's default quota; give the raised quota if yours was raised.
   */
  eventPatternMaxCharacters?: number;
}

/**
 * One read model: its own SQS queue and DLQ, an EventBridge rule for the event types it
 * needs, and a Lambda that writes rows only when the carried version is newer.
 */
export class Projector extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rule: aws.cloudwatch.EventRule;
  readonly function: aws.lambda.Function;
  readonly role: RoleRef;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly table?: aws.dynamodb.Table;
  readonly projectorName: string;
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;

  constructor(name: string, args: ProjectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:projection:Projector", name, {}, opts);
    const exportName = args.projectionExport ?? "default";
    // The projection as its bundle loads it: its name and event types shape the rule.
    const projection = bundleHandler({ kind: "projector", module: args.projectionModule, exportName }).definition as Projection<unknown>;
    this.projectorName = projection.name;

    // Both at SQS's largest message size: whatever PutEvents accepts, envelope included, is deliverable.
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: 1_209_600, maxMessageSize: SQS_MAX_MESSAGE_BYTES, sqsManagedSseEnabled: true, tags: args.tags, ...nameArgs("sqsQueue", name, "dlq") },
      { parent: this },
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        // Six times the function's timeout, as Lambda advises for SQS sources.
        visibilityTimeoutSeconds: pulumi.output(args.timeout ?? DEFAULT_TIMEOUT).apply((seconds) => seconds * 6),
        tags: args.tags,
        maxMessageSize: SQS_MAX_MESSAGE_BYTES,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: args.maxReceiveCount ?? 5 }),
        ...nameArgs("sqsQueue", name, "queue"),
      },
      { parent: this },
    );
    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        eventBusName: args.bus.busName,
        eventPattern: checkEventPattern(
          projectorEventPattern(args.bus.serviceName, projection.eventTypes, projection.name),
          `Projector "${name}": the event pattern of projection "${projection.name}" (${projection.eventTypes.length} event types)`,
          args.eventPatternMaxCharacters ?? EVENT_PATTERN_MAX_CHARACTERS,
        ),
        tags: args.tags,
        ...nameArgs("eventRule", name, "rule"),
      },
      { parent: this },
    );
    const onlyThisRule = (queue: aws.sqs.Queue, sid: string) =>
      pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: sid,
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queue.arn,
            Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
          },
        ],
      });
    const queuePolicy = new aws.sqs.QueuePolicy(`${name}-queue-policy`, { queueUrl: this.queue.url, policy: onlyThisRule(this.queue, "OnlyThisRule") }, { parent: this });
    // What EventBridge cannot deliver (after its retries, or at once when denied) lands here, not nowhere.
    const deadLetterPolicy = new aws.sqs.QueuePolicy(`${name}-dlq-policy`, { queueUrl: this.deadLetterQueue.url, policy: onlyThisRule(this.deadLetterQueue, "UndeliverableFromThisRule") }, { parent: this });
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        eventBusName: args.bus.busName,
        arn: this.queue.arn,
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
        retryPolicy: { maximumEventAgeInSeconds: args.deliveryMaxAgeSeconds ?? 86_400, maximumRetryAttempts: 185 },
      },
      // The rule delivers only once the queues accept it: no event is refused while a new projector is created.
      { parent: this, dependsOn: [queuePolicy, deadLetterPolicy] },
    );

    if (!args.readModelTable) {
      this.table = new aws.dynamodb.Table(
        `${name}-table`,
        { ...tableArgs(READ_MODEL_TABLE, { pointInTimeRecovery: false, deletionProtection: args.deletionProtection ?? false, tags: args.tags }), ...nameArgs("dynamodbTable", name, "table") },
        { parent: this },
      );
    }
    const table: TableRef = args.readModelTable ?? { name: this.table!.name, arn: this.table!.arn };
    const statements: PolicyStatement[] = [
      // What Lambda's SQS event source mapping needs with the function's role.
      { Sid: "ConsumeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: [this.queue.arn] },
      { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [this.deadLetterQueue.arn] },
      { Sid: "WriteReadModel", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [table.arn] },
    ];
    if (args.claimCheckTable) {
      statements.push({ Sid: "ResolveClaimChecks", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [args.claimCheckTable.arn] });
    }
    statements.push(...kmsStatements(args.kmsKeyArn));
    const { fn, role, logGroup } = handlerFunction(
      name,
      {
        bundle: { kind: "projector", module: args.projectionModule, exportName },
        environment: {
          [ENV.readModelTable]: table.name,
          [ENV.deadLetterQueueUrl]: this.deadLetterQueue.url,
          ...(args.claimCheckTable ? { [ENV.snapshotTable]: args.claimCheckTable.name } : {}),
        },
        statements,
        defaults: { memorySize: 256, timeout: DEFAULT_TIMEOUT },
        serviceName: args.bus.serviceName,
        function: args,
      },
      this,
    );
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    new aws.lambda.EventSourceMapping(
      `${name}-source`,
      {
        eventSourceArn: this.queue.arn,
        functionName: fn.arn,
        batchSize: args.batchSize ?? 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: args.maximumConcurrency ?? 5 },
        tags: args.tags,
      },
      { parent: this },
    );
    const alarms = args.alarms ?? {};
    const owner = { parent: this, tags: args.tags };
    this.alarms = [...functionAlarms(name, fn, alarms, owner), ...queueAgeAlarm(name, this.queue, alarms, owner), ...deadLetterAlarm(name, this.deadLetterQueue, alarms, owner)];
    this.tableName = pulumi.output(table.name);
    this.tableArn = pulumi.output(table.arn);
    this.queueUrl = this.queue.url;
    this.registerOutputs({ projectorName: this.projectorName, tableName: this.tableName, queueUrl: this.queueUrl });
  }
}
