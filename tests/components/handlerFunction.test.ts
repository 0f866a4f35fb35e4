import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AggregateDispatcher, EventLedger, FunctionComponentArgs, Projector, ServiceBus } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const examples = path.join(__dirname, "..", "..", "examples", "accounts");
const statementsOf = (inputs: Record<string, any>) =>
  JSON.parse(inputs.policy).Statement as { Sid: string; Action: string[]; Resource: string[] }[];

/** A projector with the function hatches given; the registered resources and the component. */
const projector = (hatches: FunctionComponentArgs) =>
  compose(
    () =>
      new Projector("svc-balances", {
        bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
        projectionModule: path.join(examples, "projections.ts"),
        projectionExport: "balances",
        ...hatches,
      }),
  );

describe("a component's function: role and log group hatches", () => {
  it("creates a log group with the arguments given, and the component's tags unless the group's own", async () => {
    const { resources } = await projector({
      logGroup: {
        args: { retentionInDays: 365, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/logs", logGroupClass: "INFREQUENT_ACCESS" },
      },
      tags: { team: "svc" },
    });
    const group = lookup(resources).named("aws:cloudwatch/logGroup:LogGroup", "svc-balances-logs").inputs;
    assert.deepEqual(
      [group.retentionInDays, group.kmsKeyId, group.logGroupClass, group.tags],
      [365, "arn:aws:kms:eu-west-1:123456789012:key/logs", "INFREQUENT_ACCESS", { team: "svc" }],
    );
    const own = await projector({ logGroup: { args: { tags: { logs: "audit" } } }, tags: { team: "svc" } });
    assert.deepEqual(lookup(own.resources).named("aws:cloudwatch/logGroup:LogGroup", "svc-balances-logs").inputs.tags, { logs: "audit" });
  });

  it("logs to an existing group: none created, the function names it, the role writes only its streams", async () => {
    const existing = { name: "platform-logs", arn: pulumi.output("arn:aws:logs:eu-west-1:123456789012:log-group:platform-logs:*") };
    const { result, resources } = await projector({ logGroup: { existing } });
    const { named, ofType } = lookup(resources);
    assert.equal(ofType("aws:cloudwatch/logGroup:LogGroup").length, 0);
    assert.deepEqual(named("aws:lambda/function:Function", "svc-balances-function").inputs.loggingConfig, {
      logFormat: "JSON",
      logGroup: "platform-logs",
    });
    const ownLogs = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "svc-balances-policy").inputs).find(
      (statement) => statement.Sid === "OwnLogs",
    )!;
    assert.deepEqual(
      ownLogs.Resource,
      ["arn:aws:logs:eu-west-1:123456789012:log-group:platform-logs:*"],
      "the group's streams, whether its ARN was given with :* or without",
    );
    assert.equal(result.logGroup, undefined);
    assert.equal(await valueOf(result.logGroupName), "platform-logs");
  });

  it("passes a system log level to Lambda's logging config only when given (Lambda's own default otherwise)", async () => {
    const quiet = await projector({ function: { systemLogLevel: "WARN" }, logGroup: { skip: true } });
    assert.deepEqual(lookup(quiet.resources).named("aws:lambda/function:Function", "svc-balances-function").inputs.loggingConfig, {
      logFormat: "JSON",
      systemLogLevel: "WARN",
    });
    const plain = await projector({ logGroup: { skip: true } });
    assert.equal(
      lookup(plain.resources).named("aws:lambda/function:Function", "svc-balances-function").inputs.loggingConfig.systemLogLevel,
      undefined,
    );
  });

  it("skips the log group: Lambda's default group, which the role may create and write, and no other log statement", async () => {
    const { result, resources } = await projector({ logGroup: { skip: true } });
    const { named, ofType } = lookup(resources);
    assert.equal(ofType("aws:cloudwatch/logGroup:LogGroup").length, 0);
    assert.deepEqual(
      named("aws:lambda/function:Function", "svc-balances-function").inputs.loggingConfig,
      { logFormat: "JSON" },
      "no group named: /aws/lambda/<function name>",
    );
    assert.ok(
      !statementsOf(named("aws:iam/rolePolicy:RolePolicy", "svc-balances-policy").inputs).some((statement) =>
        statement.Action.some((action) => action.startsWith("logs:")),
      ),
    );
    const [defaultGroup] = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "svc-balances-log-policy").inputs);
    assert.deepEqual(defaultGroup.Action, ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
    assert.match(defaultGroup.Resource[0], /^arn:aws:logs:[^:]*:[^:]*:log-group:\/aws\/lambda\/svc-balances-function-physical:\*$/);
    assert.equal(await valueOf(result.logGroupName), "/aws/lambda/svc-balances-function-physical");
  });

  it("creates the role with the arguments given (a permissions boundary, a path), its trust policy Lambda's", async () => {
    const boundary = "arn:aws:iam::123456789012:policy/boundary";
    const { resources } = await projector({ role: { args: { permissionsBoundary: boundary, path: "/services/" } }, tags: { team: "svc" } });
    const role = lookup(resources).named("aws:iam/role:Role", "svc-balances-role").inputs;
    assert.deepEqual([role.permissionsBoundary, role.path, role.tags], [boundary, "/services/", { team: "svc" }]);
    assert.equal(JSON.parse(role.assumeRolePolicy).Statement[0].Principal.Service, "lambda.amazonaws.com");
  });

  it("refuses hatches that contradict each other, naming the component and which to keep", async () => {
    const existingRole = { name: "r", arn: "arn:aws:iam::123456789012:role/r" };
    await assert.rejects(
      projector({ role: { existing: existingRole, args: { path: "/x/" } } }),
      /Projector "svc-balances": only one of `role.existing` or `role.args` can be provided/,
    );
    const existing = { name: "g", arn: "arn:aws:logs:eu-west-1:123456789012:log-group:g" };
    await assert.rejects(
      projector({ logGroup: { existing, args: { retentionInDays: 7 } } }),
      /Projector "svc-balances": only one of `logGroup.args`, `logGroup.existing` or `logGroup.skip` can be provided \(got `logGroup.args` and `logGroup.existing`\)/,
    );
    await assert.rejects(projector({ logGroup: { existing, skip: true } }), /got `logGroup.existing` and `logGroup.skip`/);
    // skip: false is no hatch.
    await projector({ logGroup: { args: { retentionInDays: 7 }, skip: false } });
  });

  it("refuses a retention CloudWatch Logs would refuse, at once or when it resolves", async () => {
    await assert.rejects(
      projector({ logGroup: { args: { retentionInDays: 10 } } }),
      /Projector "svc-balances": logGroup.args.retentionInDays must be one of 0, 1, 3, 5, 7, 14, 30, .*3653, got 10/,
    );
    const dispatcher = () =>
      new AggregateDispatcher("svc-dispatcher", {
        ledger: new EventLedger("svc-ledger"),
        bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
        domainModule: path.join(examples, "domain.ts"),
        domainExport: "accounts",
        logGroup: { args: { retentionInDays: pulumi.output(45) } },
      });
    const { resources } = await compose(dispatcher);
    assert.deepEqual(
      lookup(resources).ofType("aws:cloudwatch/logGroup:LogGroup"),
      [],
      "no group is created with a retention CloudWatch refuses",
    );
  });
});
