import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EventLedger } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

describe("EventLedger", () => {
  it("defaults: events, snapshot and idempotency tables on demand, encrypted, protected from deletion, PITR where history matters", async () => {
    const { result: ledger, resources } = await compose(() => new EventLedger("orders-ledger"));
    const { named, ofType } = lookup(resources);
    assert.equal(ofType("aws:dynamodb/table:Table").length, 3);
    const events = named("aws:dynamodb/table:Table", "orders-ledger-events");
    assert.deepEqual(
      [events.inputs.hashKey, events.inputs.rangeKey, events.inputs.streamViewType],
      ["aggregateId", "version", "NEW_IMAGE"],
    );
    // The index in the key-schema form (hashKey/rangeKey on an index are deprecated in pulumi-aws 7).
    const [index] = events.inputs.globalSecondaryIndexes;
    assert.deepEqual(
      [index.hashKey, index.rangeKey, index.keySchemas.map((key: { keyType: string }) => key.keyType)],
      [undefined, undefined, ["HASH", "RANGE"]],
    );
    for (const [table, pitr] of [
      ["events", true],
      ["snapshots", true],
      ["idempotency", false],
    ] as const) {
      const inputs = named("aws:dynamodb/table:Table", `orders-ledger-${table}`).inputs;
      assert.equal(inputs.billingMode, "PAY_PER_REQUEST", table);
      assert.equal(inputs.deletionProtectionEnabled, true, table);
      // Encrypted with the key DynamoDB owns: `enabled: true` without a key would select the AWS-managed KMS key (charged per request).
      assert.deepEqual(inputs.serverSideEncryption, { enabled: false }, table);
      assert.equal(inputs.pointInTimeRecovery.enabled, pitr, table);
    }
    assert.equal(await valueOf(ledger.streamArn), "arn:aws:mock:aws:dynamodb/table:Table:orders-ledger-events/stream/2026");
    assert.equal(await valueOf(ledger.idempotencyTableArn), "arn:aws:mock:aws:dynamodb/table:Table:orders-ledger-idempotency");
  });

  it("takes its options as Inputs: a key, tags and protection that are only known at deploy time", async () => {
    const key = pulumi.output("arn:aws:kms:eu-west-1:123456789012:key/orders");
    const { resources } = await compose(
      () =>
        new EventLedger("orders-ledger", {
          kmsKeyArn: key,
          tags: pulumi.output({ team: "orders" }),
          deletionProtection: pulumi.output(false),
          pointInTimeRecovery: pulumi.output(false),
        }),
    );
    const events = lookup(resources).named("aws:dynamodb/table:Table", "orders-ledger-events").inputs;
    assert.deepEqual(events.serverSideEncryption, { enabled: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/orders" });
    assert.deepEqual(events.tags, { team: "orders" });
    assert.equal(events.deletionProtectionEnabled, false);
    assert.equal(events.pointInTimeRecovery.enabled, false);
  });
});
