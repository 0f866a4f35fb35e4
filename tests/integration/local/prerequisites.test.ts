import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

describe("prerequisites", function () {
  this.timeout(120_000);

  it("without Java on the PATH, the unit tier (npm run test:unit) still runs and passes", function () {
    // The whole unit tier runs inside this test: about 90 s alone on 2 cores, more beside other work.
    this.timeout(600_000);
    const bin = mkdtempSync(path.join(tmpdir(), "no-java-"));
    symlinkSync(process.execPath, path.join(bin, "node"));
    try {
      const run = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--config", ".mocharc.unit.json"], {
        cwd: path.join(__dirname, "..", "..", ".."),
        env: { ...process.env, PATH: bin },
        encoding: "utf8",
      });
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /\d+ passing/);
      assert.doesNotMatch(run.stdout, /^\s*\d+ failing/m);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("without Java on the PATH, npm start says what is missing and how to install it, exits 2, and prints no stack trace", () => {
    // A PATH holding only node: no java anywhere on it.
    const bin = mkdtempSync(path.join(tmpdir(), "no-java-"));
    symlinkSync(process.execPath, path.join(bin, "node"));
    try {
      const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts"], {
        cwd: path.join(__dirname, "..", "..", ".."),
        env: { ...process.env, PATH: bin },
        encoding: "utf8",
      });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /Java 17 or later is needed to run DynamoDB Local/);
      assert.match(run.stderr, /sudo apt-get install -y openjdk-17-jre-headless/);
      assert.match(run.stderr, /brew install openjdk@17/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
      assert.doesNotMatch(`${run.stdout}${run.stderr}`, /NodeVersionSupportWarning/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
