import * as assert from "node:assert/strict";
import { STACK_LINE, spawnCli } from "./cliRun";
import { LEDGER } from "./deployedLedger";

describe("event-ledger as a process (node cli/main.ts)", function () {
  this.timeout(180_000);

  it("--help and -h exit 0 with the commands; no command exits 2 with them", async () => {
    const [help, short, none] = await Promise.all([spawnCli(["--help"]), spawnCli(["replay", "-h"]), spawnCli([])]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^ {2}replay +appends a replay event/m);
    assert.equal(short.code, 0);
    assert.match(short.stdout, /^ {2}--dry-run +counts the aggregates/m);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^ {2}inspect +shows an aggregate/m);
  });

  for (const [what, argv, message] of [
    [
      "an unknown flag",
      ["replay", ...LEDGER, "--all", "--dryrun"],
      /^event-ledger replay: unknown option --dryrun \(did you mean --dry-run\?\)$/,
    ],
    [
      "a negative rate as its own word",
      ["replay", ...LEDGER, "--all", "--rate", "-3"],
      /^event-ledger replay: --rate takes a positive number, got "-3"$/,
    ],
    [
      "a missing required option",
      ["recover", "--bucket", "b"],
      /^event-ledger recover: missing --ledger-table <table>, --idempotency-table <table>, --domain <file>$/,
    ],
    ["a missing aggregate id", ["inspect", "--ledger-table", "t"], /^event-ledger inspect: missing <aggregateId>$/],
    [
      "a domain export that does not exist",
      ["replay", ...LEDGER.slice(0, -1), "acounts", "--all"],
      /^event-ledger replay: --domain examples\/accounts\/domain.ts has no export "acounts" \(it exports accounts, default\): check --export$/,
    ],
  ] as [string, string[], RegExp][]) {
    it(`${what}: exit 2, the one-line message, the usage, no stack`, async () => {
      const { code, stdout, stderr } = await spawnCli(argv);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      const [first, second] = stderr.split("\n");
      assert.match(first, message);
      assert.match(second, /^usage: event-ledger /);
      assert.doesNotMatch(stderr, STACK_LINE);
    });
  }

  it("without a region (none set here): exit 1, one line naming AWS_REGION and --region, no stack; --verbose adds the cause chain", async () => {
    // No profile file either, so no region comes from a developer's own configuration.
    const env = { AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
    const [plain, verbose] = await Promise.all([
      spawnCli(["replay", ...LEDGER, "--all"], env),
      spawnCli(["replay", ...LEDGER, "--all", "--verbose"], env),
    ]);
    assert.equal(plain.code, 1);
    assert.equal(plain.stderr, "event-ledger replay: no AWS region: set AWS_REGION or --region\n");
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /\ncaused by: Error: Region is missing\n\s+at /);
  });

  it("refuses `replay --target balancez --program index.ts`, listing the targets this repository's program has, before touching a table", async () => {
    // No endpoint or region: a check that reached a table would fail with exit 1, not 2.
    const { code, stderr } = await spawnCli(["replay", ...LEDGER, "--target", "balancez", "--program", "index.ts"]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /\nevent-ledger replay: --target "balancez" is no projector of program index.ts \(its projectors: balances, last-transaction, order-status, payment-status, replica, shipments\); did you mean balances\?\n/,
    );
    assert.doesNotMatch(stderr, STACK_LINE);
  });
});
