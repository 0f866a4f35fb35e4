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
