import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CommandApi, EventLedger } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const domainModule = path.join(__dirname, "..", "..", "examples", "accounts", "domain.ts");
const actions = (policy: string) =>
  Object.fromEntries(
    (JSON.parse(policy).Statement as { Sid: string; Action: string[] }[]).map((statement) => [statement.Sid, statement.Action]),
  );

describe("CommandApi", () => {
  it("defaults: an IAM-authenticated function URL over the ledger's snapshots, reserved concurrency when asked", async () => {
    const { result, resources } = await compose(
      () =>
        new CommandApi("svc-commands", {
          ledger: new EventLedger("svc-ledger"),
          domainModule,
          domainExport: "accounts",
          reservedConcurrency: 20,
          serviceName: "svc",
        }),
    );
    const { named, ofType } = lookup(resources);
    assert.equal(named("aws:lambda/functionUrl:FunctionUrl", "svc-commands-url").inputs.authorizationType, "AWS_IAM");
    assert.equal(ofType("aws:lambda/permission:Permission").length, 0, "nobody else may invoke it");
    const fn = named("aws:lambda/function:Function", "svc-commands-function").inputs;
    assert.deepEqual(
      [fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions, fn.environment.variables.POWERTOOLS_SERVICE_NAME],
      [512, 29, 20, "svc"],
    );
    assert.deepEqual(actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy).Ledger, [
      "dynamodb:Query",
      "dynamodb:PutItem",
    ]);
    assert.equal(await valueOf(result.url), "https://svc-commands-url.lambda-url.local/");
    // A caller needs both the URL and the function, through the URL; each condition key applies to one action only.
    const fnArn = named("aws:lambda/function:Function", "svc-commands-function").arn;
    assert.deepEqual(await valueOf(pulumi.output(result.invokeStatements)), [
      {
        Sid: "InvokeCommandApiUrl",
        Effect: "Allow",
        Action: ["lambda:InvokeFunctionUrl"],
        Resource: [fnArn],
        Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
      },
      {
        Sid: "InvokeCommandApiFunction",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [fnArn],
        Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } },
      },
    ]);
    const code = await ((await fn.code.assets) as Record<string, { text: Promise<string> }>)["index.js"].text;
    assert.ok(!code.includes("DaxDocument"), "no DAX client in a function that does not use DAX");
    assert.equal(fn.vpcConfig, undefined);
    assert.equal(fn.environment.variables.COMMAND_START, undefined, "the handler's default: read-first");
  });

  it("passes what a warm instance remembers, and how a command starts from it, to the function", async () => {
    const { resources } = await compose(
      () =>
        new CommandApi("svc-mem", {
          ledger: new EventLedger("svc-ledger"),
          domainModule,
          domainExport: "accounts",
          rememberedAggregates: 5_000,
          start: "decide-first",
        }),
    );
    const fn = lookup(resources).named("aws:lambda/function:Function", "svc-mem-function").inputs;
    assert.deepEqual([fn.environment.variables.REMEMBERED_AGGREGATES, fn.environment.variables.COMMAND_START], ["5000", "decide-first"]);
    // Deciding on a remembered state it did not read, the append checks that state's version exists.
    assert.deepEqual(actions(lookup(resources).named("aws:iam/rolePolicy:RolePolicy", "svc-mem-policy").inputs.policy).Ledger, [
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:ConditionCheckItem",
    ]);
    const { resources: catchingUp } = await compose(
      () =>
        new CommandApi("svc-mem", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", start: "read-first" }),
    );
    assert.deepEqual(
      actions(lookup(catchingUp).named("aws:iam/rolePolicy:RolePolicy", "svc-mem-policy").inputs.policy).Ledger,
      ["dynamodb:Query", "dynamodb:PutItem"],
      "catching up reads first: no predecessor check",
    );
  });

  it("checks the values it passes to the function at program time, with the rule the function checks at cold start", async () => {
    const ledger = () => new EventLedger("svc-ledger");
    for (const [argument, value, rule] of [
      ["rememberedAggregates", -1, /rememberedAggregates must be an integer of at least 0, got -1/],
      ["rememberedAggregates", 1.5, /rememberedAggregates must be an integer of at least 0, got 1.5/],
      ["maxBodyBytes", 0, /maxBodyBytes must be an integer of at least 1, got 0/],
      ["maxBodyBytes", Number.NaN, /maxBodyBytes must be an integer of at least 1, got null/],
    ] as const) {
      await assert.rejects(
        compose(() => new CommandApi("svc-bad", { ledger: ledger(), domainModule, domainExport: "accounts", [argument]: value })),
        (error: unknown) => {
          assert.match(String(error), /CommandApi "svc-bad"/);
          assert.match(String(error), rule);
          return true;
        },
      );
    }
    // A value known only at deploy time fails the function's registration when it resolves.
    const { resources } = await compose(
      () =>
        new CommandApi("svc-late", { ledger: ledger(), domainModule, domainExport: "accounts", rememberedAggregates: pulumi.output(-1) }),
    );
    assert.deepEqual(
      lookup(resources).ofType("aws:lambda/function:Function"),
      [],
      "no function is deployed with a value its cold start would refuse",
    );
  });

  it("a public endpoint only when asked for by name, and start strategies it knows", async () => {
    const ledger = () => new EventLedger("svc-ledger");
    await assert.rejects(
      compose(
        () => new CommandApi("svc-open", { ledger: ledger(), domainModule, domainExport: "accounts", auth: { type: "NONE" } as never }),
      ),
      /auth must be "AWS_IAM" or \{ type: "NONE", acknowledgePublicEndpoint: true \}/,
    );
    await assert.rejects(
      compose(() => new CommandApi("svc-odd", { ledger: ledger(), domainModule, domainExport: "accounts", start: "guess" as never })),
      /CommandApi "svc-odd": start must be one of "memory-first", "read-first", "decide-first", got "guess"/,
    );
    const { result, resources } = await compose(
      () =>
        new CommandApi("svc-public", {
          ledger: ledger(),
          domainModule,
          domainExport: "accounts",
          auth: { type: "NONE", acknowledgePublicEndpoint: true },
        }),
    );
    const { named, ofType } = lookup(resources);
    assert.equal(named("aws:lambda/functionUrl:FunctionUrl", "svc-public-url").inputs.authorizationType, "NONE");
    // Anyone may invoke the URL, and the function through the URL only: both grants, or every request gets 403.
    const grant = (permission: { inputs: Record<string, unknown> }) =>
      Object.fromEntries(
        ["action", "principal", "function", "functionUrlAuthType", "invokedViaFunctionUrl"]
          .filter((key) => key in permission.inputs)
          .map((key) => [key, permission.inputs[key]]),
      );
    assert.deepEqual(ofType("aws:lambda/permission:Permission").map(grant), [
      { action: "lambda:InvokeFunctionUrl", principal: "*", function: "svc-public-function-physical", functionUrlAuthType: "NONE" },
      { action: "lambda:InvokeFunction", principal: "*", function: "svc-public-function-physical", invokedViaFunctionUrl: true },
    ]);
    assert.deepEqual(
      (await valueOf(pulumi.output(result.invokeStatements))).map((statement) => statement.Condition),
      [{ StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } }, { Bool: { "lambda:InvokedViaFunctionUrl": "true" } }],
    );
  });
});

describe("CommandApi with DAX in front of its replica", () => {
  const vpc = { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], routeTableIds: ["rtb-a"] };

  it("creates an encrypted cluster the function alone may reach, runs the function in the VPC, and reads the replica through it", async () => {
    const projectionModule = path.join(path.dirname(domainModule), "projections.ts");
    const { result, resources } = await compose(async () => {
      const { Projector, ServiceBus } = await import("../../components");
      const ledger = new EventLedger("svc-ledger");
      const replica = new Projector("svc-replica", {
        bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
        projectionModule,
        projectionExport: "replica",
      });
      return new CommandApi("svc-commands", { ledger, domainModule, domainExport: "accounts", replica, dax: vpc });
    });
    const { named } = lookup(resources);
    const cluster = named("aws:dax/cluster:Cluster", "svc-commands-dax").inputs;
    assert.deepEqual(
      [cluster.serverSideEncryption.enabled, cluster.clusterEndpointEncryptionType, cluster.replicationFactor, cluster.nodeType],
      [true, "TLS", 1, "dax.t3.small"],
    );
    assert.ok(cluster.clusterName.length <= 20 && /^[a-z][a-z0-9-]*$/.test(cluster.clusterName), cluster.clusterName);
    const clusterGroup = named("aws:ec2/securityGroup:SecurityGroup", "svc-commands-dax-sg").inputs;
    assert.deepEqual(
      clusterGroup.ingress.map((rule: { fromPort: number; securityGroups: string[] }) => [rule.fromPort, rule.securityGroups]),
      [[9111, ["svc-commands-function-sg-id"]]],
      "only the function's security group, on the TLS port",
    );
    assert.deepEqual(named("aws:dax/subnetGroup:SubnetGroup", "svc-commands-dax-subnets").inputs.subnetIds, vpc.subnetIds);
    assert.equal(named("aws:ec2/vpcEndpoint:VpcEndpoint", "svc-commands-dynamodb-endpoint").inputs.vpcEndpointType, "Gateway");
    const daxRole = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-dax-policy").inputs.policy).Statement;
    assert.deepEqual(
      daxRole.map((statement: { Action: string[]; Resource: string[] }) => [statement.Action, statement.Resource]),
      [[["dynamodb:GetItem"], [named("aws:dynamodb/table:Table", "svc-replica-table").arn]]],
    );

    const fn = named("aws:lambda/function:Function", "svc-commands-function").inputs;
    assert.deepEqual(fn.vpcConfig, { subnetIds: vpc.subnetIds, securityGroupIds: ["svc-commands-function-sg-id"] });
    assert.match(fn.environment.variables.DAX_ENDPOINT, /^daxs:\/\//);
    const statements = actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy);
    assert.ok(statements.ReplicaThroughDax.includes("dax:GetItem"));
    assert.ok(statements.VpcNetworkInterfaces.includes("ec2:CreateNetworkInterface"), "Lambda can attach the function to the VPC");
    // The DAX client travels only in this function's bundle.
    const code = await ((await fn.code.assets) as Record<string, { text: Promise<string> }>)["index.js"].text;
    assert.ok(code.includes("DaxDocument"), "the bundle holds the DAX client");
    assert.ok(result.daxCluster);
  });

  const withDax = async (name: string, dax: Record<string, unknown>) => {
    const projectionModule = path.join(path.dirname(domainModule), "projections.ts");
    return compose(async () => {
      const { Projector, ServiceBus } = await import("../../components");
      const replica = new Projector(`${name}-replica`, {
        bus: new ServiceBus(`${name}-bus`, { serviceName: "svc" }),
        projectionModule,
        projectionExport: "replica",
      });
      return new CommandApi(name, {
        ledger: new EventLedger(`${name}-ledger`),
        domainModule,
        domainExport: "accounts",
        replica,
        dax: { ...vpc, ...dax },
      });
    });
  };

  it("grants what AWS itself needs: the DAX client's protocol calls, every EC2 action of Lambda's VPC attachment, the endpoint in the region", async () => {
    const { named } = lookup((await withDax("svc-commands", { routeTableIds: ["rtb-a"] })).resources);
    const statements = actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy);
    // The DAX client asks for the cluster's nodes, the table's key schema and attribute lists before it reads an item.
    assert.deepEqual([...statements.ReplicaThroughDax].sort(), [
      "dax:DefineAttributeList",
      "dax:DefineAttributeListId",
      "dax:DefineKeySchema",
      "dax:Endpoints",
      "dax:GetItem",
    ]);
    // The EC2 actions of AWSLambdaVPCAccessExecutionRole (v3), with which Lambda attaches the function to the VPC.
    assert.deepEqual([...statements.VpcNetworkInterfaces].sort(), [
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
    ]);
    assert.equal(
      named("aws:ec2/vpcEndpoint:VpcEndpoint", "svc-commands-dynamodb-endpoint").inputs.serviceName,
      "com.amazonaws.us-east-1.dynamodb",
      "the region data source's region, not its deprecated name",
    );
  });

  it("sizes the cluster by stage: 1 node unless production, 3 for production, what is asked for above both", async () => {
    const nodes = async (dax: Record<string, unknown>) =>
      lookup((await withDax("svc-commands", dax)).resources).named("aws:dax/cluster:Cluster", "svc-commands-dax").inputs;
    assert.deepEqual(
      [(await nodes({ production: true })).replicationFactor, (await nodes({ production: true })).nodeType],
      [3, "dax.t3.small"],
    );
    assert.deepEqual(
      [
        (await nodes({ production: true, replicationFactor: 5, nodeType: "dax.r5.large" })).replicationFactor,
        (await nodes({ nodeType: "dax.r5.large" })).nodeType,
      ],
      [5, "dax.r5.large"],
    );
  });

  it("refuses a cluster name DAX would refuse, naming the component, the argument and the limit", async () => {
    await assert.rejects(
      withDax("svc-commands", { clusterName: "accounts-commands-cache" }),
      /CommandApi "svc-commands": dax\.clusterName "accounts-commands-cache" is not a valid DAX cluster name \(at most 20 characters; it is 23 characters, more than 20;/,
    );
    await assert.rejects(
      withDax("svc-commands", { clusterName: "1cache" }),
      /dax\.clusterName "1cache" is not a valid DAX cluster name .*it does not start with a letter/,
    );
    const { resources } = await withDax("a-very-long-command-api-name-for-payments", {});
    const clusterName = lookup(resources).named("aws:dax/cluster:Cluster", "a-very-long-command-api-name-for-payments-dax").inputs
      .clusterName;
    assert.ok(clusterName.length <= 20 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(clusterName) && !clusterName.includes("--"), clusterName);
  });

  it("refuses DAX without a replica to cache", async () => {
    await assert.rejects(
      compose(
        () => new CommandApi("svc-commands", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", dax: vpc }),
      ),
      /dax caches the replica's rows; give a replica too/,
    );
  });
});
