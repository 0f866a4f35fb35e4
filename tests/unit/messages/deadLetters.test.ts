import * as assert from "node:assert/strict";
import { deadLetterMessage } from "../../../handlers/runtime/messages/deadLetters";

/** A stream record's shape: nested maps of type keys, so its JSON is mostly quotes that escape again. */
const record = (version: number, tags: number) => ({
  dynamodb: {
    NewImage: {
      aggregateId: { S: "acc-1" },
      version: { N: String(version) },
      payload: { M: { tags: { L: Array.from({ length: tags }, (_, i) => ({ S: `t${i}` })) } } },
    },
  },
});

describe("dead letter messages", () => {
  const limit = 1_042_432;

  it("cut a letter too large for one message to a prefix whose serialized body still fits the limit", () => {
    const letter = { reason: "cannot fold", origin: "dispatcher", input: Array.from({ length: 60 }, (_, i) => record(i + 1, 3_000)) };
    const { body } = deadLetterMessage(letter, limit);
    assert.ok(Buffer.byteLength(body) <= limit, `the body is ${Buffer.byteLength(body)} bytes, over ${limit}`);
    const parsed = JSON.parse(body);
    const input = JSON.stringify(letter.input);
    assert.equal(parsed.inputTruncated.originalBytes, Buffer.byteLength(input));
    assert.ok(input.startsWith(parsed.inputTruncated.prefix), "the prefix is the start of the input's JSON");
    assert.ok(Buffer.byteLength(body) > limit * 0.9, "and keeps as much of it as fits");
  });

  it("never cut a character in half", () => {
    const letter = { reason: "r", origin: "projector:x", input: { text: "é😀".repeat(300_000) } };
    const { body } = deadLetterMessage(letter, limit);
    const prefix: string = JSON.parse(body).inputTruncated.prefix;
    assert.ok(Buffer.byteLength(body) <= limit);
    assert.ok(!prefix.includes("\uFFFD"), "no replacement character where a character was split");
    assert.ok(!/[\uD800-\uDBFF]$/.test(prefix), "no lone high surrogate at the end");
  });

  it("keep a letter that fits whole as it is", () => {
    const letter = { reason: "r", origin: "dispatcher", input: [record(1, 3)] };
    assert.deepEqual(JSON.parse(deadLetterMessage(letter, limit).body), letter);
  });
});
