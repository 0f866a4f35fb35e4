import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EventLedger, Projector, ServiceBus } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const projectionModule = path.join(__dirname, "..", "..", "examples", "accounts", "projections.ts");

describe("Projector", () => {
  it("defaults: its own table, queue and DLQ, a rule named for its event types, a function of 256 MB / 30 s whose queue hides messages 180 s", async () => {
    const { result, resources } = await compose(
      () =>
        new Projector("svc-balances", {
          bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
          projectionModule,
          projectionExport: "balances",
        }),
    );
    const { named } = lookup(resources);
    assert.equal(result.projectorName, "balances");
    assert.equal(named("aws:sqs/queue:Queue", "svc-balances-queue").inputs.visibilityTimeoutSeconds, 180);
    const fn = named("aws:lambda/function:Function", "svc-balances-function").inputs;
    assert.deepEqual([fn.memorySize, fn.timeout], [256, 30]);
    assert.deepEqual(JSON.parse(named("aws:cloudwatch/eventRule:EventRule", "svc-balances-rule").inputs.eventPattern).source, ["svc"]);
    assert.equal(await valueOf(result.tableName), "svc-balances-table-physical");
  });

  it("writes to a table it is given instead of creating one, and takes its timeout as an Input", async () => {
    const table = {
      name: pulumi.output("shared-balances"),
      arn: pulumi.output("arn:aws:dynamodb:eu-west-1:123456789012:table/shared-balances"),
    };
    const { resources } = await compose(
      () =>
        new Projector("svc-balances", {
          bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
          projectionModule,
          projectionExport: "balances",
          readModelTable: table,
          function: { timeout: pulumi.output(10) },
        }),
    );
    const { named, ofType } = lookup(resources);
    assert.equal(ofType("aws:dynamodb/table:Table").length, 0);
    assert.equal(named("aws:sqs/queue:Queue", "svc-balances-queue").inputs.visibilityTimeoutSeconds, 60);
    const statements = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "svc-balances-policy").inputs.policy).Statement;
    assert.deepEqual(statements.find((statement: { Sid: string }) => statement.Sid === "WriteReadModel").Resource, [
      "arn:aws:dynamodb:eu-west-1:123456789012:table/shared-balances",
    ]);
  });

  it("refuses, when the program runs, a rule pattern longer than EventBridge accepts, with its length and the limit", async () => {
    const many = path.join(__dirname, "fixtures", "manyEventTypes.ts");
    const bus = () => new ServiceBus("svc-bus", { serviceName: "svc" });
    await assert.rejects(
      compose(() => new Projector("svc-lines", { bus: bus(), projectionModule: many, projectionExport: "sixtySix" })),
      /Projector "svc-lines": the event pattern of projection "order-lines" \(66 event types\) is 2\d{3} characters, more than the 2048 an EventBridge event pattern may have/,
    );
    const fits = await compose(() => new Projector("svc-lines", { bus: bus(), projectionModule: many, projectionExport: "forty" }));
    assert.ok(lookup(fits.resources).named("aws:cloudwatch/eventRule:EventRule", "svc-lines-rule").inputs.eventPattern.length <= 2048);
    // A raised quota is given as the limit.
    const raised = await compose(
      () =>
        new Projector("svc-lines", { bus: bus(), projectionModule: many, projectionExport: "sixtySix", eventPatternMaxCharacters: 4096 }),
    );
    assert.equal(
      JSON.parse(lookup(raised.resources).named("aws:cloudwatch/eventRule:EventRule", "svc-lines-rule").inputs.eventPattern).$or[0][
        "detail-type"
      ].length,
      66,
    );
  });

  it("fails when the program runs on an export that is not a projection, saying what it lacks", async () => {
    const domainModule = path.join(path.dirname(projectionModule), "domain.ts");
    await assert.rejects(
      compose(
        () =>
          new Projector("svc-wrong", {
            bus: new ServiceBus("svc-bus", { serviceName: "svc" }),
            projectionModule: domainModule,
            projectionExport: "accounts",
          }),
      ),
      /cannot be the projector's: the projection needs a non-empty list of eventTypes/,
    );
  });
});

describe("Projector: claim checks", () => {
  const bus = () => new ServiceBus("svc-bus", { serviceName: "svc" });
  const statementsOf = (resources: Parameters<typeof lookup>[0]) =>
    Object.fromEntries(
      (
        JSON.parse(lookup(resources).named("aws:iam/rolePolicy:RolePolicy", "svc-balances-policy").inputs.policy).Statement as {
          Sid: string;
          Resource: string[];
        }[]
      ).map((statement) => [statement.Sid, statement.Resource]),
    );

  it("takes them from the ledger it is given: its snapshot table and its key", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/svc";
    const { resources } = await compose(
      () =>
        new Projector("svc-balances", {
          bus: bus(),
          ledger: new EventLedger("svc-ledger", { kmsKeyArn: key }),
          projectionModule,
          projectionExport: "balances",
        }),
    );
    const snapshots = lookup(resources).named("aws:dynamodb/table:Table", "svc-ledger-snapshots");
    assert.equal(
      lookup(resources).named("aws:lambda/function:Function", "svc-balances-function").inputs.environment.variables.SNAPSHOT_TABLE_NAME,
      "svc-ledger-snapshots-physical",
    );
    assert.deepEqual([statementsOf(resources).ResolveClaimChecks, statementsOf(resources).UseTableKey], [[snapshots.arn], [key]]);
  });

  it("resolves none without a ledger, unless another service's table is given; one statement for the keys, each named once", async () => {
    const none = await compose(() => new Projector("svc-balances", { bus: bus(), projectionModule, projectionExport: "balances" }));
    assert.equal(
      lookup(none.resources).named("aws:lambda/function:Function", "svc-balances-function").inputs.environment.variables
        .SNAPSHOT_TABLE_NAME,
      undefined,
    );
    assert.deepEqual([statementsOf(none.resources).ResolveClaimChecks, statementsOf(none.resources).UseTableKey], [undefined, undefined]);
    const key = "arn:aws:kms:eu-west-1:123456789012:key/shared";
    const claimCheckTable = {
      name: "other-snapshots",
      arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/other-snapshots",
      kmsKeyArn: key,
    };
    const readModelTable = { name: "mine", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/mine", kmsKeyArn: pulumi.output(key) };
    const given = await compose(
      () => new Projector("svc-balances", { bus: bus(), claimCheckTable, readModelTable, projectionModule, projectionExport: "balances" }),
    );
    assert.deepEqual(
      [statementsOf(given.resources).ResolveClaimChecks, statementsOf(given.resources).UseTableKey],
      [[claimCheckTable.arn], [key]],
    );
  });

  it("refuses a ledger and a claim-check table together", async () => {
    const claimCheckTable = { name: "t", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" };
    await assert.rejects(
      compose(
        () =>
          new Projector("svc-balances", {
            bus: bus(),
            ledger: new EventLedger("svc-ledger"),
            claimCheckTable,
            projectionModule,
            projectionExport: "balances",
          }),
      ),
      /Projector "svc-balances": only one of `ledger` or `claimCheckTable` can be provided/,
    );
  });
});

describe("Projector: a bus deployed elsewhere", () => {
  // What a StackReference gives: Outputs, resolved at deployment.
  const attributes = (serviceName: pulumi.Input<string>) => ({
    busName: pulumi.output("orders-bus-physical"),
    busArn: pulumi.output("arn:aws:events:eu-west-1:111111111111:event-bus/orders-bus-physical"),
    serviceName,
  });

  it("takes the bus by its attributes as Outputs: its rule and target on that bus, matching that service's events", async () => {
    const { resources } = await compose(
      () => new Projector("svc-balances", { bus: attributes(pulumi.output("orders")), projectionModule, projectionExport: "balances" }),
    );
    const { named } = lookup(resources);
    const rule = named("aws:cloudwatch/eventRule:EventRule", "svc-balances-rule").inputs;
    assert.equal(rule.eventBusName, "orders-bus-physical");
    const pattern = JSON.parse(rule.eventPattern);
    assert.deepEqual([pattern.source, pattern.$or[0]["detail-type"]], [["orders"], ["AccountOpened", "Credited", "Debited"]]);
    assert.equal(named("aws:cloudwatch/eventTarget:EventTarget", "svc-balances-target").inputs.eventBusName, "orders-bus-physical");
    assert.equal(
      named("aws:lambda/function:Function", "svc-balances-function").inputs.environment.variables.POWERTOOLS_SERVICE_NAME,
      "orders",
    );
  });

  it("checks the pattern's size when the program runs for a service named by a plain string", async () => {
    const many = path.join(__dirname, "fixtures", "manyEventTypes.ts");
    await assert.rejects(
      compose(() => new Projector("svc-lines", { bus: attributes("orders"), projectionModule: many, projectionExport: "sixtySix" })),
      /Projector "svc-lines": the event pattern of projection "order-lines" \(66 event types\) is 2\d{3} characters, more than the 2048/,
    );
  });

  it("checks it once resolved for a service named by an Output: a rule too long is never registered (the deployment fails on it)", async () => {
    const many = path.join(__dirname, "fixtures", "manyEventTypes.ts");
    const composed = (projectionExport: string) =>
      compose(() => new Projector("svc-lines", { bus: attributes(pulumi.output("orders")), projectionModule: many, projectionExport }));
    const fits = lookup((await composed("forty")).resources).ofType("aws:cloudwatch/eventRule:EventRule");
    assert.equal(fits.length, 1);
    const tooLong = lookup((await composed("sixtySix")).resources);
    assert.deepEqual(tooLong.ofType("aws:cloudwatch/eventRule:EventRule"), []);
    assert.equal(tooLong.ofType("aws:sqs/queue:Queue").length, 2, "the rest of the component is registered");
  });

  it("refuses attributes with a field missing, naming it", async () => {
    await assert.rejects(
      compose(
        () =>
          new Projector("svc-balances", {
            bus: { busName: "orders-bus", busArn: "", serviceName: "orders" },
            projectionModule,
            projectionExport: "balances",
          }),
      ),
      /Projector "svc-balances": `bus.busArn` is required/,
    );
  });
});
