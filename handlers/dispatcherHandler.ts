import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { AwsClients, resolveClients } from "./runtime/aws/clients";
import { EventBridgeBus } from "./runtime/aws/eventBridgeBus";
import { dynamoDbDispatcher } from "./runtime/aws/factories";
import { SqsDeadLetterQueue } from "./runtime/aws/sqsDeadLetterQueue";
import { Publication, requirePublications } from "./runtime/contracts/publication";
import { Dispatcher } from "./runtime/dispatch/dispatcher";
import { StreamRecord } from "./runtime/dispatch/streamRecords";
import { Domain, requireDomain } from "./runtime/domain/domain";
import { ENV } from "./runtime/ledger/conventions";
import { BatchResponse } from "./runtime/support/batchResponse";
import { integerEnv, requireEnv } from "./runtime/support/environment";
import { instrumented, log } from "./observability";

/** What the AggregateDispatcher component gives its function: the tables, the bus, the DLQ, the service. */
export interface DispatcherFunctionSettings {
  ledgerTable: string;
  snapshotTable: string;
  eventBusName: string;
  deadLetterQueueUrl: string;
  serviceName: string;
  /** Take a snapshot every this many versions. Default 100. */
  snapshotEvery?: number;
}

/** The settings from the environment the component sets, each variable checked. */
export function dispatcherSettingsFromEnv(): DispatcherFunctionSettings {
  return {
    ledgerTable: requireEnv(ENV.ledgerTable),
    snapshotTable: requireEnv(ENV.snapshotTable),
    eventBusName: requireEnv(ENV.eventBusName),
    deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    serviceName: requireEnv(ENV.serviceName),
    snapshotEvery: integerEnv(ENV.snapshotEvery, 0),
  };
}

/**
 * The AggregateDispatcher Lambda: DynamoDB stream batch in, state-carried events out, and the
 * public events of the contracts the service publishes. The component bundles it with the domain
 * module (and the publications module, when given) and sets the environment; the settings are read
 * at the first invocation (`settings` to give them another way). The domain and the publications
 * (one, or a list) are checked when the handler is created, so a wrong export fails the program.
 */
export function createDispatcherHandler<S>(
  domain: Domain<S, unknown>,
  clients: Partial<AwsClients> = {},
  settings: () => DispatcherFunctionSettings = dispatcherSettingsFromEnv,
  publications: Publication | readonly Publication[] = [],
) {
  requireDomain(domain);
  const published = requirePublications(publications, domain as Domain<unknown, unknown>);
  let dispatcher: Dispatcher<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Dispatcher<S> => {
    const given = settings();
    return dynamoDbDispatcher({
      domain,
      client: aws.dynamodb,
      ledgerTable: given.ledgerTable,
      snapshotTable: given.snapshotTable,
      bus: new EventBridgeBus(aws.eventBridge, given.eventBusName),
      deadLetters: new SqsDeadLetterQueue(aws.sqs, given.deadLetterQueueUrl),
      source: given.serviceName,
      publications: published,
      settings: { snapshotEvery: given.snapshotEvery },
      logger: log,
    }).dispatcher;
  };
  return (event: DynamoDBStreamEvent, context?: Context): Promise<BatchResponse> =>
    instrumented(context, async () => {
      dispatcher ??= build();
      const records = (event.Records ?? []) as StreamRecord[];
      const report = await dispatcher.dispatch(records);
      log.info("dispatched stream batch", { records: records.length, ...report, batchItemFailures: report.batchItemFailures.length });
      const { byReference, refused, resent, deadLettered } = report;
      return {
        result: { batchItemFailures: report.batchItemFailures },
        counts: {
          Published: report.published,
          PublishedPublic: report.publishedPublic,
          PublishedByReference: byReference,
          Refused: refused,
          Resent: resent,
          DeadLettered: deadLettered,
          RecordsRetried: report.batchItemFailures.length,
        },
      };
    });
}
