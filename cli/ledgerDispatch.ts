/**
 * Who publishes what is appended to a deployed ledger: the dispatchers reading its stream, found
 * from the stream's event source mappings and each function's configuration (a dispatcher is given
 * its bus and its service, the events' source, in its environment). What a replay, a recovery or a
 * redrive appends reaches a read model only through them.
 */
import type { TableDescription } from "@aws-sdk/client-dynamodb";
import {
  EnvironmentResponse,
  EventSourceMappingConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";
import { ENV } from "../handlers/runtime/ledger/conventions";
import { Resource, UsageError, onResource } from "./errors";
import { isAccessDenied } from "./preflight";

/** A function reading the ledger's stream with the dispatcher's configuration. */
export interface LedgerDispatcher {
  /** The function's name. */
  readonly function: string;
  /** The service it publishes as: the `source` of its events. */
  readonly service: string;
  /** The bus it publishes to. */
  readonly bus: string;
  /** Its mapping's state: "Enabled", "Disabled", "Updating", ... */
  readonly state: string;
  /** Where its mapping sends the batches it gives up on (the failed-batch bucket's ARN), if anywhere. */
  readonly failedBatches?: string;
  /** Its dead-letter queue's URL, if it has one. */
  readonly deadLetterQueueUrl?: string;
}

/** The ledger's dispatchers, or why they could not be found (the run goes on, unchecked). */
export type LedgerDispatch =
  { readonly checked: true; readonly dispatchers: readonly LedgerDispatcher[] } | { readonly checked: false; readonly why: string };

/** A mapping in these states reads, or will read once Lambda is done with it. */
const READING = new Set(["Enabled", "Enabling", "Creating", "Updating"]);

/** True when the dispatcher's mapping delivers the stream's records (or is about to). */
export const isReading = (dispatcher: LedgerDispatcher) => READING.has(dispatcher.state);

const LAMBDA_READS = "lambda:ListEventSourceMappings and lambda:GetFunctionConfiguration";

/**
 * The dispatchers of the ledger `described` (its DescribeTable answer; undefined when describing
 * it was denied). Refuses, with a UsageError, a ledger whose events nothing would publish: no stream,
 * or no dispatcher on it, since what a run appends would then reach no read model. Unchecked where
 * Lambda cannot be asked: a local endpoint, or credentials without the two Lambda reads.
 */
export async function ledgerDispatch(
  lambda: LambdaClient | undefined,
  ledger: Resource,
  described: TableDescription | undefined,
): Promise<LedgerDispatch> {
  if (lambda === undefined) return { checked: false, why: "a local endpoint has no Lambda to ask which dispatcher reads the ledger" };
  if (described === undefined) return { checked: false, why: `describing ${ledger.name} was denied, so its stream is unknown` };
  const stream = described.StreamSpecification?.StreamEnabled ? described.LatestStreamArn : undefined;
  if (stream === undefined)
    throw new UsageError(
      `${ledger.flag} ${ledger.name} has no stream: no dispatcher publishes its events, so what the run would append reaches no read model`,
    );
  const onStream: Resource = { kind: "stream", name: stream, flag: ledger.flag };
  const mappings: EventSourceMappingConfiguration[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await onResource(onStream, () =>
        lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: stream, Marker: marker, MaxItems: 100 })),
      );
      mappings.push(...(page.EventSourceMappings ?? []));
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    if (isAccessDenied((error as Error).cause)) return { checked: false, why: `reading its stream's mappings needs ${LAMBDA_READS}` };
    throw error;
  }
  const dispatchers: LedgerDispatcher[] = [];
  for (const mapping of mappings) {
    if (!mapping.FunctionArn || mapping.State === "Deleting") continue;
    const onFunction: Resource = { kind: "function", name: mapping.FunctionArn, flag: ledger.flag };
    const name = mapping.FunctionArn.split(":")[6] ?? mapping.FunctionArn;
    let environment: EnvironmentResponse | undefined;
    try {
      environment = (
        await onResource(onFunction, () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: mapping.FunctionArn })))
      ).Environment;
    } catch (error) {
      const cause = (error as Error).cause as { name?: string } | undefined;
      if (isAccessDenied(cause)) return { checked: false, why: `reading the functions on its stream needs ${LAMBDA_READS}` };
      // A function deleted since its mapping was listed reads nothing.
      if (cause?.name === "ResourceNotFoundException") continue;
      throw error;
    }
    // Variables under a customer-managed key the caller may not decrypt come back as an error instead.
    if (environment?.Error)
      return {
        checked: false,
        why: `the environment of ${name}, on its stream, could not be read (${environment.Error.ErrorCode ?? "error"}: ${environment.Error.Message ?? "no message"})`,
      };
    const variables = environment?.Variables;
    const service = variables?.[ENV.serviceName];
    const bus = variables?.[ENV.eventBusName];
    if (!service || !bus) continue;
    const failedBatches = mapping.DestinationConfig?.OnFailure?.Destination;
    const deadLetterQueueUrl = variables?.[ENV.deadLetterQueueUrl];
    dispatchers.push({
      function: name,
      service,
      bus,
      state: mapping.State ?? "?",
      ...(failedBatches ? { failedBatches } : {}),
      ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}),
    });
  }
  if (dispatchers.length === 0)
    throw new UsageError(
      `no dispatcher reads the stream of ${ledger.flag} ${ledger.name} (${mappings.length === 0 ? "it has no event source mapping" : `its mappings' functions: ${mappings.map((mapping) => mapping.FunctionArn?.split(":")[6] ?? "?").join(", ")}`}): what the run would append reaches no bus`,
    );
  return { checked: true, dispatchers };
}

/** "dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus (Disabled)", for messages. */
export const dispatcherLine = (dispatcher: LedgerDispatcher) =>
  `dispatcher ${dispatcher.function} publishes it as service ${dispatcher.service} on bus ${dispatcher.bus}${isReading(dispatcher) ? "" : ` (its stream mapping is ${dispatcher.state})`}`;

/**
 * Says on `err` who publishes the ledger, and warns when no dispatcher's mapping is reading: what a
 * run appends then waits in the stream, which keeps a record 24 hours, until one is enabled.
 */
export function reportDispatch(err: (text: string) => void, ledger: Resource, dispatch: LedgerDispatch): void {
  if (!dispatch.checked) {
    err(`who publishes ${ledger.flag} ${ledger.name} is not checked: ${dispatch.why}\n`);
    return;
  }
  err(`${ledger.flag} ${ledger.name}: ${dispatch.dispatchers.map(dispatcherLine).join("; ")}\n`);
  if (!dispatch.dispatchers.some(isReading))
    err(
      `warning: no dispatcher of ${ledger.name} is reading its stream: what this run appends is published only once one is enabled, and is lost to the read models if that is more than 24 hours away (the stream's retention)\n`,
    );
}

/** A bucket's name from its ARN (`arn:<partition>:s3:::<bucket>`), or undefined for another ARN. */
const bucketOfArn = (arn: string) => /^arn:[^:]+:s3:::([^/]+)$/.exec(arn)?.[1];

/** A queue URL's account and name, the part every form of the URL (regional, legacy, local) shares. */
const queuePath = (url: string) => {
  try {
    return new URL(url).pathname.split("/").filter(Boolean).slice(-2).join("/");
  } catch {
    return url;
  }
};

/**
 * Refuses failed batches that are not the ledger's own: the replays they lead to are appended to
 * the ledger, and another dispatcher's batches name another ledger's aggregates.
 */
export function checkFailedBatchSource(dispatch: LedgerDispatch, ledger: Resource, bucket: string): void {
  if (
    !dispatch.checked ||
    dispatch.dispatchers.some((dispatcher) => dispatcher.failedBatches && bucketOfArn(dispatcher.failedBatches) === bucket)
  )
    return;
  const theirs = dispatch.dispatchers.map(
    (dispatcher) =>
      `dispatcher ${dispatcher.function}: ${dispatcher.failedBatches ? `bucket ${bucketOfArn(dispatcher.failedBatches) ?? dispatcher.failedBatches}` : "none"}`,
  );
  throw new UsageError(
    `--bucket ${bucket} is not where the dispatcher of ${ledger.flag} ${ledger.name} puts the batches it gives up on (${theirs.join("; ")}): its batches name another ledger's aggregates`,
  );
}

/**
 * Refuses a dead-letter queue that is not the ledger's dispatcher's: the dispatcher letters it
 * holds are replayed into the ledger, and another dispatcher's name another ledger's aggregates.
 */
export function checkDeadLetterSource(dispatch: LedgerDispatch, ledger: Resource, queueUrl: string): void {
  if (!dispatch.checked) return;
  const queue = queuePath(queueUrl);
  if (dispatch.dispatchers.some((dispatcher) => dispatcher.deadLetterQueueUrl && queuePath(dispatcher.deadLetterQueueUrl) === queue))
    return;
  const theirs = dispatch.dispatchers.map((dispatcher) => `dispatcher ${dispatcher.function}: ${dispatcher.deadLetterQueueUrl ?? "none"}`);
  throw new UsageError(
    `--queue-url ${queueUrl} is not the dead-letter queue of the dispatcher of ${ledger.flag} ${ledger.name} (${theirs.join("; ")}): the ledger options replay a dispatcher's letters into its own ledger; give that dispatcher's ledger, or leave them out for a projector's or a reactor's queue`,
  );
}
