import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CommandApi, EventLedger, PolicyStatement, Projector, Reactor } from "../../components";
import { SERVICE_PERMISSIONS } from "../../components/servicePermissions";
import { Registered, compose, valueOf } from "../../local/pulumiMocks";
import { namingTable, permissionTable } from "./deployDoc";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/accounts";
const examples = path.join(__dirname, "..", "..", "examples", "accounts");

/** One permission as the stack shows it: who, which actions, on what. */
const keyOf = (principal: string, actions: string[], resource: string) => `${principal} | ${[...actions].sort().join(", ")} | ${resource}`;

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: { Service?: string };
  Condition?: Record<string, Record<string, string>>;
};
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * The service-side permissions of a composed stack, read from what it registered: role trust
 * policies, the statements of each role that name a mapping's source or destination, the VPC's
 * network interfaces, a DAX cluster or a KMS key, the queue policies, the function policies, and
 * what the command APIs hand their callers.
 */
function derivedPermissions(resources: Registered[], commandApis: { auth: string; statements: PolicyStatement[] }[]): Set<string> {
  const rows = new Set<string>();
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  const components = resources.filter((resource) => !resource.type.startsWith("aws:") && !resource.type.startsWith("pulumi:"));
  const componentOf = (resource: Registered) =>
    components.filter((component) => resource.name.startsWith(`${component.name}-`)).sort((a, b) => b.name.length - a.name.length)[0]
      ?.type ?? "";
  const trusted = (role: Registered) => JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service as string;

  for (const role of ofType("aws:iam/role:Role")) {
    if (trusted(role) === "lambda.amazonaws.com")
      rows.add(keyOf("Lambda (lambda.amazonaws.com)", ["sts:AssumeRole"], "each function's role"));
    if (trusted(role) === "dax.amazonaws.com") rows.add(keyOf("DAX (dax.amazonaws.com)", ["sts:AssumeRole"], "the cluster's service role"));
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
    if (trusted(role) === "scheduler.amazonaws.com" && trust.Condition?.StringEquals?.["aws:SourceAccount"])
      rows.add(
        keyOf(
          "EventBridge Scheduler (scheduler.amazonaws.com)",
          ["sts:AssumeRole"],
          "the reactor's scheduler role (aws:SourceAccount = the reactor's account)",
        ),
      );
  }
  const tables = new Set(
    ofType("aws:dynamodb/table:Table")
      .filter((table) => table.name.endsWith("-replica-table"))
      .map((table) => table.arn),
  );
  const clusters = new Set(ofType("aws:dax/cluster:Cluster").map((cluster) => cluster.arn));
  for (const policy of ofType("aws:iam/rolePolicy:RolePolicy")) {
    const role = ofType("aws:iam/role:Role").find((candidate) => `${candidate.name}-physical` === policy.inputs.role)!;
    const statements = JSON.parse(policy.inputs.policy).Statement as Statement[];
    const component = componentOf(policy);
    if (trusted(role) === "dax.amazonaws.com") {
      for (const statement of statements) {
        if (list(statement.Action).every((action) => action.startsWith("kms:")))
          rows.add(keyOf("DAX, with the cluster's service role", list(statement.Action), "the ledger's customer-managed key"));
        else if (list(statement.Resource).every((resource) => tables.has(resource)))
          rows.add(keyOf("DAX, with the cluster's service role", list(statement.Action), "the replica table"));
      }
      continue;
    }
    if (trusted(role) === "scheduler.amazonaws.com") {
      const queues = new Set(ofType("aws:sqs/queue:Queue").map((queue) => queue.arn));
      for (const statement of statements)
        if (list(statement.Resource).length === 2 && list(statement.Resource).every((resource) => queues.has(resource)))
          rows.add(
            keyOf(
              "EventBridge Scheduler, with the reactor's scheduler role",
              list(statement.Action),
              "the reactor's queue and its dead-letter queue",
            ),
          );
      continue;
    }
    const fn = ofType("aws:lambda/function:Function").find((candidate) => candidate.inputs.role === role.arn)!;
    // A function whose log group was skipped names none: it logs to Lambda's default group.
    const logGroup = ofType("aws:cloudwatch/logGroup:LogGroup").find(
      (group) => `${group.name}-physical` === fn.inputs.loggingConfig.logGroup,
    );
    const defaultLogGroup = `log-group:/aws/lambda/${fn.name}-physical:*`;
    const mappings = ofType("aws:lambda/eventSourceMapping:EventSourceMapping").filter((mapping) => mapping.inputs.functionName === fn.arn);
    for (const statement of statements) {
      const [actions, on] = [list(statement.Action), list(statement.Resource)];
      if (actions.every((action) => action.startsWith("logs:")) && logGroup && on.every((resource) => resource === `${logGroup.arn}:*`))
        rows.add(keyOf("Lambda, with a function's role", actions, "the function's log group"));
      if (
        actions.every((action) => action.startsWith("logs:")) &&
        !logGroup &&
        on.every((resource) => resource.endsWith(defaultLogGroup))
      ) {
        rows.add(keyOf("Lambda, with a function's role", actions, "the function's default log group (/aws/lambda/<function name>)"));
      }
      if (actions.every((action) => action.startsWith("ec2:")) && fn.inputs.vpcConfig)
        rows.add(
          keyOf("Lambda, attaching the CommandApi function to the VPC, with its role", actions, "* (no resource-level permissions)"),
        );
      if (on.every((resource) => clusters.has(resource)))
        rows.add(keyOf("the DAX client in the CommandApi function, with its role", actions, "the DAX cluster"));
      if (actions.every((action) => action.startsWith("kms:")) && on.includes(KEY)) {
        if (component.endsWith(":AggregateDispatcher"))
          rows.add(keyOf("the dispatcher and its stream mapping, with its function's role", actions, "the ledger's customer-managed key"));
        if (component.endsWith(":Projector"))
          rows.add(
            keyOf(
              "a projector, with its function's role",
              actions,
              "the customer-managed key of its claim-check or given read-model table",
            ),
          );
        if (component.endsWith(":CommandApi"))
          rows.add(keyOf("the CommandApi function, with its role", actions, "the ledger's customer-managed key"));
        if (component.endsWith(":Reactor"))
          rows.add(keyOf("a reactor, with its function's role", actions, "the ledger's customer-managed key"));
      }
      for (const mapping of mappings) {
        const source = mapping.inputs.eventSourceArn as string;
        if (on.includes(source) && source.endsWith("/stream/2026"))
          rows.add(keyOf("the dispatcher's stream mapping, with its function's role", actions, "the ledger's stream"));
        if (on.includes(source) && source.includes("sqs/queue:Queue"))
          rows.add(
            keyOf("a projector's or reactor's queue mapping, with its function's role", actions, "the projector's or reactor's queue"),
          );
        const destination = mapping.inputs.destinationConfig?.onFailure?.destinationArn as string | undefined;
        if (destination && on.includes(`${destination}/*`))
          rows.add(keyOf("the dispatcher's stream mapping, with its function's role", actions, "the failed-batches bucket's objects"));
        if (destination && on.includes(destination))
          rows.add(keyOf("the dispatcher's stream mapping, with its function's role", actions, "the failed-batches bucket"));
      }
    }
  }
  const targets = ofType("aws:cloudwatch/eventTarget:EventTarget");
  const ruleArn = (target: Registered) =>
    ofType("aws:cloudwatch/eventRule:EventRule").find((rule) => `${rule.name}-physical` === target.inputs.rule)!.arn;
  for (const queuePolicy of ofType("aws:sqs/queuePolicy:QueuePolicy")) {
    const queue = ofType("aws:sqs/queue:Queue").find((candidate) => `https://sqs.local/${candidate.name}` === queuePolicy.inputs.queueUrl)!;
    for (const statement of JSON.parse(queuePolicy.inputs.policy).Statement as Statement[]) {
      if (statement.Principal?.Service !== "events.amazonaws.com") continue;
      const delivering = targets.find((target) => target.inputs.arn === queue.arn);
      const deadLettering = targets.find((target) => target.inputs.deadLetterConfig?.arn === queue.arn);
      const target = delivering ?? deadLettering;
      // Only the rule that delivers there may send.
      if (!target || statement.Condition?.ArnEquals?.["aws:SourceArn"] !== ruleArn(target)) continue;
      rows.add(
        keyOf(
          "EventBridge (events.amazonaws.com), for the projector's or reactor's rule",
          list(statement.Action),
          delivering ? "the projector's or reactor's queue" : "the projector's or reactor's dead-letter queue",
        ),
      );
    }
  }
  for (const permission of ofType("aws:lambda/permission:Permission")) {
    if (permission.inputs.principal !== "*") continue;
    if (permission.inputs.functionUrlAuthType === "NONE")
      rows.add(keyOf("anyone (principal *)", [permission.inputs.action], "the CommandApi function, lambda:FunctionUrlAuthType = NONE"));
    if (permission.inputs.invokedViaFunctionUrl === true)
      rows.add(keyOf("anyone (principal *)", [permission.inputs.action], "the CommandApi function, lambda:InvokedViaFunctionUrl = true"));
  }
  for (const { auth, statements } of commandApis.filter((api) => api.auth === "AWS_IAM")) {
    for (const statement of statements) {
      if (statement.Condition?.StringEquals)
        rows.add(
          keyOf(
            "callers of a CommandApi (your IAM principals)",
            statement.Action,
            `the CommandApi function, lambda:FunctionUrlAuthType = ${auth}`,
          ),
        );
      if ((statement.Condition?.Bool as Record<string, string> | undefined)?.["lambda:InvokedViaFunctionUrl"] === "true")
        rows.add(
          keyOf(
            "callers of a CommandApi (your IAM principals)",
            statement.Action,
            "the CommandApi function, lambda:InvokedViaFunctionUrl = true",
          ),
        );
    }
  }
  return rows;
}

describe("service-side permissions as data", function () {
  this.timeout(120_000);

  it("are exactly what a stack with every option (a key, DAX, a public endpoint, a skipped log group) relies on: none missing, none stale", async () => {
    const { result: apis, resources } = await compose(async () => {
      const { accountsService } = await import("../../examples/accounts/stack");
      const service = accountsService("accounts", {
        deletionProtection: false,
        archiveRetentionDays: 7,
        logRetentionDays: 7,
        kmsKeyArn: KEY,
      });
      const domain = { ledger: service.ledger, domainModule: path.join(examples, "domain.ts"), domainExport: "accounts" };
      const cached = new CommandApi("accounts-cached", {
        ...domain,
        replica: service.replica,
        dax: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"] },
      });
      const open = new CommandApi("accounts-open", { ...domain, auth: { type: "NONE", acknowledgePublicEndpoint: true } });
      new Projector("accounts-unlogged", {
        bus: service.bus,
        ledger: service.ledger,
        projectionModule: path.join(examples, "projections.ts"),
        projectionExport: "balances",
        logGroup: { skip: true },
      });
      // A reaction's commands go to its own service's ledger (payments'), encrypted with the key too.
      new Reactor("accounts-charge-orders", {
        bus: service.bus,
        ledger: new EventLedger("payments-ledger", { deletionProtection: false, kmsKeyArn: KEY }),
        reactionModule: path.join(examples, "..", "shop", "payments.ts"),
        reactionExport: "chargeOrders",
      });
      return [service.commands, cached, open];
    }, "accounts-service");
    // Each API's auth type, as its function URL was registered with.
    const authOf = (functionArn: string) => {
      const fn = resources.find((resource) => resource.arn === functionArn)!;
      return resources.find(
        (resource) => resource.type === "aws:lambda/functionUrl:FunctionUrl" && resource.inputs.functionName === `${fn.name}-physical`,
      )!.inputs.authorizationType as string;
    };
    const commandApis = await Promise.all(
      apis.map(async (api) => {
        const statements = await valueOf(pulumi.output(api.invokeStatements));
        return { auth: authOf(String(statements[0].Resource[0])), statements };
      }),
    );
    const derived = derivedPermissions(resources, commandApis);
    const data = new Set(SERVICE_PERMISSIONS.map((row) => keyOf(row.principal, row.actions, row.resource)));
    const missing = [...derived].filter((row) => !data.has(row));
    const stale = [...data].filter((row) => !derived.has(row));
    assert.deepEqual(
      { missing, stale },
      { missing: [], stale: [] },
      "missing: the stack relies on it, SERVICE_PERMISSIONS lacks it; stale: listed, the stack does not show it",
    );
    assert.equal(data.size, SERVICE_PERMISSIONS.length, "one row per permission");
  });

  it("are the table docs/deploy.md shows, and its naming rules are the ones checked (print them: npx ts-node tests/components/deployDoc.ts)", () => {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "deploy.md"), "utf8");
    assert.ok(doc.includes(permissionTable()), "docs/deploy.md's permission table differs from SERVICE_PERMISSIONS");
    assert.ok(doc.includes(namingTable()), "docs/deploy.md's naming table differs from NAME_RULES");
  });
});
