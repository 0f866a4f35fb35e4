import * as assert from "node:assert/strict";
import { SqsDeadLetterQueueReader, SqsRedriveTargets } from "../../../handlers/runtime/aws/sqsDeadLetterRedrive";
import { PUBLICATION_LETTER_ORIGIN, deadLetterMessage } from "../../../handlers/runtime/messages/deadLetters";
import { listDeadLetters, redriveDeadLetters, showDeadLetter } from "../../../handlers/runtime/operations/deadLetterRedrive/redrive";
import { shapeOf } from "../../../handlers/runtime/operations/deadLetterRedrive/shapes";
import { fakeSqs } from "../../support/fakeSqs";

const envelope = (aggregateId: string) =>
  JSON.stringify({
    version: "0",
    id: `e-${aggregateId}`,
    "detail-type": "Credited",
    source: "accounts",
    detail: { event: { aggregateId, version: 2 } },
  });
const string = (value: string) => ({ DataType: "String", StringValue: value });
const handlerMessage = (letter: { reason: string; origin: string; input: unknown }) => {
  const { body, attributes } = deadLetterMessage(letter, 200_000);
  return { Body: body, MessageAttributes: { reason: string(attributes.reason), origin: string(attributes.origin) } };
};

/** A projector's DLQ holding one letter of each shape, and the dispatcher's holding one of its own. */
function deployedQueues() {
  const sqs = fakeSqs([
    { name: "balances-queue", deadLetterQueue: "balances-dlq" },
    {
      name: "balances-dlq",
      messages: [
        // SQS's redrive: the envelope as it was, with the attributes it had and the source it came from.
        {
          MessageId: "m-redrive",
          Body: envelope("a"),
          MessageAttributes: { trace: string("t-1") },
          Attributes: { DeadLetterQueueSourceArn: "arn:aws:sqs:eu-west-1:123456789012:balances-queue", SentTimestamp: "1700000000000" },
        },
        // EventBridge's target DLQ: the event, and why it was not delivered.
        {
          MessageId: "m-target",
          Body: envelope("b"),
          MessageAttributes: {
            RULE_ARN: string("arn:aws:events:eu-west-1:123456789012:rule/accounts-bus/balances-rule"),
            TARGET_ARN: string("arn:aws:sqs:eu-west-1:123456789012:balances-queue"),
            ERROR_CODE: string("NO_PERMISSIONS"),
            ERROR_MESSAGE: string("access denied"),
            RETRY_ATTEMPTS: string("0"),
          },
        },
        // The projector's own letter: its input is the queue message it gave up on.
        {
          MessageId: "m-projector",
          ...handlerMessage({ reason: "no upcast", origin: "projector:balances", input: { messageId: "orig-1", body: envelope("c") } }),
        },
      ],
    },
    {
      name: "dispatcher-dlq",
      messages: [
        {
          MessageId: "m-dispatcher",
          ...handlerMessage({
            reason: "unknown event type",
            origin: "dispatcher",
            input: { eventName: "INSERT", dynamodb: { NewImage: { aggregateId: { S: "d" }, version: { N: "3" } } } },
          }),
        },
      ],
    },
  ]);
  return sqs;
}

describe("dead-letter redrive", () => {
  describe("on SQS (client stubbed at client level)", () => {
    it("lists each shape with where it would go, and leaves every message in the queue, visible again", async () => {
      const sqs = deployedQueues();
      const { letters, more } = await listDeadLetters(new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")));

      assert.equal(more, false);
      assert.deepEqual(
        letters.map((letter) => [letter.messageId, letter.shape.kind, letter.destination]),
        [
          ["m-redrive", "queue-redrive", "to queue arn:aws:sqs:eu-west-1:123456789012:balances-queue"],
          ["m-target", "bus-target", "to queue arn:aws:sqs:eu-west-1:123456789012:balances-queue"],
          ["m-projector", "handler", "to queue arn:aws:sqs:eu-west-1:123456789012:balances-queue"],
        ],
      );
      assert.match(letters[1].summary, /NO_PERMISSIONS access denied/);
      assert.equal(letters[0].sentAt, 1_700_000_000_000);
      assert.ok(
        sqs.messagesOf("balances-dlq").every((message) => message.visible),
        "made visible again",
      );
      const receive = sqs.calls.find((call) => call.operation === "ReceiveMessage")!;
      assert.deepEqual(
        [receive.input.MessageAttributeNames, receive.input.MessageSystemAttributeNames],
        [["All"], ["DeadLetterQueueSourceArn", "SentTimestamp"]],
      );
    });

    it("redrives each shape where it is processed again: SQS's back to its source as it was, EventBridge's to its target without EventBridge's attributes, a projector's input body to the projector's queue", async () => {
      const sqs = deployedQueues();
      const report = await redriveDeadLetters(
        new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")),
        new SqsRedriveTargets(sqs.client),
      );

      assert.deepEqual(
        report.redriven.map((outcome) => outcome.messageId),
        ["m-redrive", "m-target", "m-projector"],
      );
      const sent = sqs.calls.filter((call) => call.operation === "SendMessage").map((call) => call.input);
      assert.deepEqual(sent, [
        { QueueUrl: sqs.urlOf("balances-queue"), MessageBody: envelope("a"), MessageAttributes: { trace: string("t-1") } },
        { QueueUrl: sqs.urlOf("balances-queue"), MessageBody: envelope("b") },
        { QueueUrl: sqs.urlOf("balances-queue"), MessageBody: envelope("c") },
      ]);
      assert.equal(sqs.messagesOf("balances-dlq").length, 0, "each deleted once sent");
      assert.equal(sqs.calls.filter((call) => call.operation === "GetQueueUrl").length, 1, "the queue's URL looked up once");
    });

    it("redrives a dispatcher's letter by replaying its aggregates, and leaves it when no ledger is given", async () => {
      const sqs = deployedQueues();
      const dlq = () => new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("dispatcher-dlq"));

      const without = await redriveDeadLetters(dlq(), new SqsRedriveTargets(sqs.client));
      assert.equal(without.skipped.length, 1);
      assert.match(without.skipped[0].reason!, /replaying its aggregates: give the ledger/);
      assert.equal(sqs.messagesOf("dispatcher-dlq").length, 1);
      assert.ok(sqs.messagesOf("dispatcher-dlq")[0].visible, "left visible");

      const replayed: [string, string][] = [];
      const report = await redriveDeadLetters(dlq(), new SqsRedriveTargets(sqs.client, async (id, key) => void replayed.push([id, key])));
      assert.deepEqual(replayed, [["d", "dlq:m-dispatcher:d"]]);
      assert.deepEqual(
        report.redriven.map((outcome) => outcome.to),
        ["replay d"],
      );
      assert.equal(sqs.messagesOf("dispatcher-dlq").length, 0);
    });

    it("given the ledger (by name or ARN), leaves a dispatcher's letter whose records are of another table's stream, naming it, and replays the ledger's own", async () => {
      const streamOf = (table: string) => `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2026-12-01T00:00:00.000`;
      const record = (table: string | undefined, id: string) => ({
        eventName: "INSERT",
        ...(table ? { eventSourceARN: streamOf(table) } : {}),
        dynamodb: { NewImage: { aggregateId: { S: id }, version: { N: "1" } } },
      });
      for (const ledgerTable of ["accounts-ledger", "arn:aws:dynamodb:eu-west-1:123456789012:table/accounts-ledger"]) {
        const sqs = fakeSqs([
          {
            name: "dispatcher-dlq",
            messages: [
              // One record: the letter of a record the dispatcher could not read.
              { MessageId: "m-own", ...handlerMessage({ reason: "bad", origin: "dispatcher", input: record("accounts-ledger", "a") }) },
              {
                MessageId: "m-other-one",
                ...handlerMessage({ reason: "bad", origin: "dispatcher", input: record("orders-ledger", "o1") }),
              },
              { MessageId: "m-other", ...handlerMessage({ reason: "bad", origin: "dispatcher", input: [record("orders-ledger", "o")] }) },
              {
                MessageId: "m-publications",
                ...handlerMessage({ reason: "bad", origin: PUBLICATION_LETTER_ORIGIN, input: [record("orders-ledger", "p")] }),
              },
              // A record naming no stream (written by hand) is taken as the ledger's.
              { MessageId: "m-unnamed", ...handlerMessage({ reason: "bad", origin: "dispatcher", input: record(undefined, "u") }) },
            ],
          },
        ]);
        const replayed: string[] = [];
        const report = await redriveDeadLetters(
          new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("dispatcher-dlq")),
          new SqsRedriveTargets(sqs.client, async (id) => void replayed.push(id)),
          { ledgerTable },
        );
        assert.deepEqual(replayed, ["a", "u"]);
        const reason = `its stream records are of table orders-ledger's stream, not of the ledger ${ledgerTable}: its aggregates are that table's, not this ledger's`;
        assert.deepEqual(
          report.skipped.map((outcome) => [outcome.messageId, outcome.reason]),
          [
            ["m-other-one", reason],
            ["m-other", reason],
            ["m-publications", reason],
          ],
        );
        assert.equal(sqs.messagesOf("dispatcher-dlq").length, 3, "the other ledger's letters stay");
      }
    });

    it("redrives a letter about public events the dispatcher could not publish by a replay asking it to publish those versions' public events again, and leaves it without a ledger", async () => {
      const replayRecord = {
        eventName: "INSERT",
        dynamodb: {
          NewImage: {
            aggregateId: { S: "q" },
            version: { N: "9" },
            type: { S: "ledger.Replay" },
            payload: { M: { target: { S: "dispatcher:publications" }, versions: { L: [{ N: "3" }, { N: "5" }] } } },
          },
        },
      };
      const sqs = fakeSqs([
        {
          name: "dispatcher-dlq",
          messages: [
            {
              MessageId: "m-publication",
              ...handlerMessage({
                reason: 'accounts.v1: the mapping of Credited of aggregate "p" at version 2 threw: no exchange rate',
                origin: PUBLICATION_LETTER_ORIGIN,
                input: [
                  { eventName: "INSERT", dynamodb: { NewImage: { aggregateId: { S: "p" }, version: { N: "2" } } } },
                  { eventName: "INSERT", dynamodb: { NewImage: { aggregateId: { S: "p" }, version: { N: "4" } } } },
                  replayRecord,
                ],
              }),
            },
          ],
        },
      ]);
      const dlq = () => new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("dispatcher-dlq"));
      const without = await redriveDeadLetters(dlq(), new SqsRedriveTargets(sqs.client));
      assert.deepEqual([without.redriven.length, without.skipped.length], [0, 1]);
      assert.match(without.skipped[0].reason!, /publish those versions' public events again: give the ledger/);
      assert.equal(sqs.messagesOf("dispatcher-dlq").length, 1, "the letter stays");

      const asked: [string, string, readonly number[] | undefined][] = [];
      const report = await redriveDeadLetters(
        dlq(),
        new SqsRedriveTargets(sqs.client, async (id, key, versions) => void asked.push([id, key, versions])),
      );
      assert.deepEqual(
        asked,
        [
          ["p", "dlq:m-publication:p:publications", [2, 4]],
          ["q", "dlq:m-publication:q:publications", [3, 5]],
        ],
        "each record's own version, and for a republishing replay that failed again, the versions it asked for",
      );
      assert.deepEqual(
        report.redriven.map((outcome) => outcome.to),
        ["republish p v2, v4; q v3, v5"],
      );
      assert.equal(sqs.messagesOf("dispatcher-dlq").length, 0);
    });

    it("redrives a reactor's own letters (a source event it gave up on, one command of a reply) to the reactor's queue, bodies as they were", async () => {
      const command = JSON.stringify({
        kind: "scheduled-command",
        aggregateId: "n-1",
        command: { kind: "Note" },
        idempotencyKey: "reaction:x:1",
      });
      const sqs = fakeSqs([
        { name: "notes-queue", deadLetterQueue: "notes-dlq" },
        {
          name: "notes-dlq",
          messages: [
            {
              MessageId: "m-source",
              ...handlerMessage({ reason: "refused", origin: "reactor:two-notes", input: { messageId: "s-1", body: envelope("e") } }),
            },
            {
              MessageId: "m-command",
              ...handlerMessage({ reason: "access denied", origin: "reactor:two-notes", input: { messageId: "s-2", body: command } }),
            },
          ],
        },
      ]);
      const report = await redriveDeadLetters(
        new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("notes-dlq")),
        new SqsRedriveTargets(sqs.client),
      );
      assert.deepEqual([report.redriven.length, report.skipped.length], [2, 0], JSON.stringify(report.skipped));
      assert.deepEqual(
        sqs
          .messagesOf("notes-queue")
          .map((message) => message.Body)
          .sort(),
        [command, envelope("e")].sort(),
      );
      assert.equal(sqs.messagesOf("notes-dlq").length, 0);
    });

    it("redrives EventBridge Scheduler's dead letter of a due command to the schedule's target queue without Scheduler's attributes, and leaves one Scheduler truncated", async () => {
      const command = JSON.stringify({
        kind: "scheduled-command",
        aggregateId: "n-2",
        command: { kind: "Remind" },
        idempotencyKey: "reaction:y:2",
      });
      // The attributes Scheduler documents for its dead-letter event (configuring-schedule-dlq).
      const schedulerAttributes = (truncated: boolean) => ({
        ERROR_CODE: string("AWS.SimpleQueueService.NonExistentQueue"),
        ERROR_MESSAGE: string("The specified queue does not exist."),
        EXECUTION_ID: string("ad06616e51cdf74a"),
        EXHAUSTED_RETRY_CONDITION: string("MaximumEventAgeInSeconds"),
        IS_PAYLOAD_TRUNCATED: string(String(truncated)),
        RETRY_ATTEMPTS: string("12"),
        SCHEDULED_TIME: string("2026-12-02T01:12:00Z"),
        SCHEDULE_ARN: string("arn:aws:scheduler:eu-west-1:123456789012:schedule/notes-schedules/r-1a2b"),
        TARGET_ARN: string("arn:aws:sqs:eu-west-1:123456789012:notes-queue"),
      });
      const sqs = fakeSqs([
        { name: "notes-queue", deadLetterQueue: "notes-dlq" },
        {
          name: "notes-dlq",
          messages: [
            { MessageId: "m-due", Body: command, MessageAttributes: { ...schedulerAttributes(false), trace: string("t-9") } },
            { MessageId: "m-cut", Body: command.slice(0, 20), MessageAttributes: schedulerAttributes(true) },
          ],
        },
      ]);
      const dlq = () => new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("notes-dlq"));

      const { letters } = await listDeadLetters(dlq());
      assert.deepEqual(
        letters.map((letter) => [letter.messageId, letter.shape.kind]),
        [
          ["m-due", "schedule-target"],
          ["m-cut", "schedule-target"],
        ],
      );
      assert.match(
        letters[0].summary,
        /Scheduler could not deliver it to .*notes-queue \(schedule .*r-1a2b\): AWS.SimpleQueueService.NonExistentQueue/,
      );

      const report = await redriveDeadLetters(dlq(), new SqsRedriveTargets(sqs.client));
      assert.deepEqual(
        [report.redriven.map((outcome) => outcome.messageId), report.skipped.map((outcome) => outcome.messageId)],
        [["m-due"], ["m-cut"]],
      );
      assert.match(report.skipped[0].reason!, /truncated/);
      assert.deepEqual(
        sqs.calls.filter((call) => call.operation === "SendMessage").map((call) => call.input),
        [{ QueueUrl: sqs.urlOf("notes-queue"), MessageBody: command, MessageAttributes: { trace: string("t-9") } }],
        "the command as Scheduler held it, its own attributes kept, Scheduler's dropped",
      );
      assert.deepEqual(
        sqs.messagesOf("notes-dlq").map((message) => message.MessageId),
        ["m-cut"],
      );
    });

    it("keeps a letter whose sending fails, and redrives only the ids asked for", async () => {
      const sqs = deployedQueues();
      const targets = new SqsRedriveTargets(sqs.client);
      const failing = { sendToQueue: async () => Promise.reject(new Error("AccessDenied")) };

      const failed = await redriveDeadLetters(new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")), failing, {
        ids: ["m-target"],
      });
      assert.deepEqual(
        failed.failed.map((outcome) => [outcome.messageId, outcome.reason]),
        [["m-target", "AccessDenied"]],
      );
      const some = await redriveDeadLetters(new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")), targets, {
        ids: ["m-target", "nope"],
      });
      assert.deepEqual([some.redriven.map((outcome) => outcome.messageId), some.notFound], [["m-target"], ["nope"]]);
      assert.deepEqual(
        sqs.messagesOf("balances-dlq").map((message) => message.MessageId),
        ["m-redrive", "m-projector"],
      );
    });

    it("shows one letter by id, its shape read from attributes and body", async () => {
      const sqs = deployedQueues();
      const shown = await showDeadLetter(new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")), "m-projector");
      assert.deepEqual(shown?.shape, {
        kind: "handler",
        origin: "projector:balances",
        reason: "no upcast",
        input: { messageId: "orig-1", body: envelope("c") },
        truncated: false,
      });
      assert.equal(await showDeadLetter(new SqsDeadLetterQueueReader(sqs.client, sqs.urlOf("balances-dlq")), "nope"), undefined);
    });
  });

  it("recognises a truncated handler letter and an unknown body, and redrives neither", () => {
    const truncated = deadLetterMessage(
      { reason: "too big", origin: "projector:balances", input: { messageId: "x", body: "y".repeat(5_000) } },
      1_000,
    );
    assert.deepEqual(shapeOf({ messageId: "1", body: truncated.body, attributes: {} }).kind, "handler");
    assert.equal((shapeOf({ messageId: "1", body: truncated.body, attributes: {} }) as { truncated: boolean }).truncated, true);
    assert.equal(shapeOf({ messageId: "2", body: "not json", attributes: {} }).kind, "unknown");
    assert.equal(
      shapeOf({ messageId: "3", body: envelope("z"), attributes: {} }).kind,
      "queue-redrive",
      "an envelope with no EventBridge attributes was moved by SQS",
    );
  });
});
