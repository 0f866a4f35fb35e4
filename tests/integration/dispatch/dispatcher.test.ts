import * as assert from "node:assert/strict";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { AccountState, accounts } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { toSnapshot } from "../../../handlers/runtime/ledger/snapshots";
import { Random } from "../../../local/random";
import { SqsDeadLetterQueue } from "../../../handlers/runtime/aws/sqsDeadLetterQueue";
import { SQS_MAX_MESSAGE_BYTES } from "../../../handlers/runtime/ledger/conventions";
import { EventBridgeBus } from "../../../handlers/runtime/aws/eventBridgeBus";
import { BankLedger, accountEvents, bankLedger, seed } from "../../support/ledgerFixture";
import { RecordingBus, bankDispatcher, projectorFor, queueMessages, recordsOf, streamRecord } from "../../support/pipelineFixture";
import { stubSend } from "../../support/stubClient";

describe("AggregateDispatcher (DynamoDB Local ledger, bus stubbed at client level)", () => {
  let ledger: BankLedger;
  beforeEach(async () => {
    ledger = await bankLedger();
  });

  it("publishes each event once with the aggregate at that event's version, whatever the record order and duplicates", async () => {
    const events = ["a", "b", "c"].flatMap((id, index) => accountEvents(id, 1, 5 + index * 3));
    await seed(
      ledger,
      events.filter((event) => event.aggregateId === "a"),
    );
    await seed(
      ledger,
      events.filter((event) => event.aggregateId === "b"),
    );
    await seed(
      ledger,
      events.filter((event) => event.aggregateId === "c"),
    );
    const records = recordsOf(events);
    const bus = new RecordingBus();
    const { dispatcher } = bankDispatcher(ledger, bus);

    const report = await dispatcher.dispatch(new Random(7).shuffle([...records, ...records.slice(0, 6), records[9]]));

    assert.deepEqual(report.batchItemFailures, []);
    const keys = bus.messages.map((message) => `${message.event.aggregateId}@${message.event.version}`);
    assert.equal(keys.length, events.length, "one message per event, duplicates published once");
    assert.equal(new Set(keys).size, events.length);
    for (const message of bus.messages) {
      const expected = await ledger.loader.load(message.event.aggregateId, message.event.version);
      assert.deepEqual(message.aggregate, { version: expected.version, state: expected.state });
      assert.equal(message.schemaVersion, 1);
    }
    assert.ok(
      bus.calls.every((call) => call.length <= 10),
      "PutEvents batches hold at most 10 entries",
    );
    assert.equal(bus.calls.length, Math.ceil(events.length / 10));
  });

  it("fetches every aggregate's snapshot in one BatchGetItem, then reads the ledger once per aggregate", async () => {
    const events = Array.from({ length: 10 }, (_, i) => accountEvents(`agg-${i}`, 1, 130)).flat();
    for (let i = 0; i < 10; i += 1) await seed(ledger, events.slice(i * 130, (i + 1) * 130), 100);
    const batch = events.filter((event) => event.version > 120);
    const bus = new RecordingBus();
    const { dispatcher } = bankDispatcher(ledger, bus, { snapshotEvery: 100 });
    ledger.requests.reset();
    const before = ledger.requests.itemsRead(ledger.events.tableName);

    await dispatcher.dispatch(recordsOf(batch));

    assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { BatchGetItem: 1, Query: 10 });
    assert.equal(
      ledger.requests.itemsRead(ledger.events.tableName) - before,
      10 * 31,
      "folds only versions 101..130 on top of the snapshot at 100 (read with it, as proof)",
    );
    assert.equal(
      (bus.messages.find((m) => m.event.aggregateId === "agg-3" && m.event.version === 130)?.aggregate?.state as AccountState).balance,
      129,
    );
  });

  it("looks up no snapshot for aggregates too young to have one: one ledger Query per aggregate, nothing else", async () => {
    const events = Array.from({ length: 30 }, (_, i) => accountEvents(`young-${i}`, 1, 20)).flat();
    for (let i = 0; i < 30; i += 1) await seed(ledger, events.slice(i * 20, (i + 1) * 20));
    const bus = new RecordingBus();
    const { dispatcher } = bankDispatcher(ledger, bus, { snapshotEvery: 100 });
    ledger.requests.reset();

    await dispatcher.dispatch(recordsOf(events.filter((event) => event.version >= 5)));

    assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { Query: 30 });
    assert.equal(bus.messages.length, 30 * 16);
  });

  it("falls back to querying the latest snapshot when the expected one is missing, and writes the missing one", async () => {
    await seed(ledger, accountEvents("no-snap", 1, 130));
    await ledger.snapshots.save(toSnapshot(accounts, await ledger.loader.load("no-snap", 50)));
    const bus = new RecordingBus();
    const { dispatcher } = bankDispatcher(ledger, bus, { snapshotEvery: 100 });
    ledger.requests.reset();
    const before = ledger.requests.itemsRead(ledger.events.tableName);

    await dispatcher.dispatch(recordsOf(accountEvents("no-snap", 121, 130)));

    assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { BatchGetItem: 1, Query: 2, PutItem: 1 });
    assert.equal(
      ledger.requests.itemsRead(ledger.events.tableName) - before,
      81,
      "folded 51..130 from the snapshot at 50 (read with it, as proof)",
    );
    assert.equal((bus.messages.at(-1)?.aggregate?.state as AccountState).balance, 129);
    assert.equal((await ledger.snapshots.get("no-snap", 100))?.version, 100, "the snapshot at 100 now exists");
  });

  it("resends only the entries PutEvents refused (FailedEntryCount) and then succeeds", async () => {
    await seed(ledger, accountEvents("acc", 1, 4));
    const client = new EventBridgeClient({ region: "local" });
    const calls = stubSend(client, (command, call) => ({
      FailedEntryCount: call === 1 ? 2 : 0,
      Entries: command.input.Entries.map((_: unknown, index: number) =>
        call === 1 && (index === 1 || index === 3)
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }
          : { EventId: `e${index}` },
      ),
    }));
    const { dispatcher } = bankDispatcher(ledger, new EventBridgeBus(client, "accounts-bus"));

    const report = await dispatcher.dispatch(recordsOf(accountEvents("acc", 1, 4)));

    assert.deepEqual(report.batchItemFailures, []);
    assert.equal(calls.length, 2);
    assert.equal(calls[0].input.Entries.length, 4);
    const resent = calls[1].input.Entries.map((entry: { Detail: string }) => JSON.parse(entry.Detail).event.version);
    assert.deepEqual(resent, [2, 4]);
    assert.ok(
      calls[0].input.Entries.every(
        (entry: { EventBusName: string; Source: string }) => entry.EventBusName === "accounts-bus" && entry.Source === "accounts",
      ),
    );
  });

  it("reports only the records whose entries still fail after every attempt, so Lambda retries from them", async () => {
    await seed(ledger, accountEvents("ok", 1, 2));
    await seed(ledger, accountEvents("doomed", 1, 2));
    const client = new EventBridgeClient({ region: "local" });
    stubSend(client, (command) => ({
      Entries: command.input.Entries.map((entry: { Detail: string }) =>
        JSON.parse(entry.Detail).event.aggregateId === "doomed" ? { ErrorCode: "InternalFailure" } : { EventId: "x" },
      ),
    }));
    const records = recordsOf([...accountEvents("ok", 1, 2), ...accountEvents("doomed", 1, 2)]);
    const { dispatcher } = bankDispatcher(ledger, new EventBridgeBus(client, "bus"), { publish: { maxAttempts: 3, backoffMs: 1 } });

    const report = await dispatcher.dispatch(records);

    assert.deepEqual(
      report.batchItemFailures.map((failure) => failure.itemIdentifier).sort(),
      records
        .slice(2)
        .map((record) => record.dynamodb!.SequenceNumber!)
        .sort(),
    );
    assert.equal(report.published, 2);
  });

  it("sends an aggregate too large for the bus by reference to the snapshot at its version, which projectors resolve", async () => {
    const huge = {
      aggregateId: "big",
      version: 1,
      type: "AccountOpened",
      payload: { owner: "x".repeat(2_000) },
      timestamp: new Date().toISOString(),
    };
    await ledger.events.append([huge]);
    const bus = new RecordingBus();
    const { dispatcher } = bankDispatcher(ledger, bus, { maxEntryBytes: 3_000 });

    const report = await dispatcher.dispatch([streamRecord(huge)]);

    assert.equal(report.byReference, 1);
    const [message] = bus.messages;
    assert.equal(message.aggregate, undefined);
    assert.deepEqual(message.aggregateRef, { aggregateId: "big", version: 1 });
    const { projector, readModel } = await projectorFor(ledger, balances);
    const projected = await projector.project(queueMessages([message]));
    assert.equal(projected.written, 1);
    assert.equal(((await readModel.get("big"))?.owner as string).length, 2_000);
  });

  it("sends poison records to the dead-letter queue with their reason while the rest are published", async () => {
    await seed(ledger, accountEvents("fine", 1, 3));
    const unknownType = streamRecord({
      aggregateId: "weird",
      version: 1,
      type: "Teleported",
      payload: {},
      timestamp: new Date().toISOString(),
    });
    const noVersion = streamRecord({ aggregateId: "weird", type: "Credited", payload: { amount: 1 }, timestamp: new Date().toISOString() });
    const bus = new RecordingBus();
    const { dispatcher, deadLetters } = bankDispatcher(ledger, bus);

    const report = await dispatcher.dispatch([
      ...recordsOf(accountEvents("fine", 1, 2)),
      unknownType,
      noVersion,
      ...recordsOf(accountEvents("fine", 3, 3)),
    ]);

    assert.deepEqual(report.batchItemFailures, []);
    assert.equal(report.published, 3);
    assert.deepEqual(
      deadLetters.letters.map((letter) => letter.input),
      [unknownType, noVersion],
    );
    assert.match(deadLetters.letters[0].reason, /unknown event type "Teleported"/);
    assert.match(deadLetters.letters[1].reason, /version must be a positive integer, got undefined/);
  });

  it("retries a poison record when the dead-letter queue refuses it, instead of dropping it", async () => {
    const client = new SQSClient({ region: "local" });
    const calls = stubSend(client, () => ({ Failed: [{ Id: "0", Code: "InternalError", SenderFault: false }], Successful: [] }));
    const { dispatcher } = bankDispatcher(ledger, new RecordingBus(), { deadLetters: new SqsDeadLetterQueue(client, "https://dlq") });
    const poison = streamRecord({ aggregateId: "p", version: 1, type: "Nope", payload: {}, timestamp: new Date().toISOString() });

    const report = await dispatcher.dispatch([poison]);

    assert.deepEqual(report.batchItemFailures, [{ itemIdentifier: poison.dynamodb!.SequenceNumber }]);
    assert.equal(calls[0].name, "SendMessageBatchCommand");
    assert.match(calls[0].input.Entries[0].MessageAttributes.reason.StringValue, /unknown event type "Nope"/);
  });

  it("dead-letters ten 300 KB poison records and a 1.5 MB one without a refused batch: requests within SQS's limits, the oversized letter kept truncated with its reason", async () => {
    const client = new SQSClient({ region: "local" });
    const stored: any[] = [];
    // Answers as SQS does: a request over 10 entries or 1 MiB in total is refused whole.
    const calls = stubSend(client, (command) => {
      const entries = command.input.Entries as {
        MessageBody: string;
        MessageAttributes: Record<string, { StringValue: string; DataType: string }>;
      }[];
      const bytes = entries.reduce(
        (sum, entry) =>
          sum +
          Buffer.byteLength(entry.MessageBody) +
          Object.entries(entry.MessageAttributes).reduce(
            (n, [k, v]) => n + k.length + v.DataType.length + Buffer.byteLength(v.StringValue),
            0,
          ),
        0,
      );
      if (entries.length > 10) throw Object.assign(new Error("too many entries"), { name: "TooManyEntriesInBatchRequest" });
      if (bytes > SQS_MAX_MESSAGE_BYTES) throw Object.assign(new Error(`batch of ${bytes} bytes`), { name: "BatchRequestTooLong" });
      stored.push(...entries.map((entry) => JSON.parse(entry.MessageBody)));
      return { Successful: entries.map((_, index) => ({ Id: String(index) })), Failed: [] };
    });
    const { dispatcher } = bankDispatcher(ledger, new RecordingBus(), { deadLetters: new SqsDeadLetterQueue(client, "https://dlq") });
    const poison = (id: string, bytes: number) =>
      streamRecord({
        aggregateId: id,
        version: 1,
        type: "Nope",
        payload: { blob: "x".repeat(bytes) },
        timestamp: new Date().toISOString(),
      });
    const records = [...Array.from({ length: 10 }, (_, i) => poison(`p${i}`, 300_000)), poison("huge", 1_500_000)];

    const report = await dispatcher.dispatch(records);

    assert.deepEqual(report.batchItemFailures, [], "every poison record is stored, none is retried");
    assert.equal(stored.length, 11);
    assert.ok(calls.length >= 4, "ten 300 KB letters take at least four requests");
    const huge = stored.find((letter) => letter.inputTruncated);
    assert.match(huge.reason, /unknown event type "Nope"/);
    assert.ok(huge.inputTruncated.originalBytes > 1_500_000);
    assert.match(huge.inputTruncated.prefix, /"aggregateId":\{"S":"huge"\}/, "the prefix still names the record");
  });

  it("takes a snapshot at every multiple of snapshotEvery while dispatching", async () => {
    await seed(ledger, accountEvents("snap", 1, 12));
    const { dispatcher } = bankDispatcher(ledger, new RecordingBus(), { snapshotEvery: 5 });
    const report = await dispatcher.dispatch(recordsOf(accountEvents("snap", 1, 12)));
    assert.equal(report.snapshots, 2);
    assert.equal((await ledger.snapshots.latest("snap"))?.version, 10);
    assert.equal((await ledger.snapshots.latest("snap", 9))?.version, 5);
  });
});
