import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerBundleSpec, handlerArchive } from "./bundle";
import { PolicyStatement, policyDocument } from "./policy";
import { VPC_NETWORK_INTERFACES } from "./servicePermissions";
import { LIMITS, checkedNumber } from "./settings";
import { nameArgs } from "./stackNames";

/** Tags as every taggable resource takes them. */
export type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** A role made elsewhere (shared, or under a permissions boundary your organisation requires). */
export interface RoleRef {
  /** The role's name: the component attaches its least-privilege statements to it as an inline policy. */
  readonly name: pulumi.Input<string>;
  /** The role's ARN: the function runs with it. */
  readonly arn: pulumi.Input<string>;
}

/** A CloudWatch log group made elsewhere. */
export interface LogGroupRef {
  /** The group's name: the function's logs go there. */
  readonly name: pulumi.Input<string>;
  /** The group's ARN (with or without the trailing `:*`): the function's role may write its streams. */
  readonly arn: pulumi.Input<string>;
}

/** What the function runs and how, beside its component's own arguments. */
export interface FunctionArgs {
  /** Lambda runtime. Default "nodejs22.x". */
  readonly runtime?: pulumi.Input<string>;
  /** Memory in MB. Default: the component's (dispatcher 512, projector 256, command API 512). */
  readonly memorySize?: pulumi.Input<number>;
  /** Timeout in seconds. Default: the component's (dispatcher 60, projector 30, command API 29). */
  readonly timeout?: pulumi.Input<number>;
  /**
   * Log level of the function (POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR). At INFO it writes
   * one line per invocation (a CommandApi request's method, path and status; a batch's counts);
   * WARN leaves that out, about 450 bytes of CloudWatch Logs per invocation. Default "INFO".
   */
  readonly logLevel?: pulumi.Input<string>;
  /**
   * Level of the system logs Lambda itself writes for the function (DEBUG, INFO, WARN). At INFO
   * Lambda writes a start and a report line per invocation, about 700 bytes in CloudWatch Logs;
   * WARN leaves them out, and Lambda's own metrics (duration, errors, throttles) stay. Default
   * Lambda's ("INFO").
   */
  readonly systemLogLevel?: pulumi.Input<string>;
  /** CloudWatch namespace of the function's metrics (EMF). Default "EventLedger". */
  readonly metricsNamespace?: pulumi.Input<string>;
  /** More statements for the function's role (e.g. to read a table of your own). Default none. */
  readonly extraStatements?: PolicyStatement[];
  /** More environment variables; the component's own win on a clash. Default none. */
  readonly environment?: Record<string, pulumi.Input<string>>;
}

/** More arguments for the role a component creates for its function; its trust policy (Lambda) and its name stay the component's. */
export interface FunctionRoleCreateArgs {
  /** ARN of the policy bounding what the role may be granted (a permissions boundary your organisation may require). Default none. */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /** Path of the role. Default "/". */
  readonly path?: pulumi.Input<string>;
  /** Description of the role. Default none. */
  readonly description?: pulumi.Input<string>;
  /** Longest session, in seconds, of the role (3600 to 43200). Default 3600. */
  readonly maxSessionDuration?: pulumi.Input<number>;
  /** Tags of the role. Default: the component's `tags`. */
  readonly tags?: Tags;
}

/** The function's role: created (optionally with more arguments), or one of yours. Give at most one of the two. */
export interface FunctionRoleArgs {
  /** Create the role with these arguments too. Default: a role of its own with the component's tags. */
  readonly args?: FunctionRoleCreateArgs;
  /** Use this role instead of creating one; the function's least-privilege statements are attached to it as an inline policy. Default: a role of its own. */
  readonly existing?: RoleRef;
}

/** Arguments of the log group a component creates for its function. */
export interface FunctionLogGroupCreateArgs {
  /** Days the group keeps events: one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; 0: never expire). Default 30. */
  readonly retentionInDays?: pulumi.Input<number>;
  /** ARN of the KMS key encrypting the events (its key policy must let CloudWatch Logs use it). Default: CloudWatch Logs' own encryption. */
  readonly kmsKeyId?: pulumi.Input<string>;
  /** "STANDARD" or "INFREQUENT_ACCESS". Default "STANDARD". */
  readonly logGroupClass?: pulumi.Input<string>;
  /** Tags of the group. Default: the component's `tags`. */
  readonly tags?: Tags;
}

/**
 * Where the function logs: a group the component creates (optionally with more arguments), one of
 * yours, or none (`skip`: Lambda writes to its default `/aws/lambda/<function name>` group, creating
 * it when missing, without retention). Give at most one of the three.
 */
export interface FunctionLogGroupArgs {
  /** Create the group with these arguments. Default: a group of its own keeping events 30 days. */
  readonly args?: FunctionLogGroupCreateArgs;
  /** Log to this group instead of creating one; the role may write only its streams. Default: a group of its own. */
  readonly existing?: LogGroupRef;
  /** Create no group and name none: the function logs to Lambda's default group, which its role may create and write. Default false. */
  readonly skip?: boolean;
}

/** The arguments every component that runs a function takes, beside its own. */
export interface FunctionComponentArgs {
  /** What the function runs and how. Default: the component's defaults. */
  readonly function?: FunctionArgs;
  /** The function's role. Default: a role of its own. */
  readonly role?: FunctionRoleArgs;
  /** The function's log group. Default: a group of its own keeping events 30 days. */
  readonly logGroup?: FunctionLogGroupArgs;
  /** Tags on everything the component creates that takes tags (function, role, log group, queues, alarms, mappings...). Default none. */
  readonly tags?: Tags;
}

export interface HandlerFunctionArgs {
  /** The component as messages name it, e.g. `Projector "svc-balances"`. */
  readonly component: string;
  readonly bundle: HandlerBundleSpec;
  /** The component's variables (they win over `function.environment`). */
  readonly environment: Record<string, pulumi.Input<string>>;
  /** What the function may do besides writing its own logs. */
  readonly statements: PolicyStatement[];
  /** The component's defaults for memory and timeout. */
  readonly defaults: { readonly memorySize: number; readonly timeout: number };
  /** Concurrent executions reserved (and allowed at most). Default: unreserved. */
  readonly reservedConcurrency?: pulumi.Input<number>;
  /** Run the function in these subnets with these security groups (it then needs the ENI permissions Lambda uses). */
  readonly vpc?: {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
  /** What the user asked for. */
  readonly asked: FunctionComponentArgs;
  /** The service name for logs and metrics. */
  readonly serviceName: pulumi.Input<string>;
}

export interface HandlerFunction {
  readonly fn: aws.lambda.Function;
  /** The role the function runs with: its own, or the one given. */
  readonly role: RoleRef;
  /** The inline policy of its statements (an event source mapping polls with them). */
  readonly policy: aws.iam.RolePolicy;
  /** The log group it created, if it created one. */
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The group the function logs to, in every case. */
  readonly logGroupName: pulumi.Output<string>;
}

const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Refuses hatches given together that contradict each other, saying which to keep. */
function checkHatches(component: string, asked: FunctionComponentArgs): void {
  if (asked.role?.args && asked.role.existing) {
    throw new Error(
      `${component}: only one of \`role.existing\` or \`role.args\` can be provided (\`args\` shapes the role the component creates; \`existing\` replaces it)`,
    );
  }
  const logGroup = asked.logGroup ?? {};
  const given = (["args", "existing", "skip"] as const).filter((hatch) =>
    hatch === "skip" ? logGroup.skip === true : logGroup[hatch] !== undefined,
  );
  if (given.length > 1) {
    throw new Error(
      `${component}: only one of \`logGroup.args\`, \`logGroup.existing\` or \`logGroup.skip\` can be provided (got ${given.map((hatch) => `\`logGroup.${hatch}\``).join(" and ")})`,
    );
  }
}

/**
 * A bundled Lambda with its log group, role and inline least-privilege policy (the role can write
 * only to the function's log group). Children of `parent`, named `${name}-*`.
 */
export function handlerFunction(name: string, args: HandlerFunctionArgs, parent: pulumi.Resource): HandlerFunction {
  const { asked, component } = args;
  checkHatches(component, asked);
  const options = asked.function ?? {};
  const tags = asked.tags;
  const logGroup =
    asked.logGroup?.existing || asked.logGroup?.skip
      ? undefined
      : new aws.cloudwatch.LogGroup(
          `${name}-logs`,
          {
            retentionInDays: checkedNumber(
              component,
              "logGroup.args.retentionInDays",
              asked.logGroup?.args?.retentionInDays ?? 30,
              LIMITS.logRetentionDays,
            ),
            kmsKeyId: asked.logGroup?.args?.kmsKeyId,
            logGroupClass: asked.logGroup?.args?.logGroupClass,
            tags: asked.logGroup?.args?.tags ?? tags,
            ...nameArgs("logGroup", name, "logs"),
          },
          { parent },
        );
  const ownLogs: LogGroupRef | undefined = logGroup ?? asked.logGroup?.existing;
  const roleArgs = asked.role?.args ?? {};
  const role: RoleRef =
    asked.role?.existing ??
    new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: LAMBDA_TRUST,
        permissionsBoundary: roleArgs.permissionsBoundary,
        path: roleArgs.path,
        description: roleArgs.description,
        maxSessionDuration: roleArgs.maxSessionDuration,
        tags: roleArgs.tags ?? tags,
        ...nameArgs("iamRole", name, "role"),
      },
      { parent },
    );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.name,
      policy: policyDocument([
        ...(ownLogs
          ? [
              {
                Sid: "OwnLogs",
                Effect: "Allow" as const,
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [pulumi.interpolate`${withoutStreams(ownLogs.arn)}:*`],
              },
            ]
          : []),
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
      // Without a group named, Lambda logs to /aws/lambda/<function name>.
      loggingConfig: {
        logFormat: "JSON",
        ...(ownLogs ? { logGroup: ownLogs.name } : {}),
        ...(options.systemLogLevel !== undefined ? { systemLogLevel: options.systemLogLevel } : {}),
      },
      tags,
      ...nameArgs("lambdaFunction", name, "function"),
    },
    // The policy must exist before the event source mapping polls with the role.
    { parent, dependsOn: [policy] },
  );
  if (!ownLogs) defaultLogGroupPolicy(name, fn, role, parent);
  const logGroupName = ownLogs ? pulumi.output(ownLogs.name) : pulumi.interpolate`/aws/lambda/${fn.name}`;
  return { fn, role, policy, logGroup, logGroupName };
}

/** A log group's ARN as the group itself, without the `:*` some APIs append. */
const withoutStreams = (arn: pulumi.Input<string>): pulumi.Output<string> => pulumi.output(arn).apply((value) => value.replace(/:\*$/, ""));

/**
 * Lambda's default group of the function, `/aws/lambda/<function name>`: its role may create it and
 * write its streams. Its name is known once the function is, so this policy follows the function
 * (its first logs may precede it); the group's ARN is built from the function's region and account.
 */
function defaultLogGroupPolicy(name: string, fn: aws.lambda.Function, role: RoleRef, parent: pulumi.Resource): aws.iam.RolePolicy {
  const groupArn = pulumi.all([fn.arn, fn.name]).apply(([arn, functionName]) => {
    const [, partition, , region, account] = arn.split(":");
    return `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${functionName}:*`;
  });
  return new aws.iam.RolePolicy(
    `${name}-log-policy`,
    {
      role: role.name,
      policy: policyDocument([
        {
          Sid: "DefaultLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [groupArn],
        },
      ]),
      ...nameArgs("iamRolePolicy", name, "log-policy"),
    },
    { parent },
  );
}
