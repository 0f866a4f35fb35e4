import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AggregateDispatcher, AggregateDispatcherArgs, EventLedger, Projector, ProjectorArgs, ServiceBus } from "../../components";
import { LIMITS, numberProblem } from "../../components/settings";
import { compose, lookup } from "../../local/pulumiMocks";

const examples = path.join(__dirname, "..", "..", "examples", "accounts");
const bus = () => new ServiceBus("svc-bus", { serviceName: "svc" });
const projector = (args: Partial<ProjectorArgs>) =>
  compose(
    () =>
      new Projector("svc-balances", {
        bus: bus(),
        projectionModule: path.join(examples, "projections.ts"),
        projectionExport: "balances",
        ...args,
      }),
  );
const dispatcher = (args: Partial<AggregateDispatcherArgs>) =>
  compose(
    () =>
      new AggregateDispatcher("svc-dispatcher", {
        ledger: new EventLedger("svc-ledger"),
        bus: bus(),
        domainModule: path.join(examples, "domain.ts"),
        domainExport: "accounts",
        ...args,
      }),
  );

describe("numeric arguments AWS would refuse at deploy", () => {
  it("a rule says what is wrong: the range, the values outside it it admits, or the allowed set", () => {
    assert.equal(numberProblem(2, LIMITS.maximumConcurrency), undefined);
    assert.equal(numberProblem(1, LIMITS.maximumConcurrency), "must be an integer from 2 to 1,000, got 1");
    assert.equal(numberProblem(2.5, LIMITS.maximumConcurrency), "must be an integer from 2 to 1,000, got 2.5");
    assert.equal(numberProblem("5", LIMITS.maximumConcurrency), 'must be an integer from 2 to 1,000, got "5"');
    assert.equal(numberProblem(-1, LIMITS.maximumRecordAgeSeconds), undefined);
    assert.equal(numberProblem(30, LIMITS.maximumRecordAgeSeconds), "must be -1 or an integer from 60 to 604,800, got 30");
    assert.equal(numberProblem(0, LIMITS.logRetentionDays), undefined);
    assert.match(
      numberProblem(2, LIMITS.logRetentionDays)!,
      /^must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got 2$/,
    );
  });

  it("refuses each of a projector's when the program runs, naming the component and the argument", async () => {
    for (const [args, message] of [
      [{ maximumConcurrency: 1 }, /Projector "svc-balances": maximumConcurrency must be an integer from 2 to 1,000, got 1/],
      [{ maximumConcurrency: 1001 }, /maximumConcurrency must be an integer from 2 to 1,000, got 1001/],
      [{ batchSize: 0 }, /Projector "svc-balances": batchSize must be an integer from 1 to 10,000, got 0/],
      [{ batchSize: 10_001, batchingWindowSeconds: 5 }, /batchSize must be an integer from 1 to 10,000, got 10001/],
      [{ batchSize: 100 }, /Projector "svc-balances": batchSize of 100 \(above 10\) needs batchingWindowSeconds of at least 1, got 0/],
      [{ batchingWindowSeconds: 301 }, /Projector "svc-balances": batchingWindowSeconds must be an integer from 0 to 300, got 301/],
      [{ maxReceiveCount: 0 }, /Projector "svc-balances": maxReceiveCount must be an integer from 1 to 1,000, got 0/],
      [{ deliveryMaxAgeSeconds: 30 }, /Projector "svc-balances": deliveryMaxAgeSeconds must be an integer from 60 to 86,400, got 30/],
    ] as const) {
      await assert.rejects(projector(args), message, JSON.stringify(args));
    }
  });

  it("takes a batch above 10 with a batching window, as Lambda requires for SQS", async () => {
    const source = lookup((await projector({ batchSize: 100, batchingWindowSeconds: 2 })).resources).named(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "svc-balances-source",
    ).inputs;
    assert.deepEqual([source.batchSize, source.maximumBatchingWindowInSeconds], [100, 2]);
    const late = lookup((await projector({ batchSize: pulumi.output(100) })).resources);
    assert.deepEqual(
      late.ofType("aws:lambda/eventSourceMapping:EventSourceMapping"),
      [],
      "a deploy-time batch without a window is refused when it resolves",
    );
  });

  it("refuses each of a dispatcher's when the program runs, naming the component and the argument", async () => {
    for (const [args, message] of [
      [{ batchSize: 10_001 }, /AggregateDispatcher "svc-dispatcher": batchSize must be an integer from 1 to 10,000, got 10001/],
      [
        { maximumRetryAttempts: -2 },
        /AggregateDispatcher "svc-dispatcher": maximumRetryAttempts must be an integer from -1 to 10,000, got -2/,
      ],
      [
        { maximumRecordAgeSeconds: 59 },
        /AggregateDispatcher "svc-dispatcher": maximumRecordAgeSeconds must be -1 or an integer from 60 to 604,800, got 59/,
      ],
      [
        { batchingWindowSeconds: -1 },
        /AggregateDispatcher "svc-dispatcher": batchingWindowSeconds must be an integer from 0 to 300, got -1/,
      ],
      [
        { deadLetterRetentionSeconds: 1_209_601 },
        /AggregateDispatcher "svc-dispatcher": deadLetterRetentionSeconds must be an integer from 60 to 1,209,600, got 1209601/,
      ],
    ] as const) {
      await assert.rejects(dispatcher(args), message, JSON.stringify(args));
    }
    const mapping = lookup((await dispatcher({ maximumRetryAttempts: -1, maximumRecordAgeSeconds: 604_800 })).resources).named(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "svc-dispatcher-stream",
    ).inputs;
    assert.deepEqual([mapping.maximumRetryAttempts, mapping.maximumRecordAgeInSeconds], [-1, 604_800]);
  });
});
