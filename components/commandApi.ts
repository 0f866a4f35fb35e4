import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMMAND_STARTS, CommandStart, ENV, REMEMBERED_STARTS, RememberedStart } from "../handlers/runtime/ledger/conventions";
import { AlarmsArgs, functionAlarms } from "./alarms";
import { EventLedger } from "./eventLedger";
import { FunctionArgs, RoleRef, handlerFunction } from "./handlerFunction";
import { checkGivenName, daxClusterName } from "./names";
import { PolicyStatement, kmsStatements, policyDocument } from "./policy";
import { Projector } from "./projector";
import { settingVariable } from "./settings";
import { DAX_ITEM_READ_ACTIONS } from "./servicePermissions";
import { nameArgs } from "./stackNames";

/**
 * Who may call the endpoint. "AWS_IAM" (default): SigV4-signed requests from principals granted
 * `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` (see `invokeStatements`). A public endpoint
 * must be asked for by name, so authentication is never dropped by leaving an argument out.
 */
export type CommandApiAuth = "AWS_IAM" | { type: "NONE"; acknowledgePublicEndpoint: true };

/**
 * A DAX cluster in front of the replica (seed 000): commands and eventual reads take replica rows
 * from its cache; the ledger is still read consistently and written in DynamoDB. The function runs
 * in the VPC; the VPC needs a route to DynamoDB (a gateway endpoint: give `routeTableIds` to have
 * one created) and to CloudWatch Logs is not needed (Lambda ships logs itself).
 */
export interface CommandApiDax {
  /** The VPC of the cluster and the function. */
  vpcId: pulumi.Input<string>;
  /** Private subnets, in two or more availability zones, for the cluster's nodes and the function. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Route tables of those subnets: a DynamoDB gateway endpoint is created on them. Default: none created (the VPC has one). */
  routeTableIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The cluster's name (at most 20 characters: letters, digits, hyphens; a letter first, no two
   * hyphens in a row, none at the end). Default: derived from the component's name.
   */
  clusterName?: pulumi.Input<string>;
  /**
   * A production stage: the defaults become 3 nodes, spread over the subnets' zones, so a node's
   * failure or maintenance leaves the cache up. Default false: 1 node (a dev or test stage pays for one).
   */
  production?: boolean;
  /** Node type. Default "dax.t3.small" on every stage (burstable; choose an r-type node for sustained production load). */
  nodeType?: pulumi.Input<string>;
  /** Nodes (1 to 11). Default: 3 when `production`, else 1. */
  replicationFactor?: pulumi.Input<number>;
  /** How long DAX keeps an item it read, in ms. Default 1000: a starting point is only a hint, the ledger decides. */
  itemTtlMillis?: pulumi.Input<number>;
}

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
  /**
   * Aggregates a warm function instance remembers as its commands left them (least recently used
   * dropped first); a command on one starts from it instead of the replica. Default 1,000; 0 turns it off.
   */
  rememberedAggregates?: pulumi.Input<number>;
  /**
   * How a command starts from a remembered aggregate: "catch-up" (default: one query of the events
   * after it, then the write) or "decide" (the write at once, refused and caught up when another
   * instance wrote in between: for traffic one instance serves per aggregate). See the README's
   * "What a warm handler remembers".
   */
  rememberedStart?: RememberedStart;
  /** Read the replica through a DAX cluster created for it (needs `replica`). Default: no DAX. */
  dax?: CommandApiDax;
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
      start: args.start === undefined ? undefined : settingVariable(component, "start", args.start, { kind: "choice", choices: COMMAND_STARTS }),
      rememberedStart: args.rememberedStart === undefined ? undefined : settingVariable(component, "rememberedStart", args.rememberedStart, { kind: "choice", choices: REMEMBERED_STARTS }),
      rememberedAggregates: args.rememberedAggregates === undefined ? undefined : settingVariable(component, "rememberedAggregates", args.rememberedAggregates, { kind: "integer", min: 0 }),
      maxBodyBytes: args.maxBodyBytes === undefined ? undefined : settingVariable(component, "maxBodyBytes", args.maxBodyBytes, { kind: "integer", min: 1 }),
    };
    // An append decided on a state not read from the ledger (the replica's row, or a remembered
    // aggregate decided on at once) checks in its transaction that the predecessor exists.
    const checksPredecessors = (args.start === "decide-on-replica" && replica !== undefined) || args.rememberedStart === "decide";
    const statements: PolicyStatement[] = [
      // Loads and catch-ups query the ledger; a commit is a PutItem, or a transaction of PutItems
      // (idempotency records, multi-aggregate commits) with, when deciding on a state it did not
      // read, a ConditionCheckItem proving that state's version exists.
      { Sid: "Ledger", Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:PutItem", ...(checksPredecessors ? ["dynamodb:ConditionCheckItem"] : [])], Resource: [ledger.tableArn] },
      { Sid: "IdempotencyKeys", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [ledger.idempotencyTableArn] },
      replica
        ? { Sid: "Replica", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [replica.tableArn] }
        : { Sid: "Snapshots", Effect: "Allow", Action: ["dynamodb:Query"], Resource: [ledger.snapshotTableArn] },
      ...kmsStatements(ledger.kmsKeyArn),
    ];
    if (args.dax && !replica) throw new Error(`CommandApi "${name}": dax caches the replica's rows; give a replica too`);
    const dax = args.dax && replica ? daxInFront(name, args.dax, replica, ledger.kmsKeyArn, args.tags, this) : undefined;
    if (dax) statements.push({ Sid: "ReplicaThroughDax", Effect: "Allow", Action: DAX_ITEM_READ_ACTIONS, Resource: [dax.cluster.arn] });
    this.daxCluster = dax?.cluster;
    const { fn, role, logGroup } = handlerFunction(
      name,
      {
        bundle: { kind: dax ? "commandApiDax" : "commandApi", module: args.domainModule, exportName: args.domainExport ?? "default" },
        environment: {
          [ENV.ledgerTable]: ledger.tableName,
          [ENV.idempotencyTable]: ledger.idempotencyTableName,
          ...(replica ? { [ENV.replicaTable]: replica.tableName } : { [ENV.snapshotTable]: ledger.snapshotTableName }),
          ...(setting.maxBodyBytes ? { [ENV.maxBodyBytes]: setting.maxBodyBytes } : {}),
          ...(setting.start ? { [ENV.commandStart]: setting.start } : {}),
          ...(setting.rememberedAggregates ? { [ENV.rememberedAggregates]: setting.rememberedAggregates } : {}),
          ...(setting.rememberedStart ? { [ENV.rememberedStart]: setting.rememberedStart } : {}),
          ...(dax ? { [ENV.daxEndpoint]: pulumi.interpolate`daxs://${dax.cluster.clusterAddress}` } : {}),
        },
        vpc: dax ? { subnetIds: args.dax!.subnetIds, securityGroupIds: [dax.functionSecurityGroup.id] } : undefined,
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
      // A public URL answers only once its resource policy lets anyone invoke both the URL and,
      // through the URL only, the function.
      new aws.lambda.Permission(`${name}-public`, { function: fn.name, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }, { parent: this });
      new aws.lambda.Permission(`${name}-public-invoke`, { function: fn.name, action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true }, { parent: this });
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
      { Sid: "InvokeCommandApiFunction", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [fn.arn], Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } } },
    ];
    this.alarms = functionAlarms(name, fn, args.alarms ?? {}, { parent: this, tags: args.tags });
    this.url = this.functionUrl.functionUrl;
    this.functionName = fn.name;
    this.registerOutputs({ url: this.url, functionName: this.functionName });
  }
}

/**
 * The cluster and what it needs: a security group that admits only the function's, a subnet group,
 * parameters (item TTL), a role DAX reads the replica table with, encryption at rest and in transit,
 * and when asked a DynamoDB gateway endpoint for the function's ledger calls.
 */
function daxInFront(name: string, dax: CommandApiDax, replica: Projector, kmsKeyArn: pulumi.Input<string> | undefined, tags: FunctionArgs["tags"], parent: pulumi.Resource) {
  const functionSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-function-sg`,
    { vpcId: dax.vpcId, description: "CommandApi function: outbound to DAX and DynamoDB", egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }], tags, ...nameArgs("securityGroup", name, "function-sg") },
    { parent },
  );
  const clusterSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-dax-sg`,
    { vpcId: dax.vpcId, description: "DAX: the CommandApi function only (TLS port 9111)", ingress: [{ protocol: "tcp", fromPort: 9111, toPort: 9111, securityGroups: [functionSecurityGroup.id] }], tags, ...nameArgs("securityGroup", name, "dax-sg") },
    { parent },
  );
  const subnetGroup = new aws.dax.SubnetGroup(`${name}-dax-subnets`, { subnetIds: dax.subnetIds, ...nameArgs("daxSubnetGroup", name, "dax-subnets") }, { parent });
  const ttl = pulumi.output(dax.itemTtlMillis ?? 1000).apply(String);
  const parameterGroup = new aws.dax.ParameterGroup(
    `${name}-dax-params`,
    { parameters: [{ name: "record-ttl-millis", value: ttl }, { name: "query-ttl-millis", value: ttl }], ...nameArgs("daxParameterGroup", name, "dax-params") },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-dax-role`,
    { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "dax.amazonaws.com" }, Action: "sts:AssumeRole" }] }), tags, ...nameArgs("iamRole", name, "dax-role") },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-dax-policy`,
    { role: role.name, policy: policyDocument([{ Sid: "ReadReplica", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [replica.tableArn] }, ...kmsStatements(kmsKeyArn)]), ...nameArgs("iamRolePolicy", name, "dax-policy") },
    { parent },
  );
  const cluster = new aws.dax.Cluster(
    `${name}-dax`,
    {
      clusterName: givenClusterName(name, dax.clusterName) ?? daxClusterName(name),
      iamRoleArn: role.arn,
      nodeType: dax.nodeType ?? "dax.t3.small",
      replicationFactor: dax.replicationFactor ?? (dax.production ? 3 : 1),
      subnetGroupName: subnetGroup.name,
      parameterGroupName: parameterGroup.name,
      securityGroupIds: [clusterSecurityGroup.id],
      serverSideEncryption: { enabled: true },
      clusterEndpointEncryptionType: "TLS",
      tags,
    },
    { parent, dependsOn: [policy] },
  );
  if (dax.routeTableIds) {
    const region = aws.getRegionOutput({}, { parent });
    new aws.ec2.VpcEndpoint(
      `${name}-dynamodb-endpoint`,
      { vpcId: dax.vpcId, serviceName: pulumi.interpolate`com.amazonaws.${region.region}.dynamodb`, vpcEndpointType: "Gateway", routeTableIds: dax.routeTableIds, tags },
      { parent },
    );
  }
  return { cluster, functionSecurityGroup };
}

/** The cluster name the user gave, refused when DAX would refuse it (an Output once it is known). */
function givenClusterName(component: string, clusterName: pulumi.Input<string> | undefined): pulumi.Input<string> | undefined {
  if (clusterName === undefined) return undefined;
  const check = (value: string) => checkGivenName("daxCluster", value, `CommandApi "${component}"`, "dax.clusterName");
  return typeof clusterName === "string" ? check(clusterName) : pulumi.output(clusterName).apply(check);
}
