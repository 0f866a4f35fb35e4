import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { LedgerEvent } from "../../../handlers/runtime/domain/domain";
import { CommandRejectedError } from "../../../handlers/runtime/command/errors";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { BankLedger, bankLedger } from "../../support/ledgerFixture";

/** Runs `perWriter` commands from each writer at once on one account and accounts for every one. */
async function contend(ledger: BankLedger, handlers: CommandHandler<AccountState, AccountCommand>[], perWriter: number) {
  const outcomes = { applied: 0, rejected: 0, failed: [] as unknown[] };
  await Promise.all(
    handlers.map(async (handler, writer) => {
      for (let i = 0; i < perWriter; i += 1) {
        const command: AccountCommand = (writer + i) % 3 === 0 ? { kind: "Debit", amount: 7 } : { kind: "Credit", amount: 3 };
        try {
          await handler.execute("hot", command);
          outcomes.applied += 1;
        } catch (error) {
          if (error instanceof CommandRejectedError) outcomes.rejected += 1;
          else outcomes.failed.push(error);
        }
      }
    }),
  );
  const events = (await ledger.events.read("hot", 0)) as unknown as LedgerEvent[];
  return { outcomes, events };
}

describe("commands on one hot aggregate (DynamoDB Local)", function () {
  this.timeout(120_000);
  let ledger: BankLedger;
  beforeEach(async () => {
    ledger = await bankLedger();
    await ledger.handler().execute("hot", { kind: "Open", owner: "hot" });
  });

  for (const [label, writers, processes] of [
    ["16 writers sharing one handler (one process)", 16, 1],
    ["8 writers with a handler each (eight processes), default attempts", 8, 8],
    ["16 writers with a handler each (sixteen processes), default attempts", 16, 16],
  ] as const) {
    it(`finishes every command of ${label}: none gives up, the ledger is gap-free and the balance is the fold`, async () => {
      // Default attempts; the wall-clock budget is lifted because on a loaded CI machine it would
      // measure the machine rather than the retry policy (the contention bench measures it).
      const handlerFor = () =>
        new CommandHandler(new AggregateLoader(accounts, ledger.events, ledger.snapshots), ledger.events, { retryBudgetMs: 120_000 });
      const shared = handlerFor();
      const handlers = Array.from({ length: writers }, (_, i) => (processes === 1 || i === 0 ? shared : handlerFor()));

      const { outcomes, events } = await contend(ledger, handlers, 10);

      assert.deepEqual(outcomes.failed.map(String), [], "no RetriesExhaustedError or any other failure");
      assert.equal(outcomes.applied + outcomes.rejected, writers * 10, "every command accounted for");
      assert.equal(events.length, 1 + outcomes.applied, "one event per applied command");
      assert.deepEqual(
        events.map((event) => event.version),
        events.map((_, index) => index + 1),
        "gap-free",
      );
      const folded = fold(accounts, emptyAggregate(accounts, "hot"), events);
      assert.deepEqual(await shared.query("hot"), folded);
      assert.ok(folded.state.balance >= 0);
    });
  }
});
