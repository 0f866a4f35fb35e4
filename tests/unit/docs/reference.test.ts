import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { REFERENCE_PATH, Reference, generateReference, splitDefault } from "../../../tools/reference";

describe("docs/reference.md", () => {
  let reference: Reference;
  before(() => {
    reference = generateReference();
  });

  it("is what the generator writes from the package's TSDoc today (run `npm run reference` after changing a component)", () => {
    const written = readFileSync(REFERENCE_PATH, "utf8");
    assert.ok(written === reference.markdown, "docs/reference.md is stale: run `npm run reference`");
  });

  it("has TSDoc for every argument of every exported component, and a default stated for every optional one", () => {
    assert.deepEqual(
      reference.problems,
      [],
      `write the missing TSDoc ("Default ..." for an optional argument):\n${reference.problems.join("\n")}`,
    );
  });

  it("documents each component the package exports, with its arguments and outputs", () => {
    for (const component of ["EventLedger", "ServiceBus", "AggregateDispatcher", "Projector", "CommandApi"]) {
      assert.match(reference.markdown, new RegExp(`^## ${component}$`, "m"));
      assert.match(reference.markdown, new RegExp(`^### Arguments \\(\`${component}Args\`\\)$`, "m"));
    }
    assert.match(
      reference.markdown,
      /^\| `retainOnDelete` \| `boolean` \| no \| true: a ledger is never dropped by a deploy \| Keep the events/m,
    );
    assert.match(reference.markdown, /^\| `url` \| `pulumi\.Output<string>` \|/m);
    assert.match(
      reference.markdown,
      /^- `defineDomain<S, C, E extends EventShape = NewEvent>\(domain: Domain<S, C, E>\): Domain<S, C, E>`: Declares a domain/m,
    );
  });
});

describe("the reference generator", () => {
  let fixture: Reference;
  before(() => {
    fixture = generateReference({
      root: path.join(__dirname, "fixtures"),
      components: { name: "fixture-package", file: "index.ts" },
      runtime: [],
    });
  });

  it("documents a component class it was never told about, with its own, inherited and nested arguments and its public outputs", () => {
    const { markdown } = fixture;
    assert.match(markdown, /^Components: \[Reactor\]\(#reactor\)\.$/m);
    assert.match(markdown, /^A component added after the generator was written/m);
    assert.match(markdown, /^`new Reactor\(name: string, args: ReactorArgs, opts\?: pulumi\.ComponentResourceOptions\)`$/m);
    assert.match(markdown, /^\| `bus` \| `pulumi\.Input<string>` \| yes \| {2}\| The bus to react to\. \|$/m);
    assert.match(markdown, /^\| `batchSize` \| `pulumi\.Input<number>` \| no \| 10 \| Messages per invocation\. \|$/m);
    assert.match(markdown, /^\| `failures\.retentionDays` \| `number` \| no \| 14 \| Days a failure is kept\. \|$/m);
    assert.match(markdown, /^Also every argument of \[SharedArgs\]\(#sharedargs\)\.$/m);
    assert.match(markdown, /^### SharedArgs$/m);
    assert.match(markdown, /^\| `queueUrl` \| `pulumi\.Output<string>` \| The queue's URL\. \|$/m);
    assert.doesNotMatch(markdown, /hidden/, "a private member is not an output");
    assert.doesNotMatch(markdown, /Helper/, "a class that is no ComponentResource is not a component");
  });

  it("reports an argument without TSDoc and an optional argument without a default", () => {
    assert.deepEqual(fixture.problems, [
      'ReactorArgs.retryDelaySeconds is optional but its TSDoc states no default ("Default ...")',
      "ReactorArgs.undocumented has no TSDoc",
    ]);
  });

  it("takes the sentence starting with Default as the default and the rest of the TSDoc as the effect", () => {
    assert.deepEqual(splitDefault("Memory in MB. Default: the component's (dispatcher 512). Raise it for large states."), {
      default: "the component's (dispatcher 512)",
      effect: "Memory in MB. Raise it for large states.",
    });
    assert.deepEqual(splitDefault('Export of `domainModule`. Default "default".'), {
      default: '"default"',
      effect: "Export of `domainModule`.",
    });
    assert.deepEqual(splitDefault("Deliveries before the DLQ (a default of SQS is 10)."), {
      effect: "Deliveries before the DLQ (a default of SQS is 10).",
    });
  });
});
