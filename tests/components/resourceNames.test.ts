import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CommandApi } from "../../components";
import { Registered, compose } from "../../local/pulumiMocks";
import { mockedStack } from "../support/mockedStack";

const FIXTURE = path.join(__dirname, "fixtures", "registeredResources.json");
const examples = path.join(__dirname, "..", "..", "examples", "accounts");

/** Type and logical name of every resource, sorted: what decides whether a deployed stack keeps or replaces it. */
const namesOf = (resources: readonly Registered[]) => resources.map((resource) => `${resource.type} ${resource.name}`).sort();

/** The example stack (two services, one with a key and alarm actions) and command APIs with DAX and a public endpoint. */
async function registeredNames(): Promise<{ stack: string[]; withDaxAndPublic: string[] }> {
  const stack = namesOf(await mockedStack());
  const { resources } = await compose(async () => {
    const { accountsService } = await import("../../examples/accounts/stack");
    const service = accountsService("accounts", {
      deletionProtection: false,
      archiveRetentionDays: 7,
      logRetentionDays: 7,
      kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/accounts",
    });
    const domain = { ledger: service.ledger, domainModule: path.join(examples, "domain.ts"), domainExport: "accounts" };
    new CommandApi("accounts-cached", {
      ...domain,
      replica: service.replica,
      dax: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], routeTableIds: ["rtb-a"] },
    });
    new CommandApi("accounts-open", { ...domain, auth: { type: "NONE", acknowledgePublicEndpoint: true } });
  }, "accounts-service");
  return { stack, withDaxAndPublic: namesOf(resources) };
}

describe("registered resources", function () {
  this.timeout(120_000);

  it("keep the types and logical names deployed stacks have, so an upgrade replaces nothing", async () => {
    const names = await registeredNames();
    // UPDATE_RESOURCE_NAMES=1 rewrites the fixture: only when a change of names is intended (and aliased).
    if (process.env.UPDATE_RESOURCE_NAMES === "1") writeFileSync(FIXTURE, `${JSON.stringify(names, null, 2)}\n`);
    assert.deepEqual(names, JSON.parse(readFileSync(FIXTURE, "utf8")));
  });
});
