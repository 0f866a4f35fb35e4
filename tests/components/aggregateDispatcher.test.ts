import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AggregateDispatcher, EventLedger, ServiceBus } from "../../components";
import { compose, lookup } from "../../local/pulumiMocks";

const domainModule = path.join(__dirname, "..", "..", "examples", "accounts", "domain.ts");
const service = () => ({ ledger: new EventLedger("svc-ledger"), bus: new ServiceBus("svc-bus", { serviceName: "svc" }) });
const policyOf = (inputs: Record<string, any>) =>
  JSON.parse(inputs.policy).Statement as { Sid: string; Action: string[]; Resource: string[] }[];

describe("AggregateDispatcher", () => {
  it("processes one batch of a shard at a time unless asked for more, and refuses a factor the mapping would refuse", async () => {
    const mapping = async (parallelizationFactor?: number) =>
      lookup(
        (
          await compose(
            () =>
              new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts", parallelizationFactor }),
          )
        ).resources,
      ).named("aws:lambda/eventSourceMapping:EventSourceMapping", "svc-dispatcher-stream").inputs.parallelizationFactor;
    assert.equal(await mapping(), 1);
    assert.equal(await mapping(4), 4);
    await assert.rejects(mapping(11), /AggregateDispatcher "svc-dispatcher".*parallelizationFactor/);
  });

  it("defaults: a function with its own role, log group, DLQ and failed-batch bucket, logs and metrics named for the service", async () => {
    const { result, resources } = await compose(
      () => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts" }),
    );
    const { named } = lookup(resources);
    const fn = named("aws:lambda/function:Function", "svc-dispatcher-function").inputs;
    assert.deepEqual([fn.runtime, fn.memorySize, fn.timeout, fn.architectures[0]], ["nodejs22.x", 512, 60, "arm64"]);
    assert.deepEqual(
      [
        fn.environment.variables.POWERTOOLS_SERVICE_NAME,
        fn.environment.variables.POWERTOOLS_METRICS_NAMESPACE,
        fn.environment.variables.POWERTOOLS_LOG_LEVEL,
      ],
      ["svc", "EventLedger", "INFO"],
    );
    named("aws:iam/role:Role", "svc-dispatcher-role");
    assert.equal(named("aws:cloudwatch/logGroup:LogGroup", "svc-dispatcher-logs").inputs.retentionInDays, 30);
    assert.ok(result.function && result.role && result.logGroup && result.deadLetterQueue && result.failedBatches, "each part is exposed");
  });

  it("escape hatches: an existing role, more statements, more variables (its own win), tags on what it creates, Inputs everywhere", async () => {
    const role = { name: pulumi.output("platform-lambda-role"), arn: pulumi.output("arn:aws:iam::123456789012:role/platform-lambda-role") };
    const { resources } = await compose(
      () =>
        new AggregateDispatcher("svc-dispatcher", {
          ...service(),
          domainModule,
          domainExport: "accounts",
          role: { existing: role },
          function: {
            extraStatements: [
              {
                Sid: "ReadPrices",
                Effect: "Allow",
                Action: ["dynamodb:GetItem"],
                Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/prices"],
              },
            ],
            environment: { FEATURE_FLAG: "on", EVENT_BUS_NAME: "not-this-one" },
            memorySize: pulumi.output(1024),
            logLevel: "DEBUG",
          },
          tags: pulumi.output({ team: "svc" }),
        }),
    );
    const { named, ofType } = lookup(resources);
    assert.equal(ofType("aws:iam/role:Role").length, 0, "no role of its own");
    const policy = named("aws:iam/rolePolicy:RolePolicy", "svc-dispatcher-policy").inputs;
    assert.equal(policy.role, "platform-lambda-role");
    assert.deepEqual(policyOf(policy).at(-1), {
      Sid: "ReadPrices",
      Effect: "Allow",
      Action: ["dynamodb:GetItem"],
      Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/prices"],
    });
    const fn = named("aws:lambda/function:Function", "svc-dispatcher-function").inputs;
    assert.equal(fn.role, "arn:aws:iam::123456789012:role/platform-lambda-role");
    assert.equal(fn.environment.variables.FEATURE_FLAG, "on");
    assert.equal(fn.environment.variables.EVENT_BUS_NAME, "svc-bus-bus-physical", "the component's own variable wins");
    assert.equal(fn.environment.variables.POWERTOOLS_LOG_LEVEL, "DEBUG");
    assert.equal(fn.memorySize, 1024);
    for (const [type, name] of [
      ["aws:lambda/function:Function", "svc-dispatcher-function"],
      ["aws:cloudwatch/logGroup:LogGroup", "svc-dispatcher-logs"],
      ["aws:sqs/queue:Queue", "svc-dispatcher-dlq"],
      ["aws:s3/bucket:Bucket", "svc-dispatcher-failed-batches"],
      ["aws:lambda/eventSourceMapping:EventSourceMapping", "svc-dispatcher-stream"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "svc-dispatcher-errors"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "svc-dispatcher-iterator-age"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "svc-dispatcher-dead-letters"],
    ]) {
      assert.deepEqual(named(type, name).inputs.tags, { team: "svc" }, name);
    }
  });

  it("keeps the failed batches for their retention with a prefix filter that matches every object (an empty filter is deprecated)", async () => {
    const { resources } = await compose(
      () =>
        new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts", failedBatchRetentionDays: 30 }),
    );
    const [rule] = lookup(resources).named(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "svc-dispatcher-failed-batches-expiry",
    ).inputs.rules;
    assert.deepEqual([rule.filter, rule.expiration.days, rule.status], [{ prefix: "" }, 30, "Enabled"]);
  });

  it("gives a long or upper-case component name physical names AWS accepts, and leaves a short one to Pulumi's autonaming", async () => {
    const component = "Payments-International-Settlement-Stream-Dispatcher-Eu"; // 55 characters, upper case
    const { resources } = await compose(() => new AggregateDispatcher(component, { ...service(), domainModule, domainExport: "accounts" }));
    const { named } = lookup(resources);
    // Pulumi's autoname of the bucket would be 55 + 15 + 8 = 78 characters: a lower-case prefix the provider completes (26 characters).
    const bucket = named("aws:s3/bucket:Bucket", `${component}-failed-batches`).inputs;
    assert.equal(bucket.bucket, undefined);
    assert.match(bucket.bucketPrefix, /^[a-z0-9][a-z0-9-]*-$/);
    assert.ok(bucket.bucketPrefix.length + 26 <= 63, bucket.bucketPrefix);
    assert.ok(bucket.bucketPrefix.endsWith("-failed-batches-"), "the part stays readable");
    // A function takes no prefix: an exact name, within Lambda's 64 characters.
    const fn = named("aws:lambda/function:Function", `${component}-function`).inputs;
    assert.ok(fn.name.length <= 64 && /^[A-Za-z0-9_-]+$/.test(fn.name), fn.name);
    assert.ok(named("aws:iam/role:Role", `${component}-role`).inputs.namePrefix.length + 26 <= 64);
    // The queue's autoname fits SQS's 80 characters: left to Pulumi.
    assert.deepEqual(
      [named("aws:sqs/queue:Queue", `${component}-dlq`).inputs.name, named("aws:sqs/queue:Queue", `${component}-dlq`).inputs.namePrefix],
      [undefined, undefined],
    );
    // Derived names are stable: the same program derives the same names.
    const again = lookup(
      (await compose(() => new AggregateDispatcher(component, { ...service(), domainModule, domainExport: "accounts" }))).resources,
    );
    assert.equal(again.named("aws:lambda/function:Function", `${component}-function`).inputs.name, fn.name);

    const short = lookup(
      (await compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts" }))).resources,
    );
    for (const [type, logical, argument] of [
      ["aws:s3/bucket:Bucket", "svc-dispatcher-failed-batches", "bucketPrefix"],
      ["aws:lambda/function:Function", "svc-dispatcher-function", "name"],
      ["aws:iam/role:Role", "svc-dispatcher-role", "namePrefix"],
    ])
      assert.equal(short.named(type, logical).inputs[argument], undefined, `${logical} is autonamed`);
  });

  it("refuses a snapshot interval its function would refuse at cold start, naming the component and the argument", async () => {
    for (const snapshotEvery of [-1, 2.5]) {
      await assert.rejects(
        compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts", snapshotEvery })),
        (error: unknown) => {
          assert.match(
            String(error),
            new RegExp(`AggregateDispatcher "svc-dispatcher": snapshotEvery must be an integer of at least 0, got ${snapshotEvery}`),
          );
          return true;
        },
      );
    }
  });

  it("fails when the program runs, not at a cold start, when the domain export is wrong", async () => {
    await assert.rejects(
      compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "nope" })),
      /domain\.ts export "nope" cannot be the dispatcher's: domain\.ts has no export "nope"/,
    );
    const projections = path.join(path.dirname(domainModule), "projections.ts");
    await assert.rejects(
      compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule: projections, domainExport: "balances" })),
      /cannot be the dispatcher's: the domain has no initialState function/,
    );
  });
});

describe("AggregateDispatcher: publications", () => {
  const publicationModule = path.join(__dirname, "..", "unit", "contracts", "fixtures.ts");
  const accountsService = () => ({ ledger: new EventLedger("svc-ledger"), bus: new ServiceBus("svc-bus", { serviceName: "accounts" }) });

  it("bundles the publications module with the domain, checked when the program runs", async () => {
    const { bundleHandler } = await import("../../components/bundle");
    const { resources } = await compose(
      () => new AggregateDispatcher("svc-dispatcher", { ...accountsService(), domainModule, domainExport: "accounts", publicationModule }),
    );
    lookup(resources).named("aws:lambda/function:Function", "svc-dispatcher-function");
    const bundle = bundleHandler({
      kind: "dispatcher",
      module: domainModule,
      exportName: "accounts",
      extra: { module: publicationModule, exportName: "default" },
    });
    assert.deepEqual(
      (bundle.extra as { contract: { name: string } }[]).map((publication) => publication.contract.name),
      ["accounts"],
      "the default export: a list of publications",
    );
    assert.ok(bundle.code.includes('"BalanceChanged"'), "the publications are inside the bundle");
  });

  it("fails when the program runs on a publication export that is missing, not a publication, or of another service", async () => {
    await assert.rejects(
      compose(
        () =>
          new AggregateDispatcher("svc-dispatcher", {
            ...accountsService(),
            domainModule,
            domainExport: "accounts",
            publicationModule,
            publicationExport: "nope",
          }),
      ),
      /with .*fixtures\.ts export "nope"\) cannot be the dispatcher's: fixtures\.ts has no export "nope"/,
    );
    await assert.rejects(
      compose(
        () =>
          new AggregateDispatcher("svc-dispatcher", {
            ...accountsService(),
            domainModule,
            domainExport: "accounts",
            publicationModule,
            publicationExport: "accountsContract",
          }),
      ),
      /cannot be the dispatcher's: the publications is not a publication \(use definePublication\)/,
    );
    await assert.rejects(
      compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, domainExport: "accounts", publicationModule })),
      /AggregateDispatcher "svc-dispatcher": the publication of accounts\.v1 names service "accounts", but the bus carries "svc"'s events/,
    );
    await assert.rejects(
      compose(() => new AggregateDispatcher("svc-dispatcher", { ...service(), domainModule, publicationExport: "default" })),
      /`publicationExport` needs `publicationModule`/,
    );
  });
});
