import { Registered, compose, lookup } from "../../local/pulumiMocks";

export { Registered } from "../../local/pulumiMocks";

/** The second service encrypts its ledger with its own key and pages its on-call topic. */
export const SAVINGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/savings";
export const SAVINGS_ON_CALL = "arn:aws:sns:eu-west-1:123456789012:savings-on-call";

let composed: Promise<Registered[]> | undefined;
let found: ReturnType<typeof lookup> | undefined;

/**
 * The example program (index.ts) plus a second microservice ("savings") composed once under
 * mocks for every suite that inspects the resources; the registered resources with their inputs.
 */
export function mockedStack(): Promise<Registered[]> {
  composed ??= compose(async () => {
    const program = await import("../../index");
    // A second microservice in the same program: nothing may collide.
    program.accountsService("savings", {
      deletionProtection: false,
      archiveRetentionDays: 7,
      logRetentionDays: 7,
      kmsKeyArn: SAVINGS_KEY,
      alarmActions: [SAVINGS_ON_CALL],
    });
  }, "accounts-service").then(({ resources }) => {
    found = lookup(resources);
    return resources;
  });
  return composed;
}

const composedOnly = () => {
  if (!found) throw new Error("call mockedStack() first");
  return found;
};
export const ofType = (type: string): Registered[] => composedOnly().ofType(type);
export const named = (type: string, name: string): Registered => composedOnly().named(type, name);
