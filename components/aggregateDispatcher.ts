import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV } from "../handlers/runtime/ledger/conventions";
import { contractLabel } from "../handlers/runtime/contracts/contract";
import type { Publication } from "../handlers/runtime/contracts/publication";
import { AlarmsArgs, functionAlarms, iteratorAgeAlarm } from "./alarms";
import { HandlerBundleSpec, bundleHandler, definitionName } from "./bundle";
import { EventLedger } from "./eventLedger";
import { FunctionComponentArgs, RoleRef, Tags, handlerFunction } from "./handlerFunction";
import { kmsStatements } from "./policy";
import { queueWithDeadLetter } from "./queueWithDeadLetter";
import { LIMITS, checkedNumber, settingVariable } from "./settings";
import { ServiceBus } from "./serviceBus";
import { nameArgs } from "./stackNames";
import { recordComponent } from "./registry";

export interface AggregateDispatcherArgs extends FunctionComponentArgs {
  /**
   * The ledger whose stream is dispatched. A ledger the program's other components use with another
   * domain is refused when the program runs. Required.
   */
  readonly ledger: EventLedger;
  /** The bus the state-carried events are published to. Required. */
  readonly bus: ServiceBus;
  /** Path of the module exporting the domain (its reducer), bundled into the function. Required. */
  readonly domainModule: string;
  /** Export of `domainModule` holding the domain. Default "default". */
  readonly domainExport?: string;
  /**
   * Path of the module exporting what the service publishes for others: publications of the domain's
   * events under contracts (`definePublication`), bundled with the function. Every event is then
   * published beside its state-carried message as each contract's public event, its payload checked
   * against the contract's schema. Checked when the program runs: each must map this domain's events,
   * under a contract of this bus's service. Default none: state-carried messages only.
   */
  readonly publicationModule?: string;
  /** Export of `publicationModule` holding one publication or a list of them. Default "default". */
  readonly publicationExport?: string;
  /**
   * Batches of one stream shard processed at once (1 to 10). Records of one aggregate (one partition
   * key) stay in one batch at a time, in order, so the dispatcher's guarantees hold at any factor; raise
   * it when a shard's records arrive faster than one invocation at a time folds them (docs/scale.md).
   * Default 1.
   */
  readonly parallelizationFactor?: pulumi.Input<number>;
  /** Stream records per invocation (1 to 10,000). Default 100. */
  readonly batchSize?: pulumi.Input<number>;
  /** Seconds to gather a batch (0 to 300). Default 1. */
  readonly batchingWindowSeconds?: pulumi.Input<number>;
  /** Retries of a failing batch before the rest of it goes to the failed-batches bucket (-1 to 10,000; -1 retries until the record expires). Default 10. */
  readonly maximumRetryAttempts?: pulumi.Input<number>;
  /**
   * Records older than this, in seconds, are given up on (written to the failed-batches bucket):
   * -1, or 60 to 604,800. Default -1: never before the stream's own 24-hour retention, so an outage
   * of up to a day loses nothing.
   */
  readonly maximumRecordAgeSeconds?: pulumi.Input<number>;
  /** Days a failed batch is kept in its bucket for recovery. Default 90. */
  readonly failedBatchRetentionDays?: pulumi.Input<number>;
  /** Take a snapshot every this many versions (0: never). Default 100. */
  readonly snapshotEvery?: pulumi.Input<number>;
  /** Where a new mapping starts reading. Default "TRIM_HORIZON" (nothing in the stream is skipped). */
  readonly startingPosition?: pulumi.Input<"TRIM_HORIZON" | "LATEST">;
  /** DLQ message retention in seconds (60 to 1,209,600). Default 1,209,600 (14 days, the maximum). */
  readonly deadLetterRetentionSeconds?: pulumi.Input<number>;
  /** Alarms on errors, throttles, iterator age and dead letters. Default on, without actions. */
  readonly alarms?: AlarmsArgs;
}

/**
 * The Lambda on the ledger's stream: folds each aggregate once per batch and publishes
 * `{ event, aggregate }` to the service bus. INSERTs only, partial batch responses, bisect on
 * error, bounded retries; a batch given up on goes, records included, to an S3 bucket from which
 * `recoverFailedBatches` replays its aggregates. Poison records go to its DLQ with their reason.
 */
export class AggregateDispatcher extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  /** The role the function runs with: its own, or `role.existing`. */
  readonly role: RoleRef;
  /** The function's log group, unless `logGroup.existing` or `logGroup.skip` was given. */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The group the function logs to. */
  readonly logGroupName: pulumi.Output<string>;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly failedBatches: aws.s3.Bucket;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly functionName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly failedBatchBucket: pulumi.Output<string>;

  constructor(name: string, args: AggregateDispatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:dispatch:AggregateDispatcher", name, {}, opts);
    const { ledger, bus } = args;
    const component = `AggregateDispatcher "${name}"`;
    const alarms = args.alarms ?? {};
    const bundle = dispatcherBundle(component, args);
    const deadLetters = queueWithDeadLetter(
      name,
      { component, deadLetterRetentionSeconds: args.deadLetterRetentionSeconds, alarms, tags: args.tags },
      this,
    );
    this.deadLetterQueue = deadLetters.deadLetterQueue;
    this.failedBatches = failedBatchBucket(name, args.failedBatchRetentionDays ?? 90, args.tags, this);
    const { fn, role, policy, logGroup, logGroupName } = handlerFunction(
      name,
      {
        component,
        bundle,
        environment: {
          [ENV.ledgerTable]: ledger.tableName,
          [ENV.snapshotTable]: ledger.snapshotTableName,
          [ENV.eventBusName]: bus.busName,
          [ENV.serviceName]: bus.serviceName,
          [ENV.deadLetterQueueUrl]: this.deadLetterQueue.url,
          [ENV.snapshotEvery]: settingVariable(component, "snapshotEvery", args.snapshotEvery ?? 100, { kind: "integer", min: 0 }),
        },
        statements: [
          {
            Sid: "ReadStream",
            Effect: "Allow",
            Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
            Resource: [ledger.streamArn],
          },
          { Sid: "ReadLedger", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [ledger.tableArn] },
          // BatchGetItem: one prefetch of every aggregate's expected snapshot per batch; Query: the latest
          // one when that is missing; PutItem: snapshots and claim checks.
          {
            Sid: "ReadWriteSnapshots",
            Effect: "Allow",
            Action: ["dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem"],
            Resource: [ledger.snapshotTableArn],
          },
          { Sid: "PublishToBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.busArn] },
          { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [this.deadLetterQueue.arn] },
          // The mapping writes a batch it gave up on with the function's role.
          { Sid: "FailedBatches", Effect: "Allow", Action: ["s3:PutObject"], Resource: [pulumi.interpolate`${this.failedBatches.arn}/*`] },
          { Sid: "FailedBatchesBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [this.failedBatches.arn] },
          ...kmsStatements(ledger.kmsKeyArn),
        ],
        defaults: { memorySize: 512, timeout: 60 },
        serviceName: bus.serviceName,
        asked: args,
      },
      this,
    );
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.logGroupName = logGroupName;
    this.eventSourceMapping = new aws.lambda.EventSourceMapping(
      `${name}-stream`,
      {
        eventSourceArn: ledger.streamArn,
        functionName: fn.arn,
        startingPosition: args.startingPosition ?? "TRIM_HORIZON",
        batchSize: checkedNumber(component, "batchSize", args.batchSize ?? 100, LIMITS.streamBatchSize),
        parallelizationFactor: checkedNumber(
          component,
          "parallelizationFactor",
          args.parallelizationFactor ?? 1,
          LIMITS.parallelizationFactor,
        ),
        maximumBatchingWindowInSeconds: checkedNumber(
          component,
          "batchingWindowSeconds",
          args.batchingWindowSeconds ?? 1,
          LIMITS.batchingWindowSeconds,
        ),
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ["INSERT"] }) }] },
        functionResponseTypes: ["ReportBatchItemFailures"],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: checkedNumber(
          component,
          "maximumRetryAttempts",
          args.maximumRetryAttempts ?? 10,
          LIMITS.maximumRetryAttempts,
        ),
        maximumRecordAgeInSeconds: checkedNumber(
          component,
          "maximumRecordAgeSeconds",
          args.maximumRecordAgeSeconds ?? -1,
          LIMITS.maximumRecordAgeSeconds,
        ),
        destinationConfig: { onFailure: { destinationArn: this.failedBatches.arn } },
        tags: args.tags,
      },
      // Lambda reads the stream with the function's role: its statements first.
      { parent: this, dependsOn: [policy] },
    );
    const owner = { parent: this, tags: args.tags };
    this.alarms = [...functionAlarms(name, fn, alarms, owner), ...iteratorAgeAlarm(name, fn, alarms, owner), ...deadLetters.alarms];
    this.functionName = fn.name;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.failedBatchBucket = this.failedBatches.bucket;
    recordComponent({
      kind: "AggregateDispatcher",
      name,
      ledger: args.ledger,
      bus: args.bus,
      domain: { module: args.domainModule, exportName: args.domainExport ?? "default" },
      domainName: definitionName(bundle),
      ...(args.publicationModule
        ? { publications: { module: args.publicationModule, exportName: args.publicationExport ?? "default" } }
        : {}),
    });
    this.registerOutputs({
      functionName: this.functionName,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      failedBatchBucket: this.failedBatchBucket,
    });
  }
}

/**
 * The function's bundle: the domain, and the publications when a module is given, loaded when the
 * program runs (the handler's factory checks both) and each contract's service held to the bus's.
 */
function dispatcherBundle(component: string, args: AggregateDispatcherArgs): HandlerBundleSpec {
  if (args.publicationExport !== undefined && args.publicationModule === undefined)
    throw new Error(`${component}: \`publicationExport\` needs \`publicationModule\` (the module exporting the publications)`);
  const spec: HandlerBundleSpec = {
    kind: "dispatcher",
    module: args.domainModule,
    exportName: args.domainExport ?? "default",
    ...(args.publicationModule ? { extra: { module: args.publicationModule, exportName: args.publicationExport ?? "default" } } : {}),
  };
  const { extra } = bundleHandler(spec);
  for (const publication of (Array.isArray(extra) ? extra : extra === undefined ? [] : [extra]) as Publication[])
    if (publication.contract.service !== args.bus.serviceName)
      throw new Error(
        `${component}: the publication of ${contractLabel(publication.contract)} names service "${publication.contract.service}", but the bus carries "${args.bus.serviceName}"'s events (a contract's service is its events' source)`,
      );
  return spec;
}

/** The component's private, encrypted `${component}-failed-batches` bucket whose objects expire after `retentionDays`. */
function failedBatchBucket(
  component: string,
  retentionDays: pulumi.Input<number>,
  tags: Tags | undefined,
  parent: pulumi.Resource,
): aws.s3.Bucket {
  const name = `${component}-failed-batches`;
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags, ...nameArgs("s3Bucket", component, "failed-batches") }, { parent });
  new aws.s3.BucketPublicAccessBlock(
    `${name}-private`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-expiry`,
    {
      bucket: bucket.id,
      rules: [{ id: "expire-failed-batches", status: "Enabled", filter: { prefix: "" }, expiration: { days: retentionDays } }],
    },
    { parent },
  );
  return bucket;
}
