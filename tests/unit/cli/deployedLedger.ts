import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ENV } from "../../../handlers/runtime/ledger/conventions";
import { stubDynamoDb, stubSend } from "../../support/stubClient";

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** The ledger options of a command run on the stubbed ledger, with the example accounts domain. */
export const LEDGER = [
  ...["--ledger-table", "ledger", "--idempotency-table", "idempotency"],
  ...["--domain", "examples/accounts/domain.ts", "--export", "accounts"],
];

export const STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger/stream/2026-12-01T00:00:00.000";

/**
 * A DynamoDB client answering as a deployed ledger does, recording every call: tables exist, the
 * ledger streams (unless its stream is "disabled", which leaves its last stream's ARN, or "none"),
 * each index bucket counts 3 aggregates.
 */
export function ledgerTables(options: { stream?: "enabled" | "disabled" | "none" } = {}) {
  const client = new DynamoDBClient({ region: "eu-west-1", credentials });
  const stream = options.stream ?? "enabled";
  const table =
    stream === "none"
      ? {}
      : { StreamSpecification: { StreamEnabled: stream === "enabled", StreamViewType: "NEW_IMAGE" }, LatestStreamArn: STREAM_ARN };
  const calls = stubDynamoDb(client, (operation) =>
    operation === "QueryCommand" ? { Count: 3 } : operation === "DescribeTableCommand" ? { Table: table } : {},
  );
  return { client, calls };
}

/** A function on the ledger's stream: a dispatcher (service and bus in its environment) or anything else. */
export interface StreamFunction {
  readonly name: string;
  readonly service?: string;
  readonly bus?: string;
  readonly state?: string;
  /** The environment comes back as this error (variables Lambda could not decrypt). */
  readonly environmentError?: string;
  /** GetFunctionConfiguration fails with an error of this name. */
  readonly configurationError?: string;
  /** The bucket its mapping sends failed batches to. */
  readonly failedBatches?: string;
  /** Its dead-letter queue's URL. */
  readonly deadLetterQueueUrl?: string;
}

const functionArn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

/**
 * A Lambda client answering ListEventSourceMappings (one mapping a page, as NextMarker pages them)
 * for the ledger's stream and GetFunctionConfiguration for each function; `listError` fails the
 * listing with an error of that name.
 */
export function streamFunctions(functions: readonly StreamFunction[], options: { listError?: string } = {}) {
  const client = new LambdaClient({ region: "eu-west-1", credentials });
  const calls = stubSend(client, (command) => {
    if (command.constructor.name === "ListEventSourceMappingsCommand") {
      if (options.listError) throw Object.assign(new Error(`${options.listError} on ListEventSourceMappings`), { name: options.listError });
      const mappings = command.input.EventSourceArn === STREAM_ARN ? functions : [];
      const at = Number(command.input.Marker ?? 0);
      const page = mappings.slice(at, at + 1);
      return {
        EventSourceMappings: page.map((fn) => ({
          FunctionArn: functionArn(fn.name),
          State: fn.state ?? "Enabled",
          EventSourceArn: STREAM_ARN,
          ...(fn.failedBatches ? { DestinationConfig: { OnFailure: { Destination: `arn:aws:s3:::${fn.failedBatches}` } } } : {}),
        })),
        ...(at + 1 < mappings.length ? { NextMarker: String(at + 1) } : {}),
      };
    }
    if (command.constructor.name === "GetFunctionConfigurationCommand") {
      const fn = functions.find((candidate) => functionArn(candidate.name) === command.input.FunctionName);
      if (!fn) throw Object.assign(new Error("Function not found"), { name: "ResourceNotFoundException" });
      if (fn.configurationError)
        throw Object.assign(new Error(`${fn.configurationError} on GetFunctionConfiguration`), { name: fn.configurationError });
      if (fn.environmentError)
        return { FunctionName: fn.name, Environment: { Error: { ErrorCode: fn.environmentError, Message: "denied" } } };
      const variables = {
        LOG_LEVEL: "INFO",
        ...(fn.service ? { [ENV.serviceName]: fn.service } : {}),
        ...(fn.bus ? { [ENV.eventBusName]: fn.bus } : {}),
        ...(fn.deadLetterQueueUrl ? { [ENV.deadLetterQueueUrl]: fn.deadLetterQueueUrl } : {}),
      };
      return { FunctionName: fn.name, Environment: { Variables: variables } };
    }
    throw new Error(`unexpected ${command.constructor.name}`);
  });
  return { client, calls };
}

/** The accounts service's dispatcher on the ledger's stream, as the example stack deploys it. */
export const accountsDispatcher = (state = "Enabled"): StreamFunction => ({
  name: "accounts-dispatcher-fn",
  service: "accounts",
  bus: "accounts-bus",
  state,
  failedBatches: "accounts-dispatcher-failed",
  deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/dispatcher-dlq",
});
