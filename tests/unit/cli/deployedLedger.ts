import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ENV } from "../../../handlers/runtime/ledger/conventions";
import { stubDynamoDb, stubSend } from "../../support/stubClient";

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

export const STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ledger/stream/2026-12-01T00:00:00.000";

/**
 * A DynamoDB client answering as a deployed ledger does, recording every call: tables exist, the
 * ledger streams (unless `stream: false`), each index bucket counts 3 aggregates.
 */
export function ledgerTables(options: { stream?: boolean } = {}) {
  const client = new DynamoDBClient({ region: "eu-west-1", credentials });
  const table =
    options.stream === false
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" }, LatestStreamArn: STREAM_ARN };
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
  /** The environment comes back as this error (variables under a key the caller may not decrypt). */
  readonly environmentError?: string;
  /** The bucket its mapping sends failed batches to. */
  readonly failedBatches?: string;
  /** Its dead-letter queue's URL. */
  readonly deadLetterQueueUrl?: string;
}

const functionArn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

/**
 * A Lambda client answering ListEventSourceMappings (one mapping a page, as NextMarker pages them)
 * for the ledger's stream and GetFunctionConfiguration for each function; `denied` answers every
 * call with AccessDeniedException.
 */
export function streamFunctions(functions: readonly StreamFunction[], options: { denied?: boolean } = {}) {
  const client = new LambdaClient({ region: "eu-west-1", credentials });
  const calls = stubSend(client, (command) => {
    if (options.denied)
      throw Object.assign(new Error("User is not authorized to perform: lambda:ListEventSourceMappings"), {
        name: "AccessDeniedException",
      });
    if (command.constructor.name === "ListEventSourceMappingsCommand") {
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
