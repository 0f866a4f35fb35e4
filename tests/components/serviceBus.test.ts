import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ServiceBus } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

describe("ServiceBus", () => {
  it("is one bus named for its service, without an archive unless asked", async () => {
    const { result: bus, resources } = await compose(
      () => new ServiceBus("orders-bus", { serviceName: "orders", tags: { team: "orders" } }),
    );
    const { ofType } = lookup(resources);
    assert.equal(ofType("aws:cloudwatch/eventBus:EventBus").length, 1);
    assert.deepEqual(ofType("aws:cloudwatch/eventBus:EventBus")[0].inputs.tags, { team: "orders" });
    assert.equal(ofType("aws:cloudwatch/eventArchive:EventArchive").length, 0);
    assert.equal(bus.serviceName, "orders");
    assert.equal(await valueOf(bus.busArn), "arn:aws:mock:aws:cloudwatch/eventBus:EventBus:orders-bus-bus");
  });

  it("archives the service's own events for a retention given as an Input (0 keeps them indefinitely)", async () => {
    const { resources } = await compose(
      () => new ServiceBus("orders-bus", { serviceName: "orders", archive: { retentionDays: pulumi.output(30) } }),
    );
    const [archive] = lookup(resources).ofType("aws:cloudwatch/eventArchive:EventArchive");
    assert.equal(archive.inputs.retentionDays, 30);
    assert.deepEqual(JSON.parse(archive.inputs.eventPattern), { source: ["orders"] });
    const indefinitely = await compose(() => new ServiceBus("keep-bus", { serviceName: "keep", archive: {} }));
    assert.equal(lookup(indefinitely.resources).ofType("aws:cloudwatch/eventArchive:EventArchive")[0].inputs.retentionDays, 0);
  });

  it("names the archive within EventBridge's 48 characters when the component's name is long", async () => {
    const { resources } = await compose(() => new ServiceBus("international-settlements-bus", { serviceName: "settlements", archive: {} }));
    const [archive] = lookup(resources).ofType("aws:cloudwatch/eventArchive:EventArchive");
    // Pulumi's autoname would be 29 + 8 + 8 = 45 characters: it fits, and is left alone.
    assert.equal(archive.inputs.name, undefined);
    const long = await compose(() => new ServiceBus("international-settlements-service-bus", { serviceName: "settlements", archive: {} }));
    const name = lookup(long.resources).ofType("aws:cloudwatch/eventArchive:EventArchive")[0].inputs.name;
    assert.ok(name.length <= 48 && /^[A-Za-z0-9._-]+$/.test(name) && name.endsWith("-archive"), name);
  });

  it("refuses to be created without a service name (it is every event's source)", async () => {
    await assert.rejects(
      compose(() => new ServiceBus("nameless", { serviceName: "" })),
      /serviceName is required/,
    );
  });
});

describe("ServiceBus: accepting events from other accounts", () => {
  const statementsOf = (resources: Parameters<typeof lookup>[0]) =>
    JSON.parse(lookup(resources).ofType("aws:cloudwatch/eventBusPolicy:EventBusPolicy")[0].inputs.policy).Statement;

  it("lets the accounts and roles given put events on this bus only, limited to the sources given", async () => {
    const role = "arn:aws:iam::111111111111:role/accounts-to-payments-role";
    const { result: bus, resources } = await compose(
      () =>
        new ServiceBus("payments-bus", {
          serviceName: "payments",
          acceptEventsFrom: { accounts: ["111111111111"], roleArns: [pulumi.output(role)], sources: ["accounts"] },
        }),
    );
    const [policy] = lookup(resources).ofType("aws:cloudwatch/eventBusPolicy:EventBusPolicy");
    assert.equal(policy.inputs.eventBusName, "payments-bus-bus-physical");
    assert.ok(bus.policy, "the policy is exposed");
    assert.deepEqual(statementsOf(resources), [
      {
        Sid: "PutEventsFromAccounts",
        Effect: "Allow",
        Principal: { AWS: ["111111111111", role] },
        Action: "events:PutEvents",
        Resource: "arn:aws:mock:aws:cloudwatch/eventBus:EventBus:payments-bus-bus",
        Condition: { "ForAllValues:StringEquals": { "events:source": ["accounts"] } },
      },
    ]);
  });

  it("lets an organization's accounts put events through aws:PrincipalOrgID, and has no policy unless asked", async () => {
    const { resources } = await compose(
      () => new ServiceBus("payments-bus", { serviceName: "payments", acceptEventsFrom: { organizationId: "o-a1b2c3d4e5" } }),
    );
    const [statement] = statementsOf(resources);
    assert.deepEqual(
      [statement.Sid, statement.Principal, statement.Action, statement.Condition],
      ["PutEventsFromOrganization", "*", "events:PutEvents", { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }],
    );
    const none = await compose(() => new ServiceBus("payments-bus", { serviceName: "payments" }));
    assert.deepEqual(lookup(none.resources).ofType("aws:cloudwatch/eventBusPolicy:EventBusPolicy"), []);
  });

  it("refuses an account ID, role ARN or organization ID AWS would refuse, and a policy naming nobody", async () => {
    for (const [acceptEventsFrom, expected] of [
      [{ accounts: ["1111"] }, /acceptEventsFrom\.accounts "1111" is not a 12-digit account ID/],
      [{ roleArns: ["accounts-role"] }, /acceptEventsFrom\.roleArns "accounts-role" is not an IAM role ARN/],
      [{ organizationId: "acme" }, /acceptEventsFrom\.organizationId "acme" is not an organization ID/],
      [{ sources: ["accounts"] }, /acceptEventsFrom needs at least one of `accounts`, `roleArns` or `organizationId`/],
    ] as const) {
      await assert.rejects(
        compose(() => new ServiceBus("payments-bus", { serviceName: "payments", acceptEventsFrom })),
        expected,
      );
    }
  });
});
