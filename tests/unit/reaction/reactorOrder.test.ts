import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ReactorMessage } from "../../../handlers/runtime/reaction/reactor";
import { StoreUnavailableError } from "../../../handlers/runtime/support/errors";
import { NoteCommand, OrderEvents, noteOrders, publishedMessage, reactorOn, sharedParts } from "./fixtures";

const SUBSCRIBED = new Set(["OrderPlaced", "OrderChanged"]);

/** Source histories: a few orders, each a run of typed versions 1..n. */
const histories = fc.array(fc.array(fc.constantFrom<OrderEvents["type"]>("OrderChanged", "OrderClosed"), { minLength: 0, maxLength: 5 }), {
  minLength: 1,
  maxLength: 3,
});

/** Each source event as the queue holds it, with its type. */
const messagesOf = (history: OrderEvents["type"][][]) =>
  history.flatMap((later, order) =>
    (["OrderPlaced", ...later] as OrderEvents["type"][]).map((type, index) => ({
      type,
      message: publishedMessage(`o${order}`, index + 1, type),
    })),
  );

/**
 * The reacting ledger's notes per source order, in the order they were applied: one per source
 * version the reaction acted on, whichever instance acted.
 */
async function appliedVersions(parts: ReturnType<typeof sharedParts>, orders: number): Promise<number[][]> {
  const all: number[][] = [];
  for (let order = 0; order < orders; order += 1)
    all.push((await parts.loader.load(`notes-o${order}`)).state.notes.map((note) => note.version));
  return all;
}

/** A command side that fails now and then, before or after the write took effect (an answer lost). */
function flaky(parts: ReturnType<typeof sharedParts>, random: () => number, rate: number) {
  return {
    ...parts,
    commands: {
      execute: async (id: string, command: NoteCommand, options: { idempotencyKey: string }) => {
        if (random() < rate) throw new StoreUnavailableError("TransactWriteItems", "ledger");
        const result = await parts.commands.execute(id, command, options);
        if (random() < rate) throw new StoreUnavailableError("TransactWriteItems", "ledger");
        return result;
      },
    },
  } as unknown as ReturnType<typeof sharedParts>;
}

describe("Reactor ordering under disorder, duplicates, concurrent instances and lost answers", () => {
  it("acts on each version at most once, never on one older than a version it acted on, and always on the newest", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(0, 0.1, 0.3),
        async (history, copies, seed, faultRate) => {
          const messages = messagesOf(history);
          let state = seed;
          const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
          const parts = sharedParts();
          // Two instances (two Lambda instances of one reactor) share the stores, not their memory.
          const instances = [
            reactorOn(noteOrders, flaky(parts, random, faultRate)),
            reactorOn(noteOrders, flaky(parts, random, faultRate)),
          ];
          // At-least-once delivery: copies of each message, shuffled, in batches of up to 4, two batches at a time.
          let queue: ReactorMessage[] = messages.flatMap(({ message }, index) =>
            Array.from({ length: copies[index % copies.length] }, (_, copy) => ({ ...message, messageId: `${message.messageId}#${copy}` })),
          );
          for (let round = 0; queue.length > 0; round += 1) {
            assert.ok(round < 200, "every message settles within 200 rounds");
            queue = queue
              .map((message) => ({ message, key: random() }))
              .sort((a, b) => a.key - b.key)
              .map(({ message }) => message);
            const retry: ReactorMessage[] = [];
            for (let at = 0; at < queue.length; at += 8) {
              const batches = [queue.slice(at, at + 4), queue.slice(at + 4, at + 8)];
              const reports = await Promise.all(batches.map((batch, lane) => instances[lane].reactor.react(batch)));
              reports.forEach((report, lane) => {
                const failed = new Set(report.batchItemFailures.map((failure) => failure.itemIdentifier));
                retry.push(...batches[lane].filter((message) => failed.has(message.messageId)));
                assert.equal(report.deadLettered, 0, JSON.stringify(parts.deadLetters.letters.map((letter) => letter.reason)));
              });
            }
            queue = retry;
          }
          const applied = await appliedVersions(parts, history.length);
          history.forEach((later, order) => {
            const versions = applied[order];
            const subscribed = (["OrderPlaced", ...later] as string[]).flatMap((type, index) => (SUBSCRIBED.has(type) ? [index + 1] : []));
            assert.deepEqual(
              versions,
              [...versions].sort((a, b) => a - b).filter((version, index, all) => all.indexOf(version) === index),
              `order o${order}: strictly increasing, so never twice and never older after newer (${versions.join(", ")})`,
            );
            for (const version of versions) assert.ok(subscribed.includes(version), `only subscribed versions (${version})`);
            assert.equal(versions.at(-1), subscribed.at(-1), `order o${order}: the newest subscribed version is acted on`);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it("acts on every subscribed version, in order, when the queue delivers in order (duplicates included)", async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 20, maxLength: 20 }), async (history, copies) => {
        const { reactor, ...parts } = reactorOn(noteOrders);
        const messages = messagesOf(history);
        for (const [index, { message }] of messages.entries())
          for (let copy = 0; copy < copies[index % copies.length]; copy += 1)
            await reactor.react([{ ...message, messageId: `${message.messageId}#${copy}` }]);
        const applied = await appliedVersions(parts, history.length);
        history.forEach((later, order) => {
          const subscribed = (["OrderPlaced", ...later] as string[]).flatMap((type, index) => (SUBSCRIBED.has(type) ? [index + 1] : []));
          assert.deepEqual(applied[order], subscribed);
        });
      }),
      { numRuns: 100 },
    );
  });
});
