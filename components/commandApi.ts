import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMMAND_STARTS, CommandStart, ENV } from "../handlers/runtime/conventions";
import { AlarmsArgs, functionAlarms } from "./alarms";
import { EventLedger } from "./eventLedger";
import { FunctionArgs, RoleRef, handlerFunction } from "./handlerFunction";
import { PolicyStatement, kmsStatements } from "./policy";
import { Projector } from "./projector";

/**
 * Who may call the endpoint. "AWS_IAM" (default): SigV4-signed requests from principals granted
 * `lambda:InvokeFunctionUrl` (see `invokeStatement`). A public endpoint must be asked for by name,
 * so authentication is never dropped by leaving an argument out.
 */
export type CommandApiAuth = "AWS_IAM" | { type: "NONE"; acknowledgePublicEndpoint: true };

export interface CommandApiArgs extends FunctionArgs {
  /** The ledger commands append to. */
  ledger: EventLedger;
  /** Path of the module exporting the domain (decide and reduce), bundled into the function. */
  domainModule: string;
  /** Export of `domainModule` holding the domain. Default "default". */
  domainExport?: string;
  /**
   * The read replica: a Projector of an `aggregateProjection` of the same domain. With it, commands
   * take seed 000's fast path (decide on the replica, read the ledger only after a conflict) and
   * `GET ?consistency=eventual` answers from it. Without it, commands start from the ledger's snapshots.
   */
  replica?: Projector;
  /**
   * How a command starts from the replica: "replica-and-tail" (default: the row and the ledger's last
   * 10 events at once, then a plain write; never slower than a full fold) or "decide-on-replica"
   * (seed 000: the row alone, the write checks its version; fewest requests while the replica is current).
   */
  start?: CommandStart;
  /** Authentication of the endpoint. Default "AWS_IAM". */
  auth?: CommandApiAuth;
  /** Largest request body accepted, in bytes (413 above). Default 262144. */
  maxBodyBytes?: pulumi.Input<number>;
  /** The service name in logs and metrics. Default: the component's name. */
  serviceName?: pulumi.Input<string>;
  /** Requests the function serves at once at most (protects the ledger's hot partitions). Default: unreserved. */
  reservedConcurrency?: pulumi.Input<number>;
  /** Alarms on errors and throttles. Default on, without actions. */
  alarms?: AlarmsArgs;
}

/**
 * The command side deployed: a Lambda behind a function URL (IAM-authenticated by default)
 * serving `POST /aggregates/{id}/commands`, `POST /commands` and `GET /aggregates/{id}`.
 */
export class CommandApi extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: RoleRef;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly functionUrl: aws.lambda.FunctionUrl;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly url: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** What a caller's role needs to call the endpoint: attach it to the roles of your clients. */
  readonly invokeStatement: PolicyStatement;

  constructor(name: string, args: CommandApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:command:CommandApi", name, {}, opts);
    const auth = args.auth ?? "AWS_IAM";
    if (auth !== "AWS_IAM" && !(auth.type === "NONE" && auth.acknowledgePublicEndpoint === true)) {
      throw new Error(`CommandApi "${name}": auth must be "AWS_IAM" or { type: "NONE", acknowledgePublicEndpoint: true }`);
    }
    const { ledger, replica } = args;
    if (args.start !== undefined && !COMMAND_STARTS.includes(args.start)) throw new Error(`CommandApi "${name}": start must be one of ${COMMAND_STARTS.join(", ")}, got "${args.start}"`);
    const statements: PolicyStatement[] = [
      // Loads and catch-ups query the ledger; a commit is a PutItem, or a transaction of PutItems
      // (idempotency records, multi-aggregate commits) with, when deciding on the replica alone, a
      // ConditionCheckItem proving the replica's version exists.
      { Sid: "Ledger", Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:PutItem", ...(args.start === "decide-on-replica" && replica ? ["dynamodb:ConditionCheckItem"] : [])], Resource: [ledger.tableArn] },
      { Sid: "IdempotencyKeys", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [ledger.idempotencyTableArn] },
      replica
        ? { Sid: "Replica", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [replica.tableArn] }
        : { Sid: "Snapshots", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [ledger.snapshotTableArn] },
      ...kmsStatements(ledger.kmsKeyArn),
    ];
    const { fn, role, logGroup } = handlerFunction(
      name,
      {
        bundle: { kind: "commandApi", module: args.domainModule, exportName: args.domainExport ?? "default" },
        environment: {
          [ENV.ledgerTable]: ledger.tableName,
          [ENV.idempotencyTable]: ledger.idempotencyTableName,
          ...(replica ? { [ENV.replicaTable]: replica.tableName } : { [ENV.snapshotTable]: ledger.snapshotTableName }),
          ...(args.maxBodyBytes !== undefined ? { [ENV.maxBodyBytes]: pulumi.output(args.maxBodyBytes).apply(String) } : {}),
          ...(args.start !== undefined ? { [ENV.commandStart]: args.start } : {}),
        },
        statements,
        defaults: { memorySize: 512, timeout: 29 },
        serviceName: args.serviceName ?? name,
        function: args,
        reservedConcurrency: args.reservedConcurrency,
      },
      this,
    );
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.functionUrl = new aws.lambda.FunctionUrl(`${name}-url`, { functionName: fn.name, authorizationType: auth === "AWS_IAM" ? "AWS_IAM" : "NONE" }, { parent: this });
    if (auth !== "AWS_IAM") {
      // A public URL answers only once its resource policy lets anyone invoke it.
      new aws.lambda.Permission(`${name}-public`, { function: fn.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }, { parent: this });
    }
    this.invokeStatement = {
      Sid: "InvokeCommandApi",
      Effect: "Allow",
      Action: ["lambda:InvokeFunctionUrl"],
      Resource: [fn.arn],
      Condition: { StringEquals: { "lambda:FunctionUrlAuthType": auth === "AWS_IAM" ? "AWS_IAM" : "NONE" } },
    };
    this.alarms = functionAlarms(name, fn, args.alarms ?? {}, this);
    this.url = this.functionUrl.functionUrl;
    this.functionName = fn.name;
    this.registerOutputs({ url: this.url, functionName: this.functionName });
  }
}
