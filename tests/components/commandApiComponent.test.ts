import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CommandApi, EventLedger } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const domainModule = path.join(__dirname, "..", "..", "examples", "accounts", "domain.ts");
const actions = (policy: string) => Object.fromEntries((JSON.parse(policy).Statement as { Sid: string; Action: string[] }[]).map((statement) => [statement.Sid, statement.Action]));

describe("CommandApi", () => {
  it("defaults: an IAM-authenticated function URL over the ledger's snapshots, reserved concurrency when asked", async () => {
    const { result, resources } = await compose(() => new CommandApi("svc-commands", { ledger: new EventLedger("svc-ledger"), domainModule, domainExport: "accounts", reservedConcurrency: 20, serviceName: "svc" }));
    const { named, ofType } = lookup(resources);
    assert.equal(named("aws:lambda/functionUrl:FunctionUrl", "svc-commands-url").inputs.authorizationType, "AWS_IAM");
    assert.equal(ofType("aws:lambda/permission:Permission").length, 0, "nobody else may invoke it");
    const fn = named("aws:lambda/function:Function", "svc-commands-function").inputs;
    assert.deepEqual([fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions, fn.environment.variables.POWERTOOLS_SERVICE_NAME], [512, 29, 20, "svc"]);
    assert.deepEqual(actions(named("aws:iam/rolePolicy:RolePolicy", "svc-commands-policy").inputs.policy).Ledger, ["dynamodb:Query", "dynamodb:PutItem"]);
    assert.equal(await valueOf(result.url), "https://svc-commands-url.lambda-url.local/");
    assert.deepEqual(result.invokeStatement.Action, ["lambda:InvokeFunctionUrl"]);
  });

  it("a public endpoint only when asked for by name, and a start strategy it knows", async () => {
    const ledger = () => new EventLedger("svc-ledger");
    await assert.rejects(compose(() => new CommandApi("svc-open", { ledger: ledger(), domainModule, domainExport: "accounts", auth: { type: "NONE" } as never })), /auth must be "AWS_IAM" or \{ type: "NONE", acknowledgePublicEndpoint: true \}/);
    await assert.rejects(compose(() => new CommandApi("svc-odd", { ledger: ledger(), domainModule, domainExport: "accounts", start: "guess" as never })), /start must be one of replica-and-tail, decide-on-replica/);
    const { resources } = await compose(() => new CommandApi("svc-public", { ledger: ledger(), domainModule, domainExport: "accounts", auth: { type: "NONE", acknowledgePublicEndpoint: true } }));
    assert.equal(lookup(resources).named("aws:lambda/functionUrl:FunctionUrl", "svc-public-url").inputs.authorizationType, "NONE");
  });
});
