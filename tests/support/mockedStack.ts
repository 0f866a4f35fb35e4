import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// Not in the typings, but exported: resolves once every pending resource registration is done.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  arn: string;
}

/** Mocked resources return computed fields (ARNs, stream ARN, queue URL, names) as AWS would. */
const registered: Registered[] = [];
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const arn = `arn:aws:mock:${args.type}:${args.name}`;
    const state: Record<string, unknown> = { ...args.inputs, arn, name: args.inputs.name ?? `${args.name}-physical` };
    if (args.type === "aws:dynamodb/table:Table" && args.inputs.streamEnabled) state.streamArn = `${arn}/stream/2026`;
    if (args.type === "aws:sqs/queue:Queue") state.url = `https://sqs.local/${args.name}`;
    if (args.type === "aws:s3/bucketV2:BucketV2" || args.type === "aws:s3/bucket:Bucket") state.bucket = `${args.name}-physical`;
    registered.push({ type: args.type, name: args.name, inputs: args.inputs, arn });
    return { id: `${args.name}-id`, state };
  },
  call: (args) => args.inputs,
};

/** The second service encrypts its ledger with its own key and pages its on-call topic. */
export const PAYMENTS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/payments";
export const PAYMENTS_ON_CALL = "arn:aws:sns:eu-west-1:123456789012:payments-on-call";

let composed: Promise<Registered[]> | undefined;

/**
 * The example program (index.ts) plus a second microservice ("payments") composed once under
 * mocks for every suite that inspects the resources; the registered resources with their inputs.
 */
export function mockedStack(): Promise<Registered[]> {
  composed ??= (async () => {
    await pulumi.runtime.setMocks(mocks, "accounts-service", "test", false);
    const program = await import("../../index");
    // A second microservice in the same program: nothing may collide.
    program.accountsService("payments", { deletionProtection: false, archiveRetentionDays: 7, logRetentionDays: 7, kmsKeyArn: PAYMENTS_KEY, alarmActions: [PAYMENTS_ON_CALL] });
    await waitForRPCs();
    return registered;
  })();
  return composed;
}

export const ofType = (type: string): Registered[] => registered.filter((resource) => resource.type === type);

export const named = (type: string, name: string): Registered => {
  const found = registered.find((resource) => resource.type === type && resource.name === name);
  assert.ok(found, `no ${type} named ${name}`);
  return found;
};
