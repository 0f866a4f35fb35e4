import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerBundleSpec, handlerArchive } from "./bundle";
import { PolicyStatement, policyDocument } from "./policy";

export interface HandlerFunctionArgs {
  bundle: HandlerBundleSpec;
  environment: Record<string, pulumi.Input<string>>;
  /** What the function may do besides writing its own logs. */
  statements: PolicyStatement[];
  runtime: pulumi.Input<string>;
  memorySize: pulumi.Input<number>;
  timeout: pulumi.Input<number>;
  logRetentionDays: pulumi.Input<number>;
  /** Concurrent executions reserved (and allowed at most). Default: unreserved. */
  reservedConcurrency?: pulumi.Input<number>;
}

/**
 * A bundled Lambda with its own log group, role and inline least-privilege policy
 * (the role can write only to its own log group). Children of `parent`, named `${name}-*`.
 */
export function handlerFunction(name: string, args: HandlerFunctionArgs, parent: pulumi.Resource) {
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, { parent });
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.id,
      policy: policyDocument([
        { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [pulumi.interpolate`${logGroup.arn}:*`] },
        ...args.statements,
      ]),
    },
    { parent },
  );
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      code: handlerArchive(args.bundle),
      handler: "index.handler",
      runtime: args.runtime,
      architectures: ["arm64"],
      role: role.arn,
      memorySize: args.memorySize,
      timeout: args.timeout,
      environment: { variables: args.environment },
      reservedConcurrentExecutions: args.reservedConcurrency,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
    },
    // The policy must exist before the event source mapping polls with the role.
    { parent, dependsOn: [policy] },
  );
  return { fn, role, policy, logGroup };
}
