import * as assert from "node:assert/strict";
import { JsonSchema, payloadCheck, schemaProblem, validate } from "../../../handlers/runtime";

const order: JsonSchema = {
  type: "object",
  properties: {
    orderId: { type: "string", minLength: 1, maxLength: 8 },
    status: { enum: ["open", "closed"] },
    kind: { const: "order" },
    total: { type: "number", minimum: 0, maximum: 1000 },
    placedAt: { type: "string", format: "date-time" },
    note: { type: ["string", "null"] },
    lines: { type: "array", items: { $ref: "#/$defs/line" } },
  },
  required: ["orderId", "status", "kind", "total"],
  additionalProperties: false,
  $defs: {
    line: {
      type: "object",
      properties: { sku: { type: "string" }, quantity: { type: "integer", minimum: 1 } },
      required: ["sku", "quantity"],
    },
  },
};
const valid = {
  orderId: "o-1",
  status: "open",
  kind: "order",
  total: 12.5,
  placedAt: "2026-01-31T12:00:00.000Z",
  note: null,
  lines: [{ sku: "a", quantity: 2 }],
};

describe("contract schemas: the validator", () => {
  it("accepts a payload that meets every keyword, a nullable property null or a string, an offset date-time", () => {
    assert.deepEqual(validate(order, valid), []);
    assert.deepEqual(validate(order, { ...valid, note: "gift", placedAt: "2026-01-31T12:00:00+02:00" }), []);
    assert.equal(payloadCheck(order)(valid), undefined);
  });

  for (const [label, payload, expected] of [
    ["a wrong type", { ...valid, total: "12" }, 'payload.total: must be a number, got "12"'],
    [
      "a fraction where an integer is declared",
      { ...valid, lines: [{ sku: "a", quantity: 1.5 }] },
      "payload.lines[0].quantity: must be an integer, got 1.5",
    ],
    ["a missing required property", { ...valid, orderId: undefined }, "payload.orderId: is required"],
    [
      "a property additionalProperties false refuses",
      { ...valid, extra: 1 },
      "payload.extra: is not a declared property (additionalProperties is false)",
    ],
    ["a value outside the enum", { ...valid, status: "lost" }, 'payload.status: must be one of "open", "closed", got "lost"'],
    ["another value than the const", { ...valid, kind: "refund" }, 'payload.kind: must be "order", got "refund"'],
    [
      "an item failing its $ref schema",
      {
        ...valid,
        lines: [
          { sku: "a", quantity: 1 },
          { sku: 7, quantity: 1 },
        ],
      },
      "payload.lines[1].sku: must be a string, got 7",
    ],
    ["a number below the minimum", { ...valid, total: -1 }, "payload.total: must be at least 0, got -1"],
    ["a number above the maximum", { ...valid, total: 1001 }, "payload.total: must be at most 1000, got 1001"],
    ["a string shorter than minLength", { ...valid, orderId: "" }, "payload.orderId: must be at least 1 characters, got 0"],
    ["a string longer than maxLength", { ...valid, orderId: "o-123456789" }, "payload.orderId: must be at most 8 characters, got 11"],
    [
      "a string that is no date-time",
      { ...valid, placedAt: "yesterday" },
      'payload.placedAt: must be a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z), got "yesterday"',
    ],
    [
      "an impossible date",
      { ...valid, placedAt: "2026-02-30T25:00:00Z" },
      'payload.placedAt: must be a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z), got "2026-02-30T25:00:00Z"',
    ],
    ["null where null is not among the types", { ...valid, total: null }, "payload.total: must be a number, got null"],
    ["a value JSON cannot hold", { ...valid, total: Number.NaN }, "payload.total: NaN is not a JSON value"],
  ] as const) {
    it(`refuses ${label}, naming the path`, () => {
      assert.deepEqual(validate(order, payload), [expected]);
      assert.equal(payloadCheck(order)(payload as Record<string, unknown>), expected);
    });
  }

  it("reports every problem of a payload, not only the first, and names odd property names in brackets", () => {
    const problems = validate(order, { orderId: 1, status: "open", kind: "order", "bad key": true });
    assert.deepEqual(problems, [
      "payload.total: is required",
      "payload.orderId: must be a string, got 1",
      'payload["bad key"]: is not a declared property (additionalProperties is false)',
    ]);
  });

  it("checks undeclared properties against an additionalProperties schema", () => {
    assert.deepEqual(validate({ type: "object", additionalProperties: { type: "number" } }, { a: 1, b: "2" }), [
      'payload.b: must be a number, got "2"',
    ]);
  });

  it("follows a recursive $ref through nested values", () => {
    const tree: JsonSchema = {
      $ref: "#/$defs/node",
      $defs: {
        node: { type: "object", properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } } },
      },
    };
    assert.deepEqual(validate(tree, { name: "a", children: [{ name: "b", children: [{ name: 3 }] }] }), [
      "payload.children[0].children[0].name: must be a string, got 3",
    ]);
  });
});

describe("contract schemas: what a schema may say", () => {
  for (const [label, schema, expected] of [
    [
      "a keyword outside the subset",
      { type: "object", patternProperties: {} },
      /uses "patternProperties", which the contract schemas do not support/,
    ],
    ["an unknown type", { type: "float" }, /schema\.type "float" is not one of string, number, integer/],
    [
      "a $ref to no definition",
      { properties: { a: { $ref: "#/$defs/missing" } } },
      /schema\.properties\.a\.\$ref "#\/\$defs\/missing" names no definition/,
    ],
    [
      "a $ref leading only to itself",
      { $ref: "#/$defs/a", $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } } },
      /only leads back to itself/,
    ],
    [
      "a minimum above its maximum",
      { properties: { n: { minimum: 5, maximum: 1 } } },
      /schema\.properties\.n: minimum 5 is above maximum 1/,
    ],
    ["a format other than date-time", { type: "string", format: "email" }, /format "email" is not supported \(only "date-time"\)/],
    ["$defs below the root", { properties: { a: { $defs: {} } } }, /\$defs belong at the root/],
    ["an empty enum", { enum: [] }, /enum must be a non-empty list/],
    ["a negative maxLength", { maxLength: -1 }, /maxLength must be an integer of at least 0/],
  ] as const) {
    it(`refuses ${label}`, () => assert.match(schemaProblem(schema) ?? "accepted", expected));
  }

  it("accepts the schema of every keyword it supports", () => assert.equal(schemaProblem(order), undefined));
});
