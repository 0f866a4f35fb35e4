import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerBundleSpec, handlerArchive } from "./bundle";
import { PolicyStatement, policyDocument } from "./policy";
import { VPC_NETWORK_INTERFACES } from "./servicePermissions";
import { nameArgs } from "./stackNames";

/** Tags as every taggable resource takes them. */
export type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** A role made elsewhere (shared, or under a permissions boundary your organisation requires). */
export interface RoleRef {
  /** The role's name: the component attaches its least-privilege statements to it as an inline policy. */
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

/** What every function of the library accepts, beside its component's own arguments. */
export interface FunctionArgs {
  /** Lambda runtime. Default "nodejs22.x". */
  runtime?: pulumi.Input<string>;
  /** Memory in MB. Default: the component's (dispatcher 512, projector 256, command API 512). */
  memorySize?: pulumi.Input<number>;
  /** Timeout in seconds. Default: the component's (dispatcher 60, projector 30, command API 29). */
  timeout?: pulumi.Input<number>;
  /** Log retention in days. Default 30. */
  logRetentionDays?: pulumi.Input<number>;
  /** Log level of the function (POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR). Default "INFO". */
  logLevel?: pulumi.Input<string>;
  /** CloudWatch namespace of the function's metrics (EMF). Default "EventLedger". */
  metricsNamespace?: pulumi.Input<string>;
  /** More statements for the function's role (e.g. to read a table of your own). */
  extraStatements?: PolicyStatement[];
  /** More environment variables; the component's own win on a clash. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Use this role instead of creating one; the function's statements are still attached to it. Default: a role of its own. */
  role?: RoleRef;
  /** Tags on the function, its role and log group (and the component's other resources). Default none. */
  tags?: Tags;
}

export interface HandlerFunctionArgs {
  bundle: HandlerBundleSpec;
  /** The component's variables (they win over `function.environment`). */
  environment: Record<string, pulumi.Input<string>>;
  /** What the function may do besides writing its own logs. */
  statements: PolicyStatement[];
  /** The component's defaults for memory and timeout. */
  defaults: { memorySize: number; timeout: number };
  /** Concurrent executions reserved (and allowed at most). Default: unreserved. */
  reservedConcurrency?: pulumi.Input<number>;
  /** Run the function in these subnets with these security groups (it then needs the ENI permissions Lambda uses). */
  vpc?: { subnetIds: pulumi.Input<pulumi.Input<string>[]>; securityGroupIds: pulumi.Input<pulumi.Input<string>[]> };
  /** What the user asked for. */
  function: FunctionArgs;
  /** The service name for logs and metrics. */
  serviceName: pulumi.Input<string>;
}

/**
 * A bundled Lambda with its own log group, role and inline least-privilege policy
 * (the role can write only to its own log group). Children of `parent`, named `${name}-*`.
 */
export function handlerFunction(name: string, args: HandlerFunctionArgs, parent: pulumi.Resource) {
  const options = args.function;
  const tags = options.tags;
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: options.logRetentionDays ?? 30, tags, ...nameArgs("logGroup", name, "logs") }, { parent });
  const role: RoleRef =
    options.role ??
    new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
        ...nameArgs("iamRole", name, "role"),
      },
      { parent },
    );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.name,
      policy: policyDocument([
        { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [pulumi.interpolate`${logGroup.arn}:*`] },
        ...args.statements,
        ...(args.vpc ? [VPC_NETWORK_INTERFACES] : []),
        ...(options.extraStatements ?? []),
      ]),
      ...nameArgs("iamRolePolicy", name, "policy"),
    },
    { parent },
  );
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      code: handlerArchive(args.bundle),
      handler: "index.handler",
      runtime: options.runtime ?? "nodejs22.x",
      architectures: ["arm64"],
      role: role.arn,
      memorySize: options.memorySize ?? args.defaults.memorySize,
      timeout: options.timeout ?? args.defaults.timeout,
      environment: {
        variables: {
          POWERTOOLS_SERVICE_NAME: args.serviceName,
          POWERTOOLS_METRICS_NAMESPACE: options.metricsNamespace ?? "EventLedger",
          POWERTOOLS_LOG_LEVEL: options.logLevel ?? "INFO",
          ...options.environment,
          ...args.environment,
        },
      },
      reservedConcurrentExecutions: args.reservedConcurrency,
      vpcConfig: args.vpc,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      tags,
      ...nameArgs("lambdaFunction", name, "function"),
    },
    // The policy must exist before the event source mapping polls with the role.
    { parent, dependsOn: [policy] },
  );
  return { fn, role, policy, logGroup };
}
