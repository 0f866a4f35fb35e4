import { strict as assert } from "node:assert";
import { UnsupportedPatternError, matchesPattern } from "../../../local/eventPatternMatch";
import { InProcessBus } from "../../../local/inProcessBus";
import { LocalQueue } from "../../../local/localQueue";
import { projectorEventPattern } from "../../../handlers/runtime/messages/eventPatterns";
import { reactionEventPattern } from "../../../handlers/runtime/reaction/reaction";
import { accounts } from "../../../examples/accounts/domain";
import { REPLAY_EVENT_TYPE } from "../../../handlers/runtime/domain/domain";

describe("the local stage's event pattern matcher", () => {
  it("matches a value against any element of an array in the event, as EventBridge does", () => {
    const pattern = { detail: { tags: ["priority"] } };
    assert.equal(matchesPattern(pattern, { detail: { tags: ["bulk", "priority"] } }), true);
    assert.equal(matchesPattern(pattern, { detail: { tags: ["bulk"] } }), false);
    assert.equal(matchesPattern(pattern, { detail: { tags: "priority" } }), true);
  });

  it("tells a field that exists from one that does not, and matches a null value only to null", () => {
    assert.equal(matchesPattern({ detail: { target: [{ exists: false }] } }, { detail: {} }), true);
    assert.equal(matchesPattern({ detail: { target: [{ exists: false }] } }, { detail: { target: "x" } }), false);
    assert.equal(matchesPattern({ detail: { target: [{ exists: true }] } }, { detail: { target: null } }), true);
    assert.equal(matchesPattern({ detail: { target: [null] } }, { detail: { target: null } }), true);
    assert.equal(matchesPattern({ detail: { target: [null] } }, { detail: { target: "x" } }), false);
  });

  it("refuses an operator it does not model, naming the field, instead of deciding otherwise than EventBridge", () => {
    for (const operator of [
      { prefix: "Acc" },
      { "anything-but": "x" },
      { numeric: [">", 1] },
      { exists: "yes" },
      { exists: true, prefix: "a" },
    ]) {
      assert.throws(
        () => matchesPattern({ source: ["accounts"], "detail-type": [operator] }, { source: "accounts", "detail-type": "AccountOpened" }),
        (error: unknown) =>
          error instanceof UnsupportedPatternError && error.field === "detail-type" && error.message.includes(JSON.stringify(operator)),
      );
    }
  });

  it("puts every pattern the library writes (a projector's, a reaction's) on a local bus and decides it", () => {
    const bus = new InProcessBus();
    const projector = projectorEventPattern("accounts", ["Credited"], "balances");
    const reaction = reactionEventPattern({ source: { service: "accounts", domain: accounts }, eventTypes: ["Credited"] });
    bus.subscribe(projector, new LocalQueue("balances"));
    bus.subscribe(reaction, new LocalQueue("reaction"));
    assert.equal(matchesPattern(projector, { source: "accounts", "detail-type": "Credited", detail: {} }), true);
    const replay = { source: "accounts", "detail-type": REPLAY_EVENT_TYPE, detail: { event: { payload: { target: "balances" } } } };
    assert.equal(matchesPattern(projector, replay), true);
    assert.equal(matchesPattern(projector, { ...replay, detail: { event: { payload: { target: "other" } } } }), false);
    assert.equal(
      matchesPattern(reaction, { source: "accounts", "detail-type": (reaction["detail-type"] as string[])[0], detail: {} }),
      true,
    );
    assert.equal(
      matchesPattern(reaction, { source: "savings", "detail-type": (reaction["detail-type"] as string[])[0], detail: {} }),
      false,
    );
  });

  it("matches a nested pattern against any object of an array in the event", () => {
    const pattern = { detail: { lines: { sku: ["A-1"] } } };
    assert.equal(matchesPattern(pattern, { detail: { lines: [{ sku: "B-2" }, { sku: "A-1" }] } }), true);
    assert.equal(matchesPattern(pattern, { detail: { lines: [{ sku: "B-2" }, "A-1"] } }), false);
  });

  it("refuses a bare value or an $or that is not a list of patterns when the rule is put on a local bus", () => {
    const bus = new InProcessBus();
    for (const [pattern, field] of [
      [{ source: "accounts" }, "source"],
      [{ detail: { amount: 5 } }, "amount"],
      [{ detail: { amount: null } }, "amount"],
      [{ $or: { source: ["accounts"] } }, "$or"],
      [{ $or: [["accounts"]] }, "$or"],
    ] as const) {
      assert.throws(
        () => bus.subscribe(pattern as never, new LocalQueue("q")),
        (error: unknown) => error instanceof UnsupportedPatternError && error.field === field,
      );
    }
  });

  it("refuses a rule with such an operator when it is put on a local bus, before any event is published", () => {
    const bus = new InProcessBus();
    assert.throws(
      () =>
        bus.subscribe({ source: ["accounts"], $or: [{ detail: { amount: [{ numeric: [">", 100] }] } }] }, new LocalQueue("big-credits")),
      (error: unknown) => error instanceof UnsupportedPatternError && error.field === "amount",
    );
  });
});
