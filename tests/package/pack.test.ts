import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const ownPackage = require(path.join(ROOT, "package.json")) as { devDependencies: Record<string, string> };

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "error" },
  });

/**
 * The package as a platform team gets it: packed, installed from the tarball into a Pulumi program
 * outside this repository, used with that program's own domain and projection through the public
 * entry points only. The program type-checks against the shipped declarations (with the classic
 * "node" module resolution Pulumi's templates use), composes a service under mocks, and its three
 * bundles build from node_modules, load and export `handler`.
 */
describe("the packed package installed in a scratch Pulumi program", function () {
  this.timeout(300_000);
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "ledger-scratch-"));
    run("npm", ["pack", "--pack-destination", scratch], ROOT);
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
    assert.ok(tarball, "npm pack wrote a tarball");
    cpSync(path.join(__dirname, "scratch"), scratch, { recursive: true });
    writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({
        name: "inventory-service",
        private: true,
        // What a user's program pins: the package, and the Pulumi SDKs it is used with.
        dependencies: {
          "serverless-event-ledger": `file:./${tarball}`,
          "@pulumi/pulumi": ownPackage.devDependencies["@pulumi/pulumi"],
          "@pulumi/aws": ownPackage.devDependencies["@pulumi/aws"],
        },
      }),
    );
    writeFileSync(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [path.join(ROOT, "node_modules", "@types")],
        },
      }),
    );
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], scratch);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("ships compiled code and declarations only, and importing it creates no resource", () => {
    const installed = path.join(scratch, "node_modules", "serverless-event-ledger");
    const files = run("find", [".", "-type", "f", "-not", "-path", "./node_modules/*"], installed).split("\n").filter(Boolean);
    assert.ok(
      files.every((file) => /\.(js|d\.ts|json|md)$/.test(file) || file === "./LICENSE"),
      `only built files: ${files.filter((file) => !/\.(js|d\.ts|json|md)$/.test(file)).join(", ")}`,
    );
    assert.ok(
      !files.some((file) => file.startsWith("./tests/") || file.startsWith("./local/") || file === "./index.js"),
      "no tests, local stage or example stack",
    );
    // Loading every entry point outside a Pulumi run must not try to register anything.
    run(
      "node",
      [
        "-e",
        'require("serverless-event-ledger"); require("serverless-event-ledger/runtime"); require("serverless-event-ledger/runtime/aws")',
      ],
      scratch,
    );
  });

  it("type-checks a program written against the public entry points", () => {
    run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."], scratch);
  });

  it("composes the program's own service, bundles its handlers from node_modules, and fails at program time on a wrong export", () => {
    const output = run(
      process.execPath,
      ["-r", path.join(ROOT, "node_modules", "ts-node", "register", "transpile-only"), "check.ts"],
      scratch,
    );
    assert.match(output, /scratch program OK: 3 bundles load and export handler/);
  });
});
