import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CommandApi, EventLedger } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const domainModule = path.join(__dirname, "..", "..", "examples", "accounts", "domain.ts");
const actions = (policy: string) => Object.fromEntries((JSON.parse(policy).Statement as { Sid: string; Action: string[] }[]).map((statement) => [statement.Sid, statement.Action]));

describe("CommandApi", () => {
  it("defaults: an IAM-authenticated function URL over the ledger's snapshots, reserved concurrency when asked", async () => {
    const { result, resources } = await compose(() => new CommandApi("svc-commands", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", reservedConcurrency: 20, serviceName: "svc" }));
    const { named, ofType } = lookup(resources);
    assert.equal(named("aws:lambda/functionUrl:FunctionUrl", "svc-commands-url").inputs.authorizationType, "AWS_IAM");
    assert.equal(ofType("aws:lambda/permission:Permission").length, 0, "nobody else may invoke it");
    const fn = named("aws:lambda/function:Function", "svc-commands-function").inputs;
    assert.deepEqual([fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions, fn.environment.variables.POWERTOOLS_SERVICE_NAME], [512, 29, 20, "svc"]);
    assert.deepEqual(actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy).Ledger, ["dynamodb:Query", "dynamodb:PutItem"]);
    assert.equal(await valueOf(result.url), "https://svc-commands-url.lambda-url.local/");
    assert.deepEqual(result.invokeStatement.Action, ["lambda:InvokeFunctionUrl"]);
    const code = await (((await fn.code.assets) as Record<string, { text: Promise<string> }>)["index.js"]).text;
    assert.ok(!code.includes("DaxDocument"), "no DAX client in a function that does not use DAX");
    assert.equal(fn.vpcConfig, undefined);
    assert.equal(fn.environment.variables.REMEMBERED_START, undefined, "the handler's default: catch-up");
  });

  it("passes what a warm instance remembers, and how a command starts from it, to the function", async () => {
    const { resources } = await compose(() => new CommandApi("svc-mem", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", rememberedAggregates: 5_000, rememberedStart: "decide" }));
    const fn = lookup(resources).named("aws:lambda/function:Function", "svc-mem-function").inputs;
    assert.deepEqual([fn.environment.variables.REMEMBERED_AGGREGATES, fn.environment.variables.REMEMBERED_START], ["5000", "decide"]);
    assert.deepEqual(actions(lookup(resources).named("aws:iam/rolePolicy:RolePolicy", "svc-mem-policy").inputs.policy).Ledger, ["dynamodb:Query", "dynamodb:PutItem"], "no new action: a refused write is a PutItem, the catch-up a Query");
  });

  it("a public endpoint only when asked for by name, and start strategies it knows", async () => {
    const ledger = () => new EventLedger("svc-ledger");
    await assert.rejects(compose(() => new CommandApi("svc-odd-memory", { ledger: ledger(), domainModule, domainExport: "accounts", rememberedStart: "trust" as never })), /rememberedStart must be one of catch-up, decide/);
    await assert.rejects(compose(() => new CommandApi("svc-open", { ledger: ledger(), domainModule, domainExport: "accounts", auth: { type: "NONE" } as never })), /auth must be "AWS_IAM" or \{ type: "NONE", acknowledgePublicEndpoint: true \}/);
    await assert.rejects(compose(() => new CommandApi("svc-odd", { ledger: ledger(), domainModule, domainExport: "accounts", start: "guess" as never })), /start must be one of replica-and-tail, decide-on-replica/);
    const { resources } = await compose(() => new CommandApi("svc-public", { ledger: ledger(), domainModule, domainExport: "accounts", auth: { type: "NONE", acknowledgePublicEndpoint: true } }));
    assert.equal(lookup(resources).named("aws:lambda/functionUrl:FunctionUrl", "svc-public-url").inputs.authorizationType, "NONE");
  });
});

describe("CommandApi with DAX in front of its replica", () => {
  const vpc = { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], routeTableIds: ["rtb-a"] };

  it("creates an encrypted cluster the function alone may reach, runs the function in the VPC, and reads the replica through it", async () => {
    const projectionModule = path.join(path.dirname(domainModule), "projections.ts");
    const { result, resources } = await compose(async () => {
      const { Projector, ServiceBus } = await import("../../components");
      const ledger = new EventLedger("svc-ledger");
      const replica = new Projector("svc-replica", { bus: new ServiceBus("svc-bus", { serviceName: "svc" }), projectionModule, projectionExport: "replica" });
      return new CommandApi("svc-commands", { ledger, domainModule, domainExport: "accounts", replica, dax: { ...vpc, replicationFactor: 1 } });
    });
    const { named } = lookup(resources);
    const cluster = named("aws:dax/cluster:Cluster", "svc-commands-dax").inputs;
    assert.deepEqual([cluster.serverSideEncryption.enabled, cluster.clusterEndpointEncryptionType, cluster.replicationFactor, cluster.nodeType], [true, "TLS", 1, "dax.t3.small"]);
    assert.ok(cluster.clusterName.length <= 20 && /^[a-z][a-z0-9-]*$/.test(cluster.clusterName), cluster.clusterName);
    const clusterGroup = named("aws:ec2/securityGroup:SecurityGroup", "svc-commands-dax-sg").inputs;
    assert.deepEqual(clusterGroup.ingress.map((rule: { fromPort: number; securityGroups: string[] }) => [rule.fromPort, rule.securityGroups]), [[9111, ["svc-commands-function-sg-id"]]], "only the function's security group, on the TLS port");
    assert.deepEqual(named("aws:dax/subnetGroup:SubnetGroup", "svc-commands-dax-subnets").inputs.subnetIds, vpc.subnetIds);
    assert.equal(named("aws:ec2/vpcEndpoint:VpcEndpoint", "svc-commands-dynamodb-endpoint").inputs.vpcEndpointType, "Gateway");
    const daxRole = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-dax-policy").inputs.policy).Statement;
    assert.deepEqual(daxRole.map((statement: { Action: string[]; Resource: string[] }) => [statement.Action, statement.Resource]), [[["dynamodb:GetItem"], [named("aws:dynamodb/table:Table", "svc-replica-table").arn]]]);

    const fn = named("aws:lambda/function:Function", "svc-commands-function").inputs;
    assert.deepEqual(fn.vpcConfig, { subnetIds: vpc.subnetIds, securityGroupIds: ["svc-commands-function-sg-id"] });
    assert.match(fn.environment.variables.DAX_ENDPOINT, /^daxs:\/\//);
    const statements = actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy);
    assert.deepEqual(statements.ReplicaThroughDax, ["dax:GetItem"]);
    assert.ok(statements.VpcNetworkInterfaces.includes("ec2:CreateNetworkInterface"), "Lambda can attach the function to the VPC");
    // The DAX client travels only in this function's bundle.
    const code = await (((await fn.code.assets) as Record<string, { text: Promise<string> }>)["index.js"]).text;
    assert.ok(code.includes("DaxDocument"), "the bundle holds the DAX client");
    assert.ok(result.daxCluster);
  });

  it("refuses DAX without a replica to cache", async () => {
    await assert.rejects(compose(() => new CommandApi("svc-commands", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", dax: vpc })), /dax caches the replica's rows; give a replica too/);
  });
});
