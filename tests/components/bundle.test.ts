import * as assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

/** A copy of the package's sources in a fresh directory of its own name, sharing this checkout's installed dependencies. */
function checkout(label: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), `${label}-`)), "serverless-event-ledger");
  for (const entry of ["components", "handlers", "examples", "package.json", "tsconfig.json"])
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe("handler bundles", function () {
  this.timeout(120_000);

  it("are byte-identical when built from two checkouts in different directories, so a deploy from another machine changes no function", () => {
    const dirs = [checkout("first"), checkout("second-checkout")];
    try {
      for (const spec of [
        { kind: "dispatcher", module: "examples/accounts/domain.ts", exportName: "accounts" },
        { kind: "projector", module: "examples/accounts/projections.ts", exportName: "balances" },
      ]) {
        const [a, b] = dirs.map((dir) => {
          const { bundleHandler } = require(path.join(dir, "components", "bundle.ts")) as typeof import("../../components/bundle");
          return bundleHandler({ ...spec, module: path.join(dir, spec.module) } as never).code;
        });
        assert.ok(a === b, `${spec.kind}: the bundles differ`);
        for (const dir of dirs) assert.ok(!a.includes(dir) && !a.includes(path.dirname(dir)), "no checkout path inside the bundle");
      }
    } finally {
      for (const dir of dirs) rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("include the pinned AWS SDK instead of relying on the copy the Lambda runtime ships", () => {
    const { bundleHandler } = require("../../components/bundle") as typeof import("../../components/bundle");
    const { code } = bundleHandler({
      kind: "projector",
      module: path.join(ROOT, "examples/accounts/projections.ts"),
      exportName: "lastTransaction",
    });
    // The one exception is the optional CRT signer the SDK requires inside a try block; it is not installed.
    assert.deepEqual(
      [...new Set(code.match(/require\("@aws-sdk\/[^"]+"\)/g))],
      ['require("@aws-sdk/signature-v4-crt")'],
      "no other @aws-sdk module is left to the runtime",
    );
    assert.ok(code.includes("SendMessageBatchCommand"), "the SQS client is inside");
  });
});
