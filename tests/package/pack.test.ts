import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { MarkedProcess, freePort } from "../integration/lifecycle/processes";

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
          // What `event-ledger dev` needs beside them: DynamoDB Local, and ts-node for a TypeScript program.
          "amplify-dynamodb-simulator": ownPackage.devDependencies["amplify-dynamodb-simulator"],
          "ts-node": ownPackage.devDependencies["ts-node"],
          typescript: ownPackage.devDependencies.typescript,
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

  it("runs the program's own service with `npx event-ledger dev`: a command over HTTP reaches its read model, and Ctrl-C leaves no process", async () => {
    const port = await freePort();
    // npm's npx, whichever node runs it (a node installed alone has no npx beside it).
    const npx = realpathSync(run("sh", ["-c", "command -v npx"], scratch).trim());
    const dev = new MarkedProcess([npx, "event-ledger", "dev", "program.ts", "--port", String(port), "--no-watch"], {}, scratch);
    try {
      await dev.waitFor(/Ctrl-C stops it/, 180_000);
      assert.ok(
        dev.running().some((row) => row.args.includes("DynamoDBLocal.jar")),
        "its DynamoDB Local runs",
      );
      const endpoint = /DynamoDB Local on (\S+)/.exec(dev.stdout)![1];
      const table = / stock in (\S+)/.exec(dev.stdout)![1];
      const api = new RegExp(`inventory-commands \\(service inventory\\) on (\\S+)`).exec(dev.stdout)![1];
      const sent = await fetch(`${api}/aggregates/bin-7/commands`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "Create", sku: "sku-1" }),
      });
      assert.equal(sent.status, 200, await sent.text());
      const received = await fetch(`${api}/aggregates/bin-7/commands`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "Receive", quantity: 5 }),
      });
      assert.equal(received.status, 200);
      const db = new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      let row: Record<string, { S?: string; N?: string }> | undefined;
      for (
        const deadline = Date.now() + 30_000;
        Date.now() < deadline && row?.onHand?.N !== "5";
        await new Promise((r) => setTimeout(r, 200))
      )
        row = (await db.send(new GetItemCommand({ TableName: table, Key: { id: { S: "bin-7" } }, ConsistentRead: true }))).Item;
      db.destroy();
      assert.deepEqual([row?.sku?.S, row?.onHand?.N, row?.version?.N], ["sku-1", "5", "2"], "the projected row, at the ledger's version");
      // Ctrl-C in a terminal signals the whole foreground group: npx and the command it runs.
      process.kill(-dev.child.pid!, "SIGINT");
      const exit = await dev.exit();
      // npx ends by the signal itself; the command it ran stopped what it started first.
      assert.ok(exit.code === 130 || exit.signal === "SIGINT", `exit ${exit.code ?? exit.signal}\n${dev.output}`);
      assert.match(dev.stdout, /\nstopped\n/);
      assert.deepEqual(await dev.leftovers(), [], "no process left");
    } finally {
      await dev.killLeftovers();
    }
  });
});
