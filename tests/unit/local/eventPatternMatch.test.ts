import { strict as assert } from "node:assert";
import { UnsupportedPatternError, matchesPattern } from "../../../local/eventPatternMatch";
import { InProcessBus } from "../../../local/inProcessBus";
import { LocalQueue } from "../../../local/localQueue";
import { projectorEventPattern } from "../../../handlers/runtime/messages/eventPatterns";
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

  it("decides every pattern the library writes for a projector without refusing it", () => {
    const pattern = projectorEventPattern("accounts", ["Credited"], "balances");
    assert.equal(matchesPattern(pattern, { source: "accounts", "detail-type": "Credited", detail: {} }), true);
    const replay = { source: "accounts", "detail-type": REPLAY_EVENT_TYPE, detail: { event: { payload: { target: "balances" } } } };
    assert.equal(matchesPattern(pattern, replay), true);
    assert.equal(matchesPattern(pattern, { ...replay, detail: { event: { payload: { target: "other" } } } }), false);
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
