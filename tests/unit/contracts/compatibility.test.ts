import * as assert from "node:assert/strict";
import { JsonSchema, compatibilityProblems, defineContract } from "../../../handlers/runtime";
import { accountsContract } from "./fixtures";

const previous: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", minLength: 1, maxLength: 36 },
    amount: { type: "number", minimum: 0, maximum: 1000 },
    status: { enum: ["open", "closed"] },
    kind: { const: "order" },
    note: { type: "string" },
    lines: { type: "array", items: { type: "object", properties: { sku: { type: "string" } }, required: ["sku"] } },
  },
  required: ["id", "amount"],
};
const changed = (change: (schema: Record<string, any>) => void): JsonSchema => {
  const next = structuredClone(previous) as Record<string, any>;
  change(next);
  return next;
};

describe("compatibilityProblems: what a subscriber written against the previous schema would break on", () => {
  for (const [label, next, expected] of [
    ["a property removed", changed((s) => delete s.properties.note), ["payload.note: property removed"]],
    ["a property newly required", changed((s) => s.required.push("note")), ["payload.note: newly required"]],
    [
      "a required property made optional",
      changed((s) => (s.required = ["id"])),
      ["payload.amount: no longer required (subscribers may rely on it)"],
    ],
    [
      "a type narrowed",
      changed((s) => (s.properties.amount.type = "integer")),
      ["payload.amount: type narrowed (no longer accepts number)"],
    ],
    [
      "an untyped property given a type",
      changed((s) => (s.properties.status.type = "string")),
      ["payload.status: type narrowed (no longer accepts number, integer, boolean, object, array, null)"],
    ],
    ["an enum value removed", changed((s) => (s.properties.status.enum = ["open"])), ['payload.status: enum value "closed" removed']],
    ["an enum added", changed((s) => (s.properties.note.enum = ["a"])), ['payload.note: enum added (only "a" now allowed)']],
    ["a const changed", changed((s) => (s.properties.kind.const = "refund")), ['payload.kind: const changed from "order" to "refund"']],
    ["a minimum raised", changed((s) => (s.properties.amount.minimum = 1)), ["payload.amount: minimum tightened (0 to 1)"]],
    ["a maximum lowered", changed((s) => (s.properties.amount.maximum = 10)), ["payload.amount: maximum tightened (1000 to 10)"]],
    ["a minLength added", changed((s) => (s.properties.note.minLength = 2)), ["payload.note: minLength tightened (none to 2)"]],
    ["a maxLength lowered", changed((s) => (s.properties.id.maxLength = 8)), ["payload.id: maxLength tightened (36 to 8)"]],
    ["a format added", changed((s) => (s.properties.note.format = "date-time")), ['payload.note: format "date-time" added']],
    [
      "additionalProperties closed",
      changed((s) => (s.additionalProperties = false)),
      ["payload: additionalProperties closed (undeclared properties are now refused)"],
    ],
    [
      "a nested item's property removed",
      changed((s) => (s.properties.lines.items = { type: "object" })),
      ["payload.lines[].sku: property removed"],
    ],
  ] as const) {
    it(`flags ${label}`, () => assert.deepEqual(compatibilityProblems(previous, next), expected));
  }

  for (const [label, next] of [
    ["a new optional property", changed((s) => (s.properties.currency = { type: "string" }))],
    ["a widened type", changed((s) => (s.properties.amount.type = ["number", "string"]))],
    ["a property made nullable", changed((s) => (s.properties.note.type = ["string", "null"]))],
    ["an enum value added", changed((s) => s.properties.status.enum.push("held"))],
    ["constraints loosened", changed((s) => Object.assign(s.properties.amount, { minimum: -10, maximum: 5000 }))],
    ["additionalProperties opened", changed((s) => (s.properties.lines.items.additionalProperties = true))],
    ["a const dropped", changed((s) => delete s.properties.kind.const)],
  ] as const) {
    it(`passes ${label}`, () => assert.deepEqual(compatibilityProblems(previous, next), []));
  }

  it("resolves $refs on both sides before comparing, and narrows closed maps through their value schema", () => {
    const before: JsonSchema = { $ref: "#/$defs/money", $defs: { money: { type: "object", properties: { cents: { type: "integer" } } } } };
    const after: JsonSchema = { type: "object", properties: { cents: { type: "integer", minimum: 0 } } };
    assert.deepEqual(compatibilityProblems(before, after), ["payload.cents: minimum tightened (none to 0)"]);
    assert.deepEqual(compatibilityProblems({ type: "object" }, { type: "object", additionalProperties: { type: "string" } }), [
      "payload[*]: type narrowed (no longer accepts number, integer, boolean, object, array, null)",
    ]);
  });
});

describe("compatibilityProblems of whole contracts", () => {
  it("flags a removed event type and a changed service, each problem prefixed with its event type; passes a new event type", () => {
    const { BalanceChanged, ...rest } = accountsContract.eventTypes;
    assert.ok(BalanceChanged);
    const fewer = defineContract({ ...accountsContract, eventTypes: rest });
    assert.deepEqual(compatibilityProblems(accountsContract, fewer), ["BalanceChanged: event type removed from accounts.v1"]);
    const moved = defineContract({ ...accountsContract, service: "ledger" });
    assert.deepEqual(compatibilityProblems(accountsContract, moved), [
      'service changed from "accounts" to "ledger": subscribers\' rules match the events\' source',
    ]);
    const more = defineContract({ ...accountsContract, eventTypes: { ...accountsContract.eventTypes, AccountClosed: { type: "object" } } });
    assert.deepEqual(compatibilityProblems(accountsContract, more), []);
    const stricter = defineContract({
      ...accountsContract,
      eventTypes: {
        ...accountsContract.eventTypes,
        BalanceChanged: { ...accountsContract.eventTypes.BalanceChanged, additionalProperties: false },
      },
    });
    assert.deepEqual(compatibilityProblems(accountsContract, stricter), [
      "BalanceChanged: payload: additionalProperties closed (undeclared properties are now refused)",
    ]);
  });

  it("refuses to compare a contract with a schema", () => {
    assert.throws(() => compatibilityProblems(accountsContract as never, { type: "object" } as never), /two contracts or two schemas/);
  });
});
