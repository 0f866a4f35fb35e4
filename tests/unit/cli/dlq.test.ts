import * as assert from "node:assert/strict";
import { letterNamesAggregate } from "../../../cli/letterAggregates";
import { deadLetterMessage } from "../../../handlers/runtime/messages/deadLetters";
import { fakeSqs } from "../../support/fakeSqs";
import { runInProcess } from "./cliRun";

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

/** A projector's DLQ holding a letter of each shape, and the dispatcher's holding one of its own. */
function deployedQueues() {
  return fakeSqs([
    { name: "balances-queue", deadLetterQueue: "balances-dlq" },
    {
      name: "balances-dlq",
      messages: [
        {
          MessageId: "m-redrive",
          Body: envelope("a"),
          Attributes: { DeadLetterQueueSourceArn: "arn:aws:sqs:eu-west-1:123456789012:balances-queue", SentTimestamp: "1700000000000" },
        },
        {
          MessageId: "m-target",
          Body: envelope("b"),
          MessageAttributes: {
            RULE_ARN: string("arn:aws:events:eu-west-1:123456789012:rule/accounts-bus/balances-rule"),
            TARGET_ARN: string("arn:aws:sqs:eu-west-1:123456789012:balances-queue"),
            ERROR_CODE: string("NO_PERMISSIONS"),
            ERROR_MESSAGE: string("access denied"),
          },
        },
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
}

describe("event-ledger dlq (SQS stubbed at client level)", () => {
  const run = async (argv: string[], sqs = deployedQueues()) => ({
    ...(await runInProcess(["dlq", ...argv], { clients: { sqs: sqs.client } })),
    sqs,
  });

  it("list, show and redrive on a queue URL", async () => {
    const sqs = deployedQueues();
    const url = sqs.urlOf("balances-dlq");
    const listed = await run(["list", "--queue-url", url], sqs);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /m-redrive {2}queue-redrive/);
    assert.match(listed.stdout, /3 dead letters\n$/);
    const json = await run(["list", "--queue-url", url, "--json"], sqs);
    assert.deepEqual(
      json.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).messageId),
      ["m-redrive", "m-target", "m-projector"],
    );

    const shown = await run(["show", "m-target", "--queue-url", url], sqs);
    assert.equal(shown.code, 0);
    assert.equal(JSON.parse(shown.stdout).attributes.ERROR_CODE.stringValue, "NO_PERMISSIONS");
    assert.equal(JSON.parse(shown.stdout).body["detail-type"], "Credited");

    const redriven = await run(["redrive", "m-redrive", "m-projector", "--queue-url", url], sqs);
    assert.equal(redriven.code, 0);
    assert.match(redriven.stdout, /2 redriven, 0 left in the queue, 0 failed, 0 not found/);
    const rest = await run(["redrive", "--all", "--queue-url", url], sqs);
    assert.match(rest.stdout, /redriven m-target \(bus-target\)/);
    assert.equal(sqs.messagesOf("balances-dlq").length, 0);
  });

  it("answers a dispatcher letter it cannot replay, or an id it cannot find, with exit 1", async () => {
    const sqs = deployedQueues();
    const left = await run(["redrive", "--all", "--queue-url", sqs.urlOf("dispatcher-dlq")], sqs);
    assert.equal(left.code, 1);
    assert.match(left.stdout, /left m-dispatcher \(handler\): .*--ledger-table/);
    const missing = await run(["show", "nope", "--queue-url", sqs.urlOf("dispatcher-dlq")], sqs);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no message nope/);
  });

  it("a queue that does not exist fails with exit 1 naming --queue-url", async () => {
    const { code, stderr } = await run([
      "list",
      "--queue-url",
      "https://sqs.eu-west-1.amazonaws.com/123456789012/nope",
      "--region",
      "eu-west-1",
    ]);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      "event-ledger dlq list: queue https://sqs.eu-west-1.amazonaws.com/123456789012/nope does not exist in region eu-west-1: check --queue-url\n",
    );
  });

  for (const [argv, message] of [
    [[], /^ {2}list /m],
    [["purge", "--queue-url", "u"], /^event-ledger dlq: unknown command "purge" \(list, show, redrive\)/],
    [["list"], /^event-ledger dlq list: missing --queue-url <dlq url>/],
    [["show", "--queue-url", "u"], /^event-ledger dlq show: missing <message id>/],
    [["show", "a", "b", "--queue-url", "u"], /^event-ledger dlq show: unexpected argument "b"/],
    [["list", "x", "--queue-url", "u"], /^event-ledger dlq list: unexpected argument "x"/],
    [["redrive", "--queue-url", "u"], /^event-ledger dlq redrive: redrive what\? give --all or message ids/],
    [["redrive", "--all", "m1", "--queue-url", "u"], /not both/],
    [["list", "--queue-url", "u", "--limit", "0"], /^event-ledger dlq list: --limit takes a positive integer, got "0"/],
    [["list", "--queue-url", "u", "--bogus"], /^event-ledger dlq list: unknown option --bogus/],
    [["redrive", "--all", "--queue-url", "u", "--ledger-table", "t"], /missing --idempotency-table, --domain/],
  ] as [string[], RegExp][]) {
    it(`exits 2 with the usage for ${JSON.stringify(argv)}, sending nothing`, async () => {
      const { code, stderr, sqs } = await run(argv);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.match(stderr, /usage:/);
      assert.equal(sqs.calls.length, 0, "nothing sent");
    });
  }
});

describe("letters naming an aggregate (inspect --dlq)", () => {
  it("finds the aggregate in an envelope, in a projector's letter holding one as text, and in a dispatcher's stream record; not another's", () => {
    const projectorLetter = handlerMessage({
      reason: "r",
      origin: "projector:balances",
      input: { messageId: "m", body: envelope("c") },
    }).Body;
    const dispatcherLetter = handlerMessage({
      reason: "r",
      origin: "dispatcher",
      input: { eventName: "INSERT", dynamodb: { NewImage: { aggregateId: { S: "d" } } } },
    }).Body;
    assert.equal(letterNamesAggregate(envelope("a"), "a"), true);
    assert.equal(letterNamesAggregate(projectorLetter, "c"), true);
    assert.equal(letterNamesAggregate(dispatcherLetter, "d"), true);
    assert.equal(letterNamesAggregate(JSON.stringify({ aggregateRef: { aggregateId: "e", version: 9 } }), "e"), true);
    for (const body of [envelope("a"), projectorLetter, dispatcherLetter, "not json"]) assert.equal(letterNamesAggregate(body, "z"), false);
  });
});
