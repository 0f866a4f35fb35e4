import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV } from "../handlers/runtime/conventions";
import { EventLedger } from "./eventLedger";
import { handlerFunction } from "./handlerFunction";
import { ServiceBus } from "./serviceBus";

export interface AggregateDispatcherArgs {
  /** The ledger whose stream is dispatched. */
  ledger: EventLedger;
  /** The bus the state-carried events are published to. */
  bus: ServiceBus;
  /** Path of the module exporting the domain (its reducer), bundled into the function. */
  domainModule: string;
  /** Export of `domainModule` holding the domain. Default "default". */
  domainExport?: string;
  /** Stream records per invocation. Default 100. */
  batchSize?: number;
  /** Seconds to gather a batch. Default 1. */
  batchingWindowSeconds?: number;
  /** Retries of a failing batch before its records go to the DLQ (bounded, never infinite). Default 10. */
  maximumRetryAttempts?: number;
  /** Records older than this go to the DLQ instead of blocking the shard. Default 3600 (1 hour). */
  maximumRecordAgeSeconds?: number;
  /** Take a snapshot every this many versions. Default 100. */
  snapshotEvery?: number;
  /** Where a new mapping starts reading. Default "TRIM_HORIZON" (nothing in the stream is skipped). */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  /** Lambda runtime. Default "nodejs22.x" (ships the AWS SDK v3 the bundle leaves external). */
  runtime?: string;
  /** Memory in MB. Default 512. */
  memorySize?: number;
  /** Timeout in seconds. Default 60. */
  timeout?: number;
  /** Log retention in days. Default 30. */
  logRetentionDays?: number;
  /** DLQ message retention in seconds. Default 1209600 (14 days, the maximum). */
  deadLetterRetentionSeconds?: number;
}

/**
 * The Lambda on the ledger's stream: folds each aggregate once per batch and publishes
 * `{ event, aggregate }` to the service bus. INSERTs only, partial batch responses,
 * bisect on error, bounded retries and record age, failures to its own DLQ.
 */
export class AggregateDispatcher extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly functionName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: AggregateDispatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:dispatch:AggregateDispatcher", name, {}, opts);
    const { ledger, bus } = args;
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: args.deadLetterRetentionSeconds ?? 1_209_600, sqsManagedSseEnabled: true },
      { parent: this },
    );
    const { fn } = handlerFunction(
      name,
      {
        bundle: { kind: "dispatcher", module: args.domainModule, exportName: args.domainExport ?? "default" },
        environment: {
          [ENV.ledgerTable]: ledger.tableName,
          [ENV.snapshotTable]: ledger.snapshotTableName,
          [ENV.eventBusName]: bus.busName,
          [ENV.serviceName]: bus.serviceName,
          [ENV.deadLetterQueueUrl]: this.deadLetterQueue.url,
          [ENV.snapshotEvery]: String(args.snapshotEvery ?? 100),
        },
        statements: [
          { Sid: "ReadStream", Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], Resource: [ledger.streamArn] },
          { Sid: "ReadLedger", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [ledger.tableArn] },
          // BatchGetItem: one prefetch of every aggregate's expected snapshot per batch; Query: the latest
          // one when that is missing; PutItem: snapshots and claim checks.
          { Sid: "ReadWriteSnapshots", Effect: "Allow", Action: ["dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem"], Resource: [ledger.snapshotTableArn] },
          { Sid: "PublishToBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.busArn] },
          { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [this.deadLetterQueue.arn] },
        ],
        runtime: args.runtime ?? "nodejs22.x",
        memorySize: args.memorySize ?? 512,
        timeout: args.timeout ?? 60,
        logRetentionDays: args.logRetentionDays ?? 30,
      },
      this,
    );
    this.function = fn;
    this.eventSourceMapping = new aws.lambda.EventSourceMapping(
      `${name}-stream`,
      {
        eventSourceArn: ledger.streamArn,
        functionName: fn.arn,
        startingPosition: args.startingPosition ?? "TRIM_HORIZON",
        batchSize: args.batchSize ?? 100,
        maximumBatchingWindowInSeconds: args.batchingWindowSeconds ?? 1,
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ["INSERT"] }) }] },
        functionResponseTypes: ["ReportBatchItemFailures"],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: args.maximumRetryAttempts ?? 10,
        maximumRecordAgeInSeconds: args.maximumRecordAgeSeconds ?? 3600,
        destinationConfig: { onFailure: { destinationArn: this.deadLetterQueue.arn } },
      },
      { parent: this },
    );
    this.functionName = fn.name;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;
    this.registerOutputs({ functionName: this.functionName, deadLetterQueueUrl: this.deadLetterQueueUrl });
  }
}
