import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { text } from "./args";

/** Where the clients send: AWS (region from --region or the environment) or local endpoints. */
export interface Connection {
  readonly region?: string;
  /** A DynamoDB-compatible endpoint (DynamoDB Local, the local stage); SQS and EventBridge too when they answer there. */
  readonly endpoint?: string;
  /** An S3-compatible endpoint, for the failed-batch bucket. */
  readonly s3Endpoint?: string;
}

/** Clients given instead of the ones the connection would build (tests stub them at client level). */
export type GivenClients = Partial<{
  dynamodb: DynamoDBClient;
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  s3: S3Client;
  lambda: LambdaClient;
}>;

const REGION_OPTION = text({
  value: "<region>",
  description: "the AWS region of the stack (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)",
});

/** An option naming an endpoint: an http(s) URL. */
export const endpointOption = (description: string) =>
  text({
    value: "<url>",
    description,
    check: (value) => (/^https?:\/\/\S+$/.test(value) ? undefined : "takes an http:// or https:// URL"),
  });

/** The connection options of a command that talks to DynamoDB (and, with --endpoint, to whatever answers there). */
export const CONNECTION_OPTIONS = {
  region: REGION_OPTION,
  endpoint: endpointOption(
    "a DynamoDB-compatible endpoint instead of AWS, e.g. the local stage's http://127.0.0.1:PORT (region 'local', dummy credentials)",
  ),
} as const;

// The emulator keeps one database per access key and region: the local stage's are "local".
const LOCAL = { region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } };

/** The SDK clients of one command run, each built on first use from the connection. */
export class AwsClients {
  private readonly built: GivenClients;
  private documents?: DynamoDBDocumentClient;

  constructor(
    readonly connection: Connection,
    private readonly given: GivenClients = {},
  ) {
    this.built = { ...given };
  }

  private config(endpoint: string | undefined) {
    if (endpoint) return { endpoint, ...LOCAL, ...(this.connection.region ? { region: this.connection.region } : {}) };
    return this.connection.region ? { region: this.connection.region } : {};
  }

  get dynamodb(): DynamoDBClient {
    return (this.built.dynamodb ??= new DynamoDBClient(this.config(this.connection.endpoint)));
  }

  get documentClient(): DynamoDBDocumentClient {
    return (this.documents ??= documentClient(this.dynamodb));
  }

  get eventBridge(): EventBridgeClient {
    return (this.built.eventBridge ??= new EventBridgeClient(this.config(this.connection.endpoint)));
  }

  get sqs(): SQSClient {
    return (this.built.sqs ??= new SQSClient(this.config(this.connection.endpoint)));
  }

  /**
   * Lambda, to read what deployed functions do with a table (its stream's mappings); none on a local
   * endpoint, which has no Lambda, unless one was given.
   */
  get lambda(): LambdaClient | undefined {
    if (this.connection.endpoint && !this.given.lambda) return undefined;
    // A host with no route to Lambda (a private subnet with endpoints for the data services only)
    // is told within seconds, not after the system's connect timeout on every retry.
    return (this.built.lambda ??= new LambdaClient({
      ...this.config(undefined),
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
    }));
  }

  get s3(): S3Client {
    const endpoint = this.connection.s3Endpoint;
    // An S3-compatible server (MinIO, LocalStack) answers on paths, not on bucket host names.
    return (this.built.s3 ??= new S3Client({ ...this.config(endpoint), ...(endpoint ? { forcePathStyle: true } : {}) }));
  }

  /** Where the calls go, for messages: the endpoint, or the region as the environment resolves it. */
  get where(): string {
    if (this.connection.endpoint) return this.connection.endpoint;
    const region = this.connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    return region ? `region ${region}` : "the AWS profile's region";
  }

  /** Closes the connections of the clients it built (not of those it was given), so the process can end. */
  destroy(): void {
    for (const [name, client] of Object.entries(this.built)) if (client !== this.given[name as keyof GivenClients]) client?.destroy();
  }
}
