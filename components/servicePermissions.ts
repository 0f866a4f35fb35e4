import type { PolicyStatement } from "./policy";

/**
 * Permissions the deployed stack relies on that no handler call shows: what AWS services do on
 * the components' behalf (event source mappings, EventBridge targets, DAX, Lambda's VPC attachment,
 * KMS behind encrypted tables) and what callers need. docs/deploy.md shows this table;
 * tests/components/servicePermissions.test.ts derives it from a composed stack.
 */
export interface ServicePermission {
  /** Who acts: a service, or a service acting with a role the stack creates. */
  principal: string;
  /** IAM actions, sorted. */
  actions: string[];
  /** What they act on. */
  resource: string;
  /** When the stack relies on it. */
  when: string;
  /** Where the stack grants it. */
  grantedBy: string;
  /** The AWS documentation that requires it. */
  source: string;
}

const DOCS = {
  executionRole: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
  logs: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html",
  dynamodbStreams: "https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html",
  streamFailures: "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
  sqs: "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
  eventBridgeSqs: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions",
  eventBridgeDlq: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html",
  functionUrls: "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
  vpc: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html",
  daxDataPlane: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.cluster-management.html",
  daxServiceRole: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.create-cluster.html",
  tableKeys: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html",
  schedulerRole: "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role",
  schedulerDlq: "https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html",
} as const;

/**
 * What Lambda does with a function's role to attach it to a VPC: the EC2 actions of the managed
 * AWSLambdaVPCAccessExecutionRole (its logs actions are in the function's own statement). They take
 * no resource-level permissions, so this is the one statement on "*", only for functions in a VPC.
 */
export const VPC_NETWORK_INTERFACES: PolicyStatement = {
  Sid: "VpcNetworkInterfaces",
  Effect: "Allow",
  Action: [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
  ],
  Resource: ["*"],
};

/**
 * What the DAX client asks of the cluster to read an item: the item read itself and the protocol
 * calls it makes first (the cluster's nodes, the table's key schema, attribute lists).
 */
export const DAX_ITEM_READ_ACTIONS = [
  "dax:GetItem",
  "dax:Endpoints",
  "dax:DefineKeySchema",
  "dax:DefineAttributeList",
  "dax:DefineAttributeListId",
];

const KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];
const sorted = (actions: string[]) => [...actions].sort();

export const SERVICE_PERMISSIONS: ServicePermission[] = [
  {
    principal: "Lambda (lambda.amazonaws.com)",
    actions: ["sts:AssumeRole"],
    resource: "each function's role",
    when: "always (unless `role.existing` is given)",
    grantedBy: "the role's trust policy",
    source: DOCS.executionRole,
  },
  {
    principal: "Lambda, with a function's role",
    actions: sorted(["logs:CreateLogStream", "logs:PutLogEvents"]),
    resource: "the function's log group",
    when: "always (unless `logGroup.skip`)",
    grantedBy: "role policy, Sid OwnLogs",
    source: DOCS.logs,
  },
  {
    principal: "Lambda, with a function's role",
    actions: sorted(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),
    resource: "the function's default log group (/aws/lambda/<function name>)",
    when: "`logGroup.skip`",
    grantedBy: "role policy `<name>-log-policy`, Sid DefaultLogGroup",
    source: DOCS.logs,
  },
  {
    principal: "the dispatcher's stream mapping, with its function's role",
    actions: sorted(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]),
    resource: "the ledger's stream",
    when: "always",
    grantedBy: "role policy, Sid ReadStream",
    source: DOCS.dynamodbStreams,
  },
  {
    principal: "the dispatcher's stream mapping, with its function's role",
    actions: ["s3:PutObject"],
    resource: "the failed-batches bucket's objects",
    when: "always",
    grantedBy: "role policy, Sid FailedBatches",
    source: DOCS.streamFailures,
  },
  {
    principal: "the dispatcher's stream mapping, with its function's role",
    actions: ["s3:ListBucket"],
    resource: "the failed-batches bucket",
    when: "always",
    grantedBy: "role policy, Sid FailedBatchesBucket",
    source: DOCS.streamFailures,
  },
  {
    principal: "a projector's or reactor's queue mapping, with its function's role",
    actions: sorted(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
    resource: "the projector's or reactor's queue",
    when: "always",
    grantedBy: "role policy, Sid ConsumeQueue",
    source: DOCS.sqs,
  },
  {
    principal: "EventBridge (events.amazonaws.com), for the projector's or reactor's rule",
    actions: ["sqs:SendMessage"],
    resource: "the projector's or reactor's queue",
    when: "always",
    grantedBy: "queue policy (aws:SourceArn = the rule)",
    source: DOCS.eventBridgeSqs,
  },
  {
    principal: "EventBridge (events.amazonaws.com), for the projector's or reactor's rule",
    actions: ["sqs:SendMessage"],
    resource: "the projector's or reactor's dead-letter queue",
    when: "always",
    grantedBy: "dead-letter queue policy (aws:SourceArn = the rule)",
    source: DOCS.eventBridgeDlq,
  },
  {
    principal: "EventBridge Scheduler (scheduler.amazonaws.com)",
    actions: ["sts:AssumeRole"],
    resource: "the reactor's scheduler role (aws:SourceAccount = the reactor's account)",
    when: "Reactor `schedules` (default)",
    grantedBy: "the role's trust policy",
    source: DOCS.schedulerRole,
  },
  {
    principal: "EventBridge Scheduler, with the reactor's scheduler role",
    actions: ["sqs:SendMessage"],
    resource: "the reactor's queue and its dead-letter queue",
    when: "Reactor `schedules` (default)",
    grantedBy: "scheduler role policy, Sid SendDueCommands",
    source: DOCS.schedulerDlq,
  },
  {
    principal: "callers of a CommandApi (your IAM principals)",
    actions: ["lambda:InvokeFunctionUrl"],
    resource: "the CommandApi function, lambda:FunctionUrlAuthType = AWS_IAM",
    when: 'auth "AWS_IAM" (default)',
    grantedBy: "`invokeStatements`, attached by you to the callers",
    source: DOCS.functionUrls,
  },
  {
    principal: "callers of a CommandApi (your IAM principals)",
    actions: ["lambda:InvokeFunction"],
    resource: "the CommandApi function, lambda:InvokedViaFunctionUrl = true",
    when: 'auth "AWS_IAM" (default)',
    grantedBy: "`invokeStatements`, attached by you to the callers",
    source: DOCS.functionUrls,
  },
  {
    principal: "anyone (principal *)",
    actions: ["lambda:InvokeFunctionUrl"],
    resource: "the CommandApi function, lambda:FunctionUrlAuthType = NONE",
    when: "auth NONE",
    grantedBy: "function policy (`<name>-public`)",
    source: DOCS.functionUrls,
  },
  {
    principal: "anyone (principal *)",
    actions: ["lambda:InvokeFunction"],
    resource: "the CommandApi function, lambda:InvokedViaFunctionUrl = true",
    when: "auth NONE",
    grantedBy: "function policy (`<name>-public-invoke`)",
    source: DOCS.functionUrls,
  },
  {
    principal: "Lambda, attaching the CommandApi function to the VPC, with its role",
    actions: sorted(VPC_NETWORK_INTERFACES.Action),
    resource: "* (no resource-level permissions)",
    when: "dax",
    grantedBy: "role policy, Sid VpcNetworkInterfaces",
    source: DOCS.vpc,
  },
  {
    principal: "the DAX client in the CommandApi function, with its role",
    actions: sorted(DAX_ITEM_READ_ACTIONS),
    resource: "the DAX cluster",
    when: "dax",
    grantedBy: "role policy, Sid ReplicaThroughDax",
    source: DOCS.daxDataPlane,
  },
  {
    principal: "DAX (dax.amazonaws.com)",
    actions: ["sts:AssumeRole"],
    resource: "the cluster's service role",
    when: "dax",
    grantedBy: "the role's trust policy",
    source: DOCS.daxServiceRole,
  },
  {
    principal: "DAX, with the cluster's service role",
    actions: ["dynamodb:GetItem"],
    resource: "the replica table",
    when: "dax",
    grantedBy: "DAX role policy, Sid ReadReplica",
    source: DOCS.daxServiceRole,
  },
  {
    principal: "the dispatcher and its stream mapping, with its function's role",
    actions: KMS_ACTIONS,
    resource: "the ledger's customer-managed key",
    when: "EventLedger `kmsKeyArn`",
    grantedBy: "role policy, Sid UseTableKey",
    source: DOCS.tableKeys,
  },
  {
    principal: "a projector, with its function's role",
    actions: KMS_ACTIONS,
    resource: "the customer-managed key of its claim-check or given read-model table",
    when: "Projector `ledger` with EventLedger `kmsKeyArn`, or a `claimCheckTable`/`readModelTable` with `kmsKeyArn`",
    grantedBy: "role policy, Sid UseTableKey",
    source: DOCS.tableKeys,
  },
  {
    principal: "a reactor, with its function's role",
    actions: KMS_ACTIONS,
    resource: "the ledger's customer-managed key",
    when: "EventLedger `kmsKeyArn`",
    grantedBy: "role policy, Sid UseTableKey",
    source: DOCS.tableKeys,
  },
  {
    principal: "the CommandApi function, with its role",
    actions: KMS_ACTIONS,
    resource: "the ledger's customer-managed key",
    when: "EventLedger `kmsKeyArn`",
    grantedBy: "role policy, Sid UseTableKey",
    source: DOCS.tableKeys,
  },
  {
    principal: "DAX, with the cluster's service role",
    actions: KMS_ACTIONS,
    resource: "the ledger's customer-managed key",
    when: "dax and EventLedger `kmsKeyArn`",
    grantedBy: "DAX role policy, Sid UseTableKey",
    source: DOCS.tableKeys,
  },
];
