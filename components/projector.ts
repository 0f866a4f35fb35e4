import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV } from "../handlers/runtime/ledger/conventions";
import { projectorEventPattern } from "../handlers/runtime/messages/eventPatterns";
import { Projection } from "../handlers/runtime/projection/projection";
import { READ_MODEL_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { HandlerBundleSpec, bundleHandler } from "./bundle";
import { functionAlarms } from "./alarms";
import { EventLedger } from "./eventLedger";
import { HandlerFunction, RoleRef, handlerFunction } from "./handlerFunction";
import { PolicyStatement, kmsStatements } from "./policy";
import { Queues, queueWithDeadLetter } from "./queueWithDeadLetter";
import { BusInput, resolveBus, servicePattern } from "./busRef";
import { nameArgs } from "./stackNames";
import { BusSubscriberArgs, ruleToQueue } from "./ruleToQueue";
import { tableArgs } from "./tableArgs";
import { busReference, recordComponent } from "./registry";

/** Seconds a projector's function may run; its queue hides a message six times as long. */
const DEFAULT_TIMEOUT = 30;

/** A DynamoDB table given by name and ARN. */
export interface TableRef {
  /** The table's name. */
  readonly name: pulumi.Input<string>;
  /** The table's ARN. */
  readonly arn: pulumi.Input<string>;
  /** The table's customer-managed KMS key, if it has one: the function is granted its use. Default none (a key AWS owns or manages). */
  readonly kmsKeyArn?: pulumi.Input<string>;
}

export interface ProjectorArgs extends BusSubscriberArgs {
  /**
   * The bus to subscribe to: a ServiceBus of this program (this service's or another's), or the
   * attributes of one deployed elsewhere, `{ busName, busArn, serviceName }` as Inputs (another stack's
   * outputs through a StackReference; for another account, this account's bus its events are
   * forwarded to, with the producer's service name). The rule matches the service's events on it. Required.
   */
  readonly bus: BusInput;
  /** Path of the module exporting the projection; its name and event types shape the rule. Required. */
  readonly projectionModule: string;
  /** Export of `projectionModule` holding the projection. Default "default". */
  readonly projectionExport?: string;
  /**
   * The ledger of the service whose bus this is: aggregates its dispatcher sends by reference (claim
   * checks) are read from its snapshot table, with its KMS key. Default none: no claim checks are
   * resolved (a projector of another service's bus, whose ledger is not in this program; see
   * `claimCheckTable`). A ledger whose dispatcher in this program publishes to another service's
   * bus, or a bus another ledger's dispatcher publishes to, is refused when the program runs (a bus
   * of another stack whose service name is an Output is not checked).
   */
  readonly ledger?: EventLedger;
  /** Write to this table instead of creating one (it must have the read-model key schema). Default: a new table. */
  readonly readModelTable?: TableRef;
  /**
   * The snapshot table to resolve claim checks from when the bus's ledger is not in this program (a
   * projector of another service's bus, given that service's table and key). Only one of `ledger`
   * or `claimCheckTable` can be provided. Default: the `ledger`'s snapshot table, if a ledger is given.
   */
  readonly claimCheckTable?: TableRef;
  /** Deletion protection of a created read-model table. Default false (read models can be rebuilt by replay). */
  readonly deletionProtection?: pulumi.Input<boolean>;
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
  /** The role the function runs with: its own, or `role.existing`. */
  readonly role: RoleRef;
  /** The function's log group, unless `logGroup.existing` or `logGroup.skip` was given. */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The group the function logs to. */
  readonly logGroupName: pulumi.Output<string>;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  /** The read-model table it created, unless `readModelTable` was given. */
  readonly table?: aws.dynamodb.Table;
  readonly projectorName: string;
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;

  constructor(name: string, args: ProjectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:projection:Projector", name, {}, opts);
    const component = `Projector "${name}"`;
    resolveBus(args.bus, component);
    const bundle: HandlerBundleSpec = { kind: "projector", module: args.projectionModule, exportName: args.projectionExport ?? "default" };
    // The projection as its bundle loads it: its name and event types shape the rule.
    const projection = bundleHandler(bundle).definition as Projection<unknown>;
    this.projectorName = projection.name;
    const claimChecks = claimCheckTableOf(component, args);
    this.table = args.readModelTable ? undefined : readModelTable(name, args, this);
    const table: TableRef = args.readModelTable ?? { name: this.table!.name, arn: this.table!.arn };
    const alarms = args.alarms ?? {};
    const queues = queueWithDeadLetter(
      name,
      {
        component,
        queue: {
          // Six times the function's timeout, as Lambda advises for SQS sources.
          visibilityTimeoutSeconds: pulumi.output(args.function?.timeout ?? DEFAULT_TIMEOUT).apply((seconds) => seconds * 6),
          maxReceiveCount: args.maxReceiveCount,
          consumer: {
            batchSize: args.batchSize,
            batchingWindowSeconds: args.batchingWindowSeconds,
            maximumConcurrency: args.maximumConcurrency,
            create: (queues) => projectorFunction(name, { component, bundle, table, claimChecks, queues, asked: args }, this),
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
    this.rule = deliverToQueue(name, component, projection, { queue: this.queue, deadLetterQueue: this.deadLetterQueue }, args, this);
    this.alarms = [...functionAlarms(name, fn, alarms, { parent: this, tags: args.tags }), ...queues.alarms];
    this.tableName = pulumi.output(table.name);
    this.tableArn = pulumi.output(table.arn);
    this.queueUrl = this.queue.url;
    recordComponent({
      kind: "Projector",
      name,
      component: this,
      bus: busReference(args.bus),
      ledger: args.ledger,
      projection: { module: args.projectionModule, exportName: args.projectionExport ?? "default" },
    });
    this.registerOutputs({ projectorName: this.projectorName, tableName: this.tableName, queueUrl: this.queueUrl });
  }
}

/** Where claim checks are resolved: the ledger's snapshot table with its key, the table given, or nowhere. */
function claimCheckTableOf(component: string, args: ProjectorArgs): TableRef | undefined {
  if (args.ledger && args.claimCheckTable) {
    throw new Error(
      `${component}: only one of \`ledger\` or \`claimCheckTable\` can be provided (give \`ledger\` for this service's bus; \`claimCheckTable\` only for another service's bus, whose ledger is not in this program)`,
    );
  }
  if (args.ledger) return { name: args.ledger.snapshotTableName, arn: args.ledger.snapshotTableArn, kmsKeyArn: args.ledger.kmsKeyArn };
  return args.claimCheckTable;
}

/** The read-model table the projector creates when none is given: no PITR (a replay rebuilds it). */
function readModelTable(name: string, args: ProjectorArgs, parent: pulumi.Resource): aws.dynamodb.Table {
  return new aws.dynamodb.Table(
    `${name}-table`,
    {
      ...tableArgs(READ_MODEL_TABLE, { pointInTimeRecovery: false, deletionProtection: args.deletionProtection ?? false, tags: args.tags }),
      ...nameArgs("dynamodbTable", name, "table"),
    },
    { parent },
  );
}

/** The projector's function: it writes the read model, resolves claim checks and dead-letters what it cannot apply. */
function projectorFunction(
  name: string,
  parts: {
    readonly component: string;
    readonly bundle: HandlerBundleSpec;
    readonly table: TableRef;
    readonly claimChecks?: TableRef;
    readonly queues: Queues;
    readonly asked: ProjectorArgs;
  },
  parent: pulumi.Resource,
): HandlerFunction {
  const { table, claimChecks, queues, asked } = parts;
  return handlerFunction(
    name,
    {
      component: parts.component,
      bundle: parts.bundle,
      environment: {
        [ENV.readModelTable]: table.name,
        [ENV.deadLetterQueueUrl]: queues.deadLetterQueue.url,
        ...(claimChecks ? { [ENV.snapshotTable]: claimChecks.name } : {}),
      },
      statements: projectorStatements(queues, table, claimChecks),
      defaults: { memorySize: 256, timeout: DEFAULT_TIMEOUT },
      serviceName: asked.bus.serviceName,
      asked,
    },
    parent,
  );
}

/** What the projector's function (and the queue mapping, with its role) may do. */
function projectorStatements(queues: Queues, table: TableRef, claimChecks: TableRef | undefined): PolicyStatement[] {
  return [
    // What Lambda's SQS event source mapping needs with the function's role.
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [queues.queue.arn],
    },
    { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queues.deadLetterQueue.arn] },
    { Sid: "WriteReadModel", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [table.arn] },
    ...(claimChecks
      ? [{ Sid: "ResolveClaimChecks", Effect: "Allow" as const, Action: ["dynamodb:GetItem"], Resource: [claimChecks.arn] }]
      : []),
    ...kmsStatements(claimChecks?.kmsKeyArn, table.kmsKeyArn),
  ];
}

/** The rule for the projection's event types (and replays aimed at it) on the bus, delivering to the queue. */
function deliverToQueue(
  name: string,
  component: string,
  projection: Projection<unknown>,
  queues: Queues,
  args: ProjectorArgs,
  parent: pulumi.Resource,
): aws.cloudwatch.EventRule {
  const bus = resolveBus(args.bus, component);
  const eventPattern = servicePattern(
    args.bus.serviceName,
    (source) => projectorEventPattern(source, projection.eventTypes, projection.name),
    `${component}: the event pattern of projection "${projection.name}" (${projection.eventTypes.length} event types)`,
    args.eventPatternMaxCharacters,
  );
  return ruleToQueue(
    name,
    { component, busName: bus.busName, eventPattern, deliveryMaxAgeSeconds: args.deliveryMaxAgeSeconds, tags: args.tags },
    queues,
    parent,
  );
}
