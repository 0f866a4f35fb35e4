import * as assert from "node:assert/strict";
import { MarkedProcess, describeRows, freePort, isEmulatorJvm, occupiedPort } from "./processes";

const MAIN = "local/main.ts";
const ENTRY = "tests/integration/lifecycle/fixtures/emulatorEntry.ts";
const SUITE = "tests/integration/lifecycle/fixtures/failingSuite.fixture.ts";
/** No stack frame (`    at f (file:1:2)`) in what a process printed. */
const STACK_FRAME = /\n\s+at \S/;

/** Asserts that nothing of `run` is left: no JVM with its mark, no process it started, nothing in a group it made. */
async function assertNothingLeft(run: MarkedProcess): Promise<void> {
  const left = await run.leftovers();
  assert.deepEqual(left, [], `left running after the process ended:\n${describeRows(left)}\n${run.output}`);
}

/** Asserts that `run` is running DynamoDB Local now (so that the check after it ends has something to miss). */
function assertEmulatorRunning(run: MarkedProcess): void {
  const rows = run.running();
  assert.ok(
    rows.some((row) => isEmulatorJvm(row) && row.args.includes(run.mark)),
    `no DynamoDB Local JVM of this run:\n${describeRows(rows)}`,
  );
}

describe("exit paths of a process that starts DynamoDB Local", function () {
  this.timeout(180_000);
  let run: MarkedProcess | undefined;

  afterEach(async () => {
    await run?.killLeftovers();
    run = undefined;
  });

  describe("an entry under the lifecycle", () => {
    it("returning from main exits with its code, runs the cleanups once and stops the emulator", async () => {
      run = MarkedProcess.typescript(ENTRY, ["return"]);
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      assert.deepEqual(await run.exit(), { code: 0, signal: null }, run.output);
      assert.equal(run.stdout.match(/cleanup ran/g)?.length, 1, run.output);
      await assertNothingLeft(run);
    });

    it("an error thrown by main prints one line, exits 1, runs the cleanups once and stops the emulator", async () => {
      run = MarkedProcess.typescript(ENTRY, ["throw"]);
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output);
      assert.equal(run.stderr, "fixture failed: thrown by main | second line\n");
      assert.equal(run.stdout.match(/cleanup ran/g)?.length, 1, run.output);
      await assertNothingLeft(run);
    });

    it("an exception thrown outside main (a crash) prints one line, exits 1, and stops the emulator", async () => {
      run = MarkedProcess.typescript(ENTRY, ["crash"]);
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output);
      assert.equal(run.stderr, "fixture failed: thrown by a timer\n");
      assert.equal(run.stdout.match(/cleanup ran/g)?.length, 1, run.output);
      await assertNothingLeft(run);
    });

    it("an unhandled rejection prints one line, exits 1, and stops the emulator", async () => {
      run = MarkedProcess.typescript(ENTRY, ["reject"]);
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output);
      assert.equal(run.stderr, "fixture failed: rejected, unhandled\n");
      assert.equal(run.stdout.match(/cleanup ran/g)?.length, 1, run.output);
      await assertNothingLeft(run);
    });
  });

  describe("cleanups that do not finish", () => {
    it("are cut off after the lifecycle's bound: the process exits with the signal's code, and the emulator is stopped", async () => {
      run = MarkedProcess.typescript(ENTRY, ["stuck"], { FIXTURE_CLEANUP_TIMEOUT_MS: "1000" });
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      run.child.kill("SIGTERM");
      assert.deepEqual(await run.exit(), { code: 143, signal: null }, run.output);
      assert.equal(run.stderr, "cleanup did not finish within 1000 ms; exiting anyway\n");
      await assertNothingLeft(run);
    });

    it("a second signal while cleaning up exits at once with its code", async () => {
      run = MarkedProcess.typescript(ENTRY, ["stuck"], { FIXTURE_CLEANUP_TIMEOUT_MS: "600000" });
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      run.child.kill("SIGTERM");
      await run.waitFor(/^cleanup ran$/m);
      run.child.kill("SIGINT");
      assert.deepEqual(await run.exit(30_000), { code: 130, signal: null }, run.output);
      assert.equal(run.stdout.match(/cleanup ran/g)?.length, 1, run.output);
      await assertNothingLeft(run);
    });
  });

  describe("npm start -- --serve (local/main.ts)", () => {
    it(`a taken --port exits 1 with "port N is in use: pass --port <free port>", no stack, and leaves no JVM`, async () => {
      const taken = await occupiedPort();
      try {
        run = MarkedProcess.typescript(MAIN, ["--serve", "--port", String(taken.port)]);
        assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output);
        assert.equal(run.stderr, `port ${taken.port} is in use: pass --port <free port>\n`);
        assert.doesNotMatch(run.output, STACK_FRAME);
        await assertNothingLeft(run);
      } finally {
        await taken.close();
      }
    });

    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
      ["SIGHUP", 129],
    ] as const) {
      it(`${signal} stops the pipeline and the emulator and exits ${code}`, async () => {
        run = MarkedProcess.typescript(MAIN, ["--serve", "--port", String(await freePort())]);
        await run.waitFor(/Ctrl-C stops it/);
        assertEmulatorRunning(run);
        run.child.kill(signal);
        assert.deepEqual(await run.exit(), { code, signal: null }, run.output);
        assert.match(run.stdout, /^stopped$/m);
        assert.equal(run.stderr, "", run.output);
        await assertNothingLeft(run);
      });
    }

    it("SIGKILL, which no handler sees, still leaves no JVM: the watchdog stops it when the parent's pipe closes", async () => {
      run = MarkedProcess.typescript(MAIN, ["--serve", "--port", String(await freePort())]);
      await run.waitFor(/Ctrl-C stops it/);
      assertEmulatorRunning(run);
      run.child.kill("SIGKILL");
      assert.deepEqual(await run.exit(), { code: null, signal: "SIGKILL" });
      await assertNothingLeft(run);
    });
  });

  describe("a mocha run on the suite's emulator (tests/support/rootHooks.ts)", () => {
    const mocha = (mode: "fail" | "hang") =>
      new MarkedProcess([require.resolve("mocha/bin/mocha.js"), SUITE], { FIXTURE_SUITE: mode, TS_NODE_TRANSPILE_ONLY: "true" });

    it("a failing assertion fails the run (exit 1) and leaves no JVM", async () => {
      run = mocha("fail");
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      assert.deepEqual(await run.exit(), { code: 1, signal: null }, run.output);
      assert.match(run.stdout, /1 failing/);
      await assertNothingLeft(run);
    });

    it("mocha killed by SIGTERM mid-test (a runner's timeout) leaves no JVM", async () => {
      run = mocha("hang");
      await run.waitFor(/^ready /m);
      assertEmulatorRunning(run);
      run.child.kill("SIGTERM");
      assert.deepEqual(await run.exit(), { code: null, signal: "SIGTERM" });
      await assertNothingLeft(run);
    });
  });
});
