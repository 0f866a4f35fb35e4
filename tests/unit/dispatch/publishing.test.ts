import * as assert from "node:assert/strict";
import { PUBLICATION_LETTER_ORIGIN } from "../../../handlers/runtime/messages/deadLetters";
import { AccountState, accounts } from "../../../examples/accounts/domain";
import { accountEvents, seedAccount } from "../../../examples/accounts/history";
import { unmarshallImage } from "../../../handlers/runtime/aws/streamImages";
import {
  AggregateLoader,
  Bus,
  Dispatcher,
  InMemoryDeadLetters,
  InMemoryEventStore,
  InMemorySnapshotStore,
  CommandHandler,
  LedgerEvent,
  PublishedEvent,
  REPLAY_EVENT_TYPE,
  StateCarriedMessage,
  definePublication,
} from "../../../handlers/runtime";
import { BusEntry } from "../../../handlers/runtime/dispatch/batching";
import { PUBLICATIONS_REPLAY_TARGET } from "../../../handlers/runtime/domain/domain";
import { versionsOfPublicationInput } from "../../../handlers/runtime/operations/deadLetterRedrive/redrive";
import { insertRecord } from "../../../local/streamPoller";
import { AccountPublicEvents, accountsContract, accountsPublication, flakyPublication, foreignPublication } from "../contracts/fixtures";

/** A bus that accepts every entry and keeps each PutEvents call. */
class StubBus implements Bus {
  readonly calls: BusEntry[][] = [];
  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    this.calls.push([...entries]);
    return entries.map(() => undefined);
  }
  entries = (): BusEntry[] => this.calls.flat();
  publicEvents = (): PublishedEvent<AccountPublicEvents>[] =>
    this.entries()
      .filter((entry) => entry.detailType.startsWith("accounts.v1."))
      .map((entry) => JSON.parse(entry.detail));
  stateCarried = (): StateCarriedMessage[] =>
    this.entries()
      .filter((entry) => !entry.detailType.startsWith("accounts.v1."))
      .map((entry) => JSON.parse(entry.detail));
}

/** The dead letters' warnings are what these tests assert on: kept out of the test output. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let sequence = 0;
const recordsOf = (events: readonly LedgerEvent[]) =>
  events.map((event) => insertRecord({ ...event }, String(++sequence).padStart(21, "0")));

async function dispatcherOver(history: LedgerEvent[], publications = [accountsPublication]) {
  const events = new InMemoryEventStore();
  const snapshots = new InMemorySnapshotStore();
  await seedAccount(events, snapshots, history);
  const bus = new StubBus();
  const deadLetters = new InMemoryDeadLetters();
  const dispatcher = new Dispatcher<AccountState>({
    domain: accounts,
    loader: new AggregateLoader(accounts, events, snapshots),
    snapshots,
    bus,
    deadLetters,
    source: "accounts",
    publications,
    publish: { backoffMs: 1 },
    unmarshall: unmarshallImage,
    logger: quiet,
  });
  return { dispatcher, bus, deadLetters };
}

describe("dispatcher: publishing a contract's public events beside the state-carried messages", () => {
  it("sends each mapped public event with the service as source and the contract's detail-type, in the same PutEvents batches", async () => {
    const history = accountEvents("acc-1", 1, 6);
    const { dispatcher, bus, deadLetters } = await dispatcherOver(history);

    const report = await dispatcher.dispatch(recordsOf(history));

    assert.deepEqual([report.batchItemFailures, report.published, report.publishedPublic, deadLetters.letters], [[], 12, 6, []]);
    assert.equal(bus.calls.length, 2, "12 entries in PutEvents calls of at most 10, public and state-carried together");
    assert.ok(
      bus.calls[0].some((entry) => entry.detailType.startsWith("accounts.v1.")) &&
        bus.calls[0].some((entry) => entry.detailType === "Credited"),
    );
    assert.deepEqual(
      bus
        .entries()
        .filter((entry) => entry.detailType.startsWith("accounts.v1."))
        .map((entry) => [entry.source, entry.detailType]),
      [["accounts", "accounts.v1.AccountOpened"], ...Array.from({ length: 5 }, () => ["accounts", "accounts.v1.BalanceChanged"])],
    );
    const [opened, ...changes] = bus.publicEvents();
    assert.deepEqual(opened, {
      type: "AccountOpened",
      payload: { accountId: "acc-1", owner: "ada" },
      contract: "accounts",
      contractVersion: 1,
      service: "accounts",
      aggregateId: "acc-1",
      version: 1,
      timestamp: history[0].timestamp,
    });
    assert.deepEqual(
      changes.map((event) => [event.version, event.type === "BalanceChanged" && event.payload.balance]),
      [
        [2, 1],
        [3, 2],
        [4, 3],
        [5, 4],
        [6, 5],
      ],
      "each public event is made from the state right after its event",
    );
    assert.equal(bus.stateCarried().length, 6, "the state-carried messages are all there too");
  });

  it("never publishes a replay publicly: the state-carried message goes out, no public event", async () => {
    const history = accountEvents("acc-1", 1, 3);
    const replay = { aggregateId: "acc-1", version: 4, type: REPLAY_EVENT_TYPE, payload: {}, timestamp: "2026-02-01T00:00:00.000Z" };
    const { dispatcher, bus } = await dispatcherOver([...history, replay]);

    const report = await dispatcher.dispatch(recordsOf([replay]));

    assert.deepEqual([report.batchItemFailures, report.published, report.publishedPublic], [[], 1, 0]);
    assert.deepEqual(
      bus.entries().map((entry) => entry.detailType),
      [REPLAY_EVENT_TYPE],
    );
  });

  it("dead-letters the record of a payload its schema refuses, with the path that is wrong; sends what can be sent", async () => {
    const anonymous = definePublication(accountsContract, accounts, {
      AccountOpened: ({ event }) => ({
        type: "AccountOpened",
        payload: { accountId: event.aggregateId, owner: event.payload.owner.slice(5) },
      }),
    });
    const history = accountEvents("acc-1", 1, 2);
    const { dispatcher, bus, deadLetters } = await dispatcherOver(history, [anonymous]);
    const records = recordsOf(history);

    const report = await dispatcher.dispatch(records);

    assert.deepEqual([report.batchItemFailures, report.deadLettered, report.publishedPublic], [[], 1, 0], "dead-lettered, not retried");
    assert.equal(deadLetters.letters.length, 1);
    const [letter] = deadLetters.letters;
    assert.equal(letter.origin, PUBLICATION_LETTER_ORIGIN, "told apart from letters a replay redrives");
    assert.equal(
      letter.reason,
      'accounts.v1 AccountOpened (from AccountOpened of aggregate "acc-1" at version 1) fails its schema: payload.owner: must be at least 1 characters, got 0',
    );
    assert.deepEqual(letter.input, [records[0]], "the letter holds the record, as for any record that cannot be published");
    assert.deepEqual(
      bus.stateCarried().map((message) => message.event.version),
      [1, 2],
      "the state-carried messages still go out",
    );
  });

  it("dead-letters a mapping that throws or returns a type the contract does not declare, naming the contract and the event", async () => {
    const wrong = definePublication(accountsContract, accounts, {
      AccountOpened: () => ({ type: "AccountClosed", payload: {} }) as never,
      Credited: () => {
        throw new Error("no exchange rate");
      },
    });
    const history = accountEvents("acc-1", 1, 2);
    const { dispatcher, deadLetters } = await dispatcherOver(history, [wrong]);

    await dispatcher.dispatch(recordsOf(history));

    assert.deepEqual(
      deadLetters.letters.map((letter) => letter.reason),
      [
        'accounts.v1: the mapping of AccountOpened of aggregate "acc-1" at version 1 returned type "AccountClosed", which the contract does not declare (known: AccountOpened, BalanceChanged)',
        'accounts.v1: the mapping of Credited of aggregate "acc-1" at version 2 threw: no exchange rate',
      ],
    );
  });

  it("refuses publications it cannot honour when it is built: another service's contract, another domain's, one contract twice", async () => {
    await assert.rejects(dispatcherOver([], [foreignPublication]), /names service "payments", but this dispatcher publishes as "accounts"/);
    await assert.rejects(
      dispatcherOver([], [{ ...accountsPublication, domain: "Order" }]),
      /maps the events of domain "Order", not of "Account"/,
    );
    await assert.rejects(dispatcherOver([], [accountsPublication, accountsPublication]), /publishes accounts\/accounts\.v1 a second time/);
  });
});

describe("dispatcher: publishing public events again, once their publication is fixed", () => {
  it("publishes, for a replay aimed at its publications, the public events of the versions it names from the states then, and no state-carried message for the replay", async () => {
    let broken = true;
    const flaky = flakyPublication(() => broken);
    const history = accountEvents("acc-1", 1, 4);
    const events = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    await seedAccount(events, snapshots, history);
    const bus = new StubBus();
    const deadLetters = new InMemoryDeadLetters();
    const loader = new AggregateLoader(accounts, events, snapshots);
    const dispatcher = new Dispatcher<AccountState>({
      domain: accounts,
      loader,
      snapshots,
      bus,
      deadLetters,
      source: "accounts",
      publications: [flaky],
      publish: { backoffMs: 1 },
      unmarshall: unmarshallImage,
      logger: quiet,
    });
    await dispatcher.dispatch(recordsOf(history));
    assert.equal(deadLetters.letters.length, 3, "versions 2, 3, 4: their Credited could not be published");
    const asked = deadLetters.letters.flatMap((letter) => versionsOfPublicationInput(letter.input));
    assert.deepEqual(
      asked,
      [2, 3, 4].map((version) => ({ aggregateId: "acc-1", versions: [version] })),
    );

    broken = false;
    const commands = new CommandHandler<AccountState, unknown>(loader, events, { logger: quiet });
    const replay = await commands.republish("acc-1", [4, 2, 3, 2], { idempotencyKey: "dlq:m-1:acc-1:publications" });
    assert.deepEqual(
      replay.events.map((event) => [event.type, event.payload]),
      [[REPLAY_EVENT_TYPE, { target: PUBLICATIONS_REPLAY_TARGET, versions: [2, 3, 4] }]],
    );
    bus.calls.length = 0;
    const report = await dispatcher.dispatch(recordsOf(replay.events));

    assert.deepEqual([report.batchItemFailures, report.publishedPublic, report.deadLettered], [[], 3, 0]);
    assert.deepEqual(
      bus.publicEvents().map((event) => [event.version, event.type === "BalanceChanged" && event.payload.balance]),
      [
        [2, 1],
        [3, 2],
        [4, 3],
      ],
      "each as it would have been published then: its version, the state right after it",
    );
    assert.deepEqual(bus.stateCarried(), [], "no projector takes this replay: nothing is sent for it but the public events");
    await assert.rejects(commands.republish("acc-1", [9]), /has no version 9 to publish again/);
  });
});

describe("dispatcher: its entry size bound", () => {
  it("refuses a maxEntryBytes above what one PutEvents request holds, at construction rather than by failing every batch", () => {
    const events = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const options = {
      domain: accounts,
      loader: new AggregateLoader(accounts, events, snapshots),
      snapshots,
      bus: new StubBus(),
      deadLetters: new InMemoryDeadLetters(),
      source: "accounts",
      unmarshall: unmarshallImage,
      logger: quiet,
    };
    assert.throws(
      () => new Dispatcher<AccountState>({ ...options, maxEntryBytes: 300 * 1024 }),
      (error: Error) => error instanceof RangeError && /maxEntryBytes must be at most 262144/.test(error.message),
    );
    assert.doesNotThrow(() => new Dispatcher<AccountState>({ ...options, maxEntryBytes: 256 * 1024 }), "the limit itself is allowed");
  });
});
