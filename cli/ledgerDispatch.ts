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
import { flag } from "./args";
import { Resource, UsageError } from "./errors";
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

/** The ledger's dispatchers, or why they were not looked up (the run goes on, unchecked). */
export type LedgerDispatch =
  { readonly checked: true; readonly dispatchers: readonly LedgerDispatcher[] } | { readonly checked: false; readonly why: string };

/** The option of the commands that append to a ledger, for a dispatcher the lookup cannot see. */
export const DISPATCHER_CHECK_OPTION = {
  "skip-dispatcher-check": flag({
    description:
      "do not look up the ledger's dispatcher through Lambda (one in another account, which this account's mappings do not list); the run says it was not checked",
  }),
} as const;

const SKIP = "give --skip-dispatcher-check if its dispatcher is in another account";

/** A mapping in these states reads, or will read once Lambda is done with it. */
const READING = new Set(["Enabled", "Enabling", "Creating", "Updating"]);

/** True when the dispatcher's mapping delivers the stream's records (or is about to). */
export const isReading = (dispatcher: LedgerDispatcher) => READING.has(dispatcher.state);

const LAMBDA_READS = "lambda:ListEventSourceMappings and lambda:GetFunctionConfiguration";

const functionName = (arn: string | undefined) => arn?.split(":")[6] ?? arn ?? "?";

/** Why a Lambda call's failure leaves the ledger unchecked. */
function unchecked(error: unknown, what: string): string {
  if (isAccessDenied(error)) return `${what} needs ${LAMBDA_READS}`;
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return `${what} failed (${name ?? "error"}: ${message ?? String(error)})`;
}

/**
 * The dispatchers of the ledger `described` (its DescribeTable answer; undefined when describing
 * it was denied). Refuses, with a UsageError, a ledger whose events nothing would publish: no stream,
 * or no dispatcher on it, since what a run appends would then reach no read model. Unchecked, and
 * said so by the caller, where Lambda is not asked (`lambda` undefined: an endpoint that is not AWS,
 * or --skip-dispatcher-check) or does not answer (denied, throttled past the SDK's retries, unreachable).
 */
export async function ledgerDispatch(
  lambda: LambdaClient | undefined,
  ledger: Resource,
  described: TableDescription | undefined,
  options: { readonly skip?: boolean } = {},
): Promise<LedgerDispatch> {
  if (options.skip) return { checked: false, why: "--skip-dispatcher-check" };
  if (lambda === undefined) return { checked: false, why: "--endpoint is not AWS, and its dispatcher is not looked up there" };
  if (described === undefined) return { checked: false, why: `describing ${ledger.name} was denied, so its stream is unknown` };
  const stream = described.StreamSpecification?.StreamEnabled ? described.LatestStreamArn : undefined;
  if (stream === undefined)
    throw new UsageError(
      `${ledger.flag} ${ledger.name} has no stream: no dispatcher publishes its events, so what the run would append reaches no read model`,
    );
  const mappings: EventSourceMappingConfiguration[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: stream, Marker: marker, MaxItems: 100 }));
      mappings.push(...(page.EventSourceMappings ?? []));
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    return { checked: false, why: unchecked(error, "listing the mappings of its stream") };
  }
  const dispatchers: LedgerDispatcher[] = [];
  for (const mapping of mappings) {
    if (!mapping.FunctionArn || mapping.State === "Deleting") continue;
    const name = functionName(mapping.FunctionArn);
    let environment: EnvironmentResponse | undefined;
    try {
      environment = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: mapping.FunctionArn }))).Environment;
    } catch (error) {
      // A function deleted since its mapping was listed reads nothing.
      if ((error as { name?: string })?.name === "ResourceNotFoundException") continue;
      return { checked: false, why: unchecked(error, `reading the configuration of ${name}, on its stream,`) };
    }
    // Variables Lambda could not decrypt or apply come back as an error instead.
    if (environment?.Error)
      return {
        checked: false,
        why: `the environment of ${name}, on its stream, could not be read or applied (${environment.Error.ErrorCode ?? "error"}: ${environment.Error.Message ?? "no message"})`,
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
      `no dispatcher reads the stream of ${ledger.flag} ${ledger.name} (${mappings.length === 0 ? "no event source mapping of this account reads its current stream" : `its mappings' functions: ${mappings.map((mapping) => functionName(mapping.FunctionArn)).join(", ")}`}): what the run would append reaches no bus; ${SKIP}`,
    );
  return { checked: true, dispatchers };
}

/** "dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus (Disabled)", for messages. */
export const dispatcherLine = (dispatcher: LedgerDispatcher) =>
  `dispatcher ${dispatcher.function} publishes it as service ${dispatcher.service} on bus ${dispatcher.bus}${isReading(dispatcher) ? "" : ` (its stream mapping is ${dispatcher.state})`}`;

/**
 * Says on `err` who publishes the ledger, and warns when none of its dispatchers (of `services`,
 * when given: the ones the run must reach) is reading: what a run appends then waits in the stream
 * until one is, and is published only if the stream still holds it then.
 */
export function reportDispatch(
  err: (text: string) => void,
  ledger: Resource,
  dispatch: LedgerDispatch,
  services?: readonly string[],
): void {
  if (!dispatch.checked) {
    err(`who publishes ${ledger.flag} ${ledger.name} is not checked: ${dispatch.why}\n`);
    return;
  }
  err(`${ledger.flag} ${ledger.name}: ${dispatch.dispatchers.map(dispatcherLine).join("; ")}\n`);
  const needed = dispatch.dispatchers.filter((dispatcher) => services === undefined || services.includes(dispatcher.service));
  if (needed.length > 0 && !needed.some(isReading))
    err(
      `warning: no dispatcher ${services ? `of service ${services.join(", ")} ` : ""}is reading the stream of ${ledger.name}: what this run appends is published only once one is, and only if the stream still holds it then (24 hours)\n`,
    );
}

/** A bucket's name from its ARN (`arn:<partition>:s3:::<bucket>`), or undefined for another ARN. */
const bucketOfArn = (arn: string) => /^arn:[^:]+:s3:::([^/]+)$/.exec(arn)?.[1];

/**
 * A warning when the bucket is not where the ledger's dispatcher puts the batches it gives up on
 * (an older bucket, a copy, or another ledger's): each batch's own stream is what the recovery
 * checks against the ledger, so the run goes on.
 */
export function failedBatchSourceWarning(dispatch: LedgerDispatch, ledger: Resource, bucket: string): string | undefined {
  if (
    !dispatch.checked ||
    dispatch.dispatchers.some((dispatcher) => dispatcher.failedBatches && bucketOfArn(dispatcher.failedBatches) === bucket)
  )
    return undefined;
  const theirs = dispatch.dispatchers.map(
    (dispatcher) =>
      `dispatcher ${dispatcher.function}: ${dispatcher.failedBatches ? `bucket ${bucketOfArn(dispatcher.failedBatches) ?? dispatcher.failedBatches}` : "none"}`,
  );
  return `warning: --bucket ${bucket} is not where the dispatcher of ${ledger.flag} ${ledger.name} puts the batches it gives up on (${theirs.join("; ")}); a batch of another table's stream is reported and not replayed`;
}

/**
 * A queue URL's region, account and name, the parts every form of the URL shares (regional
 * `sqs.<region>.amazonaws.com`, legacy `<region>.queue.amazonaws.com`, a VPC endpoint's
 * `….sqs.<region>.vpce.amazonaws.com`); the region is "?" where the host does not say it.
 */
function queueIdentity(url: string): { region: string; path: string } {
  try {
    const parsed = new URL(url);
    const region = /(?:^|\.)sqs\.([a-z0-9-]+)\./.exec(parsed.hostname)?.[1] ?? /^([a-z0-9-]+)\.queue\./.exec(parsed.hostname)?.[1] ?? "?";
    return { region, path: parsed.pathname.split("/").filter(Boolean).slice(-2).join("/") };
  } catch {
    return { region: "?", path: url };
  }
}

const sameQueue = (a: string, b: string) => {
  const [first, second] = [queueIdentity(a), queueIdentity(b)];
  return first.path === second.path && (first.region === second.region || first.region === "?" || second.region === "?");
};

/**
 * Refuses a dead-letter queue that is not the ledger's dispatcher's: the dispatcher letters it
 * holds would be replayed into the ledger, and another dispatcher's name another ledger's aggregates.
 */
export function checkDeadLetterSource(dispatch: LedgerDispatch, ledger: Resource, queueUrl: string): void {
  if (!dispatch.checked) return;
  if (dispatch.dispatchers.some((dispatcher) => dispatcher.deadLetterQueueUrl && sameQueue(dispatcher.deadLetterQueueUrl, queueUrl)))
    return;
  const theirs = dispatch.dispatchers.map((dispatcher) => `dispatcher ${dispatcher.function}: ${dispatcher.deadLetterQueueUrl ?? "none"}`);
  throw new UsageError(
    `--queue-url ${queueUrl} is not the dead-letter queue of the dispatcher of ${ledger.flag} ${ledger.name} (${theirs.join("; ")}): the ledger options replay a dispatcher's letters into its own ledger; give that dispatcher's ledger, or leave them out for a projector's or a reactor's queue`,
  );
}
