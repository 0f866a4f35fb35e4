import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV, START_POLICIES, StartPolicy } from "../handlers/runtime/ledger/conventions";
import { AlarmsArgs, functionAlarms } from "./alarms";
import { HandlerBundleSpec, definitionName } from "./bundle";
import { EventLedger } from "./eventLedger";
import { CommandApiDax, daxInFront } from "./commandApiDax";
import { FunctionComponentArgs, RoleRef, handlerFunction } from "./handlerFunction";
import { PolicyStatement, kmsStatements } from "./policy";
import { Projector } from "./projector";
import { settingVariable } from "./settings";
import { DAX_ITEM_READ_ACTIONS } from "./servicePermissions";
import { recordComponent } from "./registry";

/**
 * Who may call the endpoint. "AWS_IAM" (default): SigV4-signed requests from principals granted
 * `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` (see `invokeStatements`). A public endpoint
 * must be asked for by name, so authentication is never dropped by leaving an argument out.
 */
export type CommandApiAuth = "AWS_IAM" | { readonly type: "NONE"; readonly acknowledgePublicEndpoint: true };

export interface CommandApiArgs extends FunctionComponentArgs {
  /**
   * The ledger commands append to. A ledger the program's other components use with another domain
   * is refused when the program runs. Required.
   */
  readonly ledger: EventLedger;
  /** Path of the module exporting the domain (decide and reduce), bundled into the function. Required. */
  readonly domainModule: string;
  /** Export of `domainModule` holding the domain. Default "default". */
  readonly domainExport?: string;
  /**
   * The read replica: a Projector of an `aggregateProjection` of the same domain. With it, commands
   * take the fast path (decide on the replica, read the ledger only after a conflict) and
   * `GET ?consistency=eventual` answers from it. Default none: commands start from the ledger's snapshots.
   * A replica given another ledger, or on another service's bus than the one the ledger's dispatcher
   * publishes to, is refused when the program runs.
   */
  readonly replica?: Projector;
  /**
   * How a command starts: "memory-first" decides at once on the aggregate the function remembers
   * when the ledger proved it within the last second (one plain write per command while one
   * instance keeps an aggregate busy), else reads first; "read-first" always reads the ledger after
   * the remembered aggregate, the replica row or the snapshot before deciding; "decide-first"
   * decides on the remembered aggregate however old, or the replica row, at once, the write
   * checking the version of a state not proven within the second (for one instance serving an
   * aggregate, or a current replica). Default "memory-first". See docs/performance.md, "Where a
   * command starts".
   */
  readonly start?: StartPolicy;
  /**
   * Aggregates a warm function instance remembers as its commands left them (least recently used
   * dropped first); a command on one starts from it instead of the replica. Default 1,000; 0 turns it off.
   */
  readonly rememberedAggregates?: pulumi.Input<number>;
  /** Read the replica through a DAX cluster created for it (needs `replica`). Default: no DAX. */
  readonly dax?: CommandApiDax;
  /** Authentication of the endpoint. Default "AWS_IAM". */
  readonly auth?: CommandApiAuth;
  /** Largest request body accepted, in bytes (413 above). Default 262,144. */
  readonly maxBodyBytes?: pulumi.Input<number>;
  /** The service name in logs and metrics. Default: the component's name. */
  readonly serviceName?: pulumi.Input<string>;
  /** Requests the function serves at once at most (protects the ledger's hot partitions). Default: unreserved. */
  readonly reservedConcurrency?: pulumi.Input<number>;
  /** Alarms on errors and throttles. Default on, without actions. */
  readonly alarms?: AlarmsArgs;
}

/**
 * The command side deployed: a Lambda behind a function URL (IAM-authenticated by default)
 * serving `POST /aggregates/{id}/commands`, `POST /commands` and `GET /aggregates/{id}`.
 */
export class CommandApi extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  /** The role the function runs with: its own, or `role.existing`. */
  readonly role: RoleRef;
  /** The function's log group, unless `logGroup.existing` or `logGroup.skip` was given. */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The group the function logs to. */
  readonly logGroupName: pulumi.Output<string>;
  readonly functionUrl: aws.lambda.FunctionUrl;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly url: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /**
   * What a caller's role needs to call the endpoint: `lambda:InvokeFunctionUrl` (for the URL's auth
   * type) and `lambda:InvokeFunction` through the function URL only. Attach both to your clients' roles.
   */
  readonly invokeStatements: PolicyStatement[];
  /** The DAX cluster, when `dax` was given. */
  readonly daxCluster?: aws.dax.Cluster;

  constructor(name: string, args: CommandApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:command:CommandApi", name, {}, opts);
    const auth = args.auth ?? "AWS_IAM";
    if (auth !== "AWS_IAM" && !(auth.type === "NONE" && auth.acknowledgePublicEndpoint === true)) {
      throw new Error(`CommandApi "${name}": auth must be "AWS_IAM" or { type: "NONE", acknowledgePublicEndpoint: true }`);
    }
    const { ledger, replica } = args;
    const component = `CommandApi "${name}"`;
    const setting = {
      start:
        args.start === undefined ? undefined : settingVariable(component, "start", args.start, { kind: "choice", choices: START_POLICIES }),
      rememberedAggregates:
        args.rememberedAggregates === undefined
          ? undefined
          : settingVariable(component, "rememberedAggregates", args.rememberedAggregates, { kind: "integer", min: 0 }),
      maxBodyBytes:
        args.maxBodyBytes === undefined
          ? undefined
          : settingVariable(component, "maxBodyBytes", args.maxBodyBytes, { kind: "integer", min: 1 }),
    };
    // An append decided on a state not read from the ledger (the replica's row, or a remembered
    // aggregate decided on at once) checks in its transaction that the predecessor exists.
    const checksPredecessors = args.start === "decide-first";
    const statements: PolicyStatement[] = [
      // Loads and catch-ups query the ledger; a commit is a PutItem, or a transaction of PutItems
      // (idempotency records, multi-aggregate commits) with, when deciding on a state it did not
      // read, a ConditionCheckItem proving that state's version exists.
      {
        Sid: "Ledger",
        Effect: "Allow",
        Action: ["dynamodb:Query", "dynamodb:PutItem", ...(checksPredecessors ? ["dynamodb:ConditionCheckItem"] : [])],
        Resource: [ledger.tableArn],
      },
      // A key is recorded in the command's write; a keyed command refused before its write reads the
      // key's record (GetItem), so that a repeat is answered with the first outcome.
      {
        Sid: "IdempotencyKeys",
        Effect: "Allow",
        Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
        Resource: [ledger.idempotencyTableArn],
      },
      replica
        ? { Sid: "Replica", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [replica.tableArn] }
        : { Sid: "Snapshots", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [ledger.snapshotTableArn] },
      ...kmsStatements(ledger.kmsKeyArn),
    ];
    if (args.dax && !replica) throw new Error(`CommandApi "${name}": dax caches the replica's rows; give a replica too`);
    const dax = args.dax && replica ? daxInFront(name, args.dax, replica, ledger.kmsKeyArn, args.tags, this) : undefined;
    if (dax) statements.push({ Sid: "ReplicaThroughDax", Effect: "Allow", Action: DAX_ITEM_READ_ACTIONS, Resource: [dax.cluster.arn] });
    this.daxCluster = dax?.cluster;
    const bundle: HandlerBundleSpec = {
      kind: dax ? "commandApiDax" : "commandApi",
      module: args.domainModule,
      exportName: args.domainExport ?? "default",
    };
    const { fn, role, logGroup, logGroupName } = handlerFunction(
      name,
      {
        component,
        bundle,
        environment: {
          [ENV.ledgerTable]: ledger.tableName,
          [ENV.idempotencyTable]: ledger.idempotencyTableName,
          ...(replica ? { [ENV.replicaTable]: replica.tableName } : { [ENV.snapshotTable]: ledger.snapshotTableName }),
          ...(setting.maxBodyBytes ? { [ENV.maxBodyBytes]: setting.maxBodyBytes } : {}),
          ...(setting.start ? { [ENV.startPolicy]: setting.start } : {}),
          ...(setting.rememberedAggregates ? { [ENV.rememberedAggregates]: setting.rememberedAggregates } : {}),
          ...(dax ? { [ENV.daxEndpoint]: pulumi.interpolate`daxs://${dax.cluster.clusterAddress}` } : {}),
        },
        vpc: dax ? { subnetIds: args.dax!.subnetIds, securityGroupIds: [dax.functionSecurityGroup.id] } : undefined,
        statements,
        defaults: { memorySize: 512, timeout: 29 },
        serviceName: args.serviceName ?? name,
        asked: args,
        reservedConcurrency: args.reservedConcurrency,
      },
      this,
    );
    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.logGroupName = logGroupName;
    this.functionUrl = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: fn.name, authorizationType: auth === "AWS_IAM" ? "AWS_IAM" : "NONE" },
      { parent: this },
    );
    if (auth !== "AWS_IAM") {
      // A public URL answers only once its resource policy lets anyone invoke both the URL and,
      // through the URL only, the function.
      new aws.lambda.Permission(
        `${name}-public`,
        { function: fn.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" },
        { parent: this },
      );
      new aws.lambda.Permission(
        `${name}-public-invoke`,
        { function: fn.name, action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true },
        { parent: this },
      );
    }
    // lambda:FunctionUrlAuthType applies to InvokeFunctionUrl only, lambda:InvokedViaFunctionUrl to
    // InvokeFunction only: one statement each.
    this.invokeStatements = [
      {
        Sid: "InvokeCommandApiUrl",
        Effect: "Allow",
        Action: ["lambda:InvokeFunctionUrl"],
        Resource: [fn.arn],
        Condition: { StringEquals: { "lambda:FunctionUrlAuthType": auth === "AWS_IAM" ? "AWS_IAM" : "NONE" } },
      },
      {
        Sid: "InvokeCommandApiFunction",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [fn.arn],
        Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } },
      },
    ];
    this.alarms = functionAlarms(name, fn, args.alarms ?? {}, { parent: this, tags: args.tags });
    this.url = this.functionUrl.functionUrl;
    this.functionName = fn.name;
    recordComponent({
      kind: "CommandApi",
      name,
      ledger: args.ledger,
      domain: { module: args.domainModule, exportName: args.domainExport ?? "default" },
      domainName: definitionName(bundle),
      replica: args.replica,
      start: args.start,
    });
    this.registerOutputs({ url: this.url, functionName: this.functionName });
  }
}
