import * as assert from "node:assert/strict";
import { accounts } from "../../../examples/accounts/domain";
import { InvalidEventError, publishedEventProblems, validate, validateEvent } from "../../../handlers/runtime";
import { accountsContract } from "../contracts/fixtures";

/** Keys every object inherits: an input naming one must be refused, never taken for what the object holds. */
const INHERITED = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"];

describe("input keys an object inherits", () => {
  for (const type of INHERITED) {
    it(`refuse a published event whose type is "${type}" as not one of the contract's`, () => {
      const detail = { contract: "accounts", version: 1, service: "accounts", type, payload: {} };
      const problems = publishedEventProblems(accountsContract, detail);
      assert.ok(
        problems.some((problem) => problem.startsWith("event.type:")),
        `problems: ${JSON.stringify(problems)}`,
      );
    });

    it(`refuse a ledger event whose type is "${type}" as an unknown type (InvalidEventError)`, () => {
      const raw = { aggregateId: "acc-1", version: 1, type, payload: {}, timestamp: "2026-01-01T00:00:00.000Z" };
      assert.throws(
        () => validateEvent(accounts as never, raw),
        (error: Error) => {
          assert.ok(error instanceof InvalidEventError, `${error.name}: ${error.message}`);
          assert.match(error.message, /unknown event type/);
          return true;
        },
      );
    });
  }

  it("refuse a payload property named like an inherited key where the schema declares no such property", () => {
    const schema = { type: "object" as const, properties: { amount: { type: "number" as const } }, additionalProperties: false };
    for (const name of ["constructor", "toString", "valueOf"]) {
      const problems = validate(schema, { amount: 1, [name]: 2 }, "payload");
      assert.ok(problems.length > 0, `${name} was taken for a declared property`);
    }
  });
});
