import * as assert from "node:assert/strict";
import { checkpointKey } from "../../../handlers/runtime/reaction/checkpoints";
import { reactionsOf } from "../../../handlers/runtime/reaction/reaction";
import { Reactor, ReactorMessage } from "../../../handlers/runtime/reaction/reactor";
import { ScheduledCommand } from "../../../handlers/runtime/reaction/scheduled";
import { DeadLetter } from "../../../handlers/runtime/messages/deadLetters";
import { NoteCommand, NoteState, notes, orders, publishedMessage, sharedParts, silentLogger, noteOrders } from "./fixtures";

const denied = () => Object.assign(new Error("not authorized"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });

/** A reactor as its Lambda runs it: the queue's maxReceiveCount known, refused requests told apart. */
function reactorWith(parts: ReturnType<typeof sharedParts>, options: Partial<ConstructorParameters<typeof Reactor<NoteCommand>>[0]> = {}) {
  return new Reactor<NoteCommand>({
    reaction: noteOrders,
    commands: parts.commands,
    checkpoints: parts.checkpoints,
    scheduler: parts.scheduler,
    deadLetters: parts.deadLetters,
    now: () => parts.clock.now,
    maxReceiveCount: 5,
    isPermanent: (error) =>
      (error as { name?: string }).name === "AccessDeniedException" || (error as { name?: string }).name === "ValidationException",
    logger: silentLogger,
    ...options,
  });
}

/** SQS's deliveries of one message: each receive counted, until it is not failed or the redrive policy takes it. */
async function deliver(reactor: Reactor<NoteCommand>, message: ReactorMessage, receives = 5): Promise<"done" | "redriven"> {
  for (let receive = 1; receive <= receives; receive += 1) {
    const report = await reactor.react([{ ...message, attributes: { ApproximateReceiveCount: String(receive) } }]);
    if (!report.batchItemFailures.some((failure) => failure.itemIdentifier === message.messageId)) return "done";
  }
  return "redriven";
}

/** Two commands per event: a note on notes-a, then one on notes-b. */
const twoNotes = reactionsOf(notes).define({
  name: "two-notes",
  source: { contract: orders },
  eventTypes: ["OrderPlaced", "OrderChanged"],
  react: ({ event }) =>
    ["a", "b"].map((suffix) => ({
      aggregateId: `notes-${suffix}`,
      command: { type: "Note", source: event.aggregateId, version: event.version, amount: 1 },
    })),
});

const notesOf = async (parts: ReturnType<typeof sharedParts>, id: string): Promise<NoteState> => (await parts.loader.load(id)).state;

describe("Reactor giving up on a version", () => {
  it("dead-letters alone a command the store refuses for good and completes the version, so that later versions act", async () => {
    const parts = sharedParts();
    const refusing = reactorWith({ ...parts, commands: { execute: () => Promise.reject(denied()) } as never });
    assert.equal(await deliver(refusing, publishedMessage("o1", 1, "OrderPlaced")), "done");
    assert.match(parts.deadLetters.letters[0].reason, /1 of the reaction's 1 command\(s\) did not run.*cannot run: not authorized/);
    assert.deepEqual(parts.checkpoints.stored.get(checkpointKey("note-orders", "orders", "o1")), { acted: 1 });
    const reactor = reactorWith(parts);
    assert.equal(await deliver(reactor, publishedMessage("o1", 2, "OrderChanged")), "done");
    assert.deepEqual(
      (await notesOf(parts, "notes-o1")).notes.map((note) => note.version),
      [2],
    );
  });

  it("gives a version still failing on its last receive up (completed, its command dead-lettered) instead of holding the aggregate", async () => {
    const parts = sharedParts();
    const failing = reactorWith({ ...parts, commands: { execute: () => Promise.reject(new Error("socket hang up")) } as never });
    assert.equal(await deliver(failing, publishedMessage("o1", 1, "OrderPlaced")), "done", "the last receive ends it");
    assert.match(parts.deadLetters.letters[0].reason, /did not run, each dead-lettered alone: socket hang up/);
    assert.deepEqual(parts.checkpoints.stored.get(checkpointKey("note-orders", "orders", "o1")), { acted: 1 });
    assert.equal(await deliver(reactorWith(parts), publishedMessage("o1", 2, "OrderChanged")), "done");
  });

  it("runs the commands of a version given up on before any ran when their letters are redriven after a newer version was acted on", async () => {
    const parts = sharedParts();
    let down = true;
    const commands = {
      execute: (id: string, command: NoteCommand, options: { idempotencyKey: string }) =>
        down ? Promise.reject(new Error("socket hang up")) : parts.commands.execute(id, command, options),
    };
    const reactor = reactorWith(parts, { reaction: twoNotes, commands });
    assert.equal(await deliver(reactor, publishedMessage("o1", 1, "OrderPlaced")), "done");
    down = false;
    assert.equal(await deliver(reactor, publishedMessage("o1", 2, "OrderChanged")), "done");
    const redriven = parts.deadLetters.letters.map((letter) => letter.input as ReactorMessage);
    assert.deepEqual(
      redriven.map((message) => (JSON.parse(message.body) as ScheduledCommand).aggregateId),
      ["notes-a", "notes-b"],
      "each command of v1 alone, not the source message (which v2 would supersede)",
    );
    assert.equal((await reactor.react(redriven)).applied, 2);
    for (const id of ["notes-a", "notes-b"])
      assert.deepEqual((await notesOf(parts, id)).notes.map((note) => note.version).sort(), [1, 2], id);
  });

  it("lets a later version go once a claim whose holder never came back has run out its lease", async () => {
    const parts = sharedParts();
    const key = checkpointKey("note-orders", "orders", "o1");
    const now = parts.clock.now.getTime();
    await parts.checkpoints.claim(key, 1, now, now + 60_000);
    const reactor = reactorWith(parts, { maxReceiveCount: undefined });
    const held = await reactor.react([publishedMessage("o1", 2, "OrderChanged")]);
    assert.equal(held.waiting, 1, "held back while the lease lives");
    parts.clock.now = new Date(now + 61_000);
    assert.equal((await reactor.react([publishedMessage("o1", 2, "OrderChanged")])).acted, 1);
  });

  it("makes an older version wait for a newer one's claim, and acts on it when that claim is given up", async () => {
    const parts = sharedParts();
    const key = checkpointKey("note-orders", "orders", "o1");
    const now = parts.clock.now.getTime();
    await parts.checkpoints.claim(key, 2, now, now + 60_000);
    const reactor = reactorWith(parts);
    assert.equal(
      (await reactor.react([publishedMessage("o1", 1, "OrderPlaced")])).waiting,
      1,
      "not superseded by a claim that may be given up",
    );
    await parts.checkpoints.release(key, 2);
    assert.equal((await reactor.react([publishedMessage("o1", 1, "OrderPlaced")])).acted, 1);
  });

  it("completes a version some of whose commands ran, dead-letters each of the rest alone, and a redrive runs exactly those", async () => {
    const parts = sharedParts();
    const three = reactionsOf(notes).define({
      name: "three-notes",
      source: { contract: orders },
      eventTypes: ["OrderPlaced", "OrderChanged"],
      react: ({ event }) =>
        ["a", "b", "c"].map((suffix) => ({
          aggregateId: `notes-${suffix}`,
          command: { type: "Note", source: event.aggregateId, version: event.version, amount: 1 },
        })),
    });
    let refuseB = true;
    const flaky = {
      execute: (id: string, command: NoteCommand, options: { idempotencyKey: string }) => {
        if (id === "notes-b" && refuseB) return Promise.reject(denied());
        return parts.commands.execute(id, command, options);
      },
    };
    const reactor = reactorWith(parts, { reaction: three, commands: flaky });
    assert.equal(await deliver(reactor, publishedMessage("o1", 1, "OrderPlaced")), "done");
    const letters = parts.deadLetters.letters;
    assert.equal(letters.length, 2, "b and c, each alone");
    assert.match(letters[0].reason, /2 of the reaction's 3 command\(s\) did not run/);
    // The operator fixes what refused b and redrives the letters: b and c run, a is not run twice.
    refuseB = false;
    const redriven = letters.map((letter) => letter.input as ReactorMessage);
    assert.deepEqual(
      redriven.map((message) => (JSON.parse(message.body) as ScheduledCommand).aggregateId),
      ["notes-b", "notes-c"],
    );
    assert.equal((await reactor.react(redriven)).applied, 2);
    for (const id of ["notes-a", "notes-b", "notes-c"])
      assert.deepEqual((await notesOf(parts, id)).notes, [{ source: "o1", version: 1 }], id);
    assert.equal((await reactor.react([publishedMessage("o1", 2, "OrderChanged")])).acted, 1, "the version was completed");
  });

  it("dead-letters a command for later the scheduler refuses for good, completing the version", async () => {
    const parts = sharedParts();
    const later = reactionsOf(notes).define({
      name: "later",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: ({ event }) => ({ aggregateId: "notes-x", command: { type: "Timeout", version: event.version }, at: "2027-01-01T00:00:00Z" }),
    });
    const refusing = {
      schedule: () => Promise.reject(Object.assign(new Error("Invalid Schedule Expression"), { name: "ValidationException" })),
    };
    const reactor = reactorWith(parts, { reaction: later, scheduler: refusing });
    assert.equal(await deliver(reactor, publishedMessage("o1", 1, "OrderPlaced")), "done");
    assert.match(parts.deadLetters.letters[0].reason, /schedule .* was refused: Invalid Schedule Expression/);
    assert.deepEqual(parts.checkpoints.stored.get(checkpointKey("later", "orders", "o1")), { acted: 1 });
    assert.equal((JSON.parse((parts.deadLetters.letters[0].input as ReactorMessage).body) as ScheduledCommand).kind, "scheduled-command");
  });

  it("keeps a version's claim until the letters of its commands that did not run are stored: a dead-letter queue that refuses them has the message retried and the commands run then", async () => {
    const parts = sharedParts();
    let refuseB = true;
    const refusing = {
      execute: (id: string, command: NoteCommand, options: { idempotencyKey: string }) =>
        id === "notes-b" && refuseB ? Promise.reject(denied()) : parts.commands.execute(id, command, options),
    };
    let dlqDown = true;
    const flakyDlq = { send: async (letters: readonly DeadLetter[]) => (dlqDown ? [...letters] : parts.deadLetters.send(letters)) };
    const reactor = reactorWith(parts, { reaction: twoNotes, commands: refusing, deadLetters: flakyDlq });
    const v1 = publishedMessage("o1", 1, "OrderPlaced");

    const first = await reactor.react([{ ...v1, attributes: { ApproximateReceiveCount: "1" } }]);
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: v1.messageId }], "retried: the letter for b was not stored");
    assert.deepEqual(
      [first.acted, first.deadLettered, parts.checkpoints.stored.get(checkpointKey("two-notes", "orders", "o1"))?.pending],
      [0, 0, 1],
      "the version is not completed: its claim holds",
    );
    dlqDown = false;
    refuseB = false;
    const second = await reactor.react([{ ...v1, attributes: { ApproximateReceiveCount: "2" } }]);
    assert.deepEqual(
      [second.acted, second.applied, second.repeated, second.superseded],
      [1, 1, 1, 0],
      "b runs now, a answers from its key",
    );
    for (const id of ["notes-a", "notes-b"]) assert.deepEqual((await notesOf(parts, id)).notes, [{ source: "o1", version: 1 }], id);
  });

  it("with the Reactor component's lease (7 x a 30 s timeout), a holder retried for now still holds its claim when its message comes back a visibility timeout (180 s) later: a newer version waits, no command is lost", async () => {
    const parts = sharedParts();
    let throttleB = true;
    const flaky = {
      execute: (id: string, command: NoteCommand, options: { idempotencyKey: string }) =>
        id === "notes-b" && throttleB
          ? Promise.reject(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
          : parts.commands.execute(id, command, options),
    };
    const reactor = reactorWith(parts, { reaction: twoNotes, commands: flaky, claimLeaseMs: 7 * 30_000 });
    const start = parts.clock.now.getTime();
    const v1 = publishedMessage("o1", 1, "OrderPlaced");
    assert.equal((await reactor.react([{ ...v1, attributes: { ApproximateReceiveCount: "1" } }])).batchItemFailures.length, 1);
    throttleB = false;
    parts.clock.now = new Date(start + 90_000);
    const v2 = publishedMessage("o1", 2, "OrderChanged");
    assert.equal((await reactor.react([{ ...v2, attributes: { ApproximateReceiveCount: "1" } }])).waiting, 1, "v2 waits for v1's claim");
    parts.clock.now = new Date(start + 180_000);
    assert.equal(
      (await reactor.react([{ ...v1, attributes: { ApproximateReceiveCount: "2" } }])).acted,
      1,
      "v1 comes back to its own claim",
    );
    parts.clock.now = new Date(start + 270_000);
    assert.equal((await reactor.react([{ ...v2, attributes: { ApproximateReceiveCount: "2" } }])).acted, 1);
    assert.deepEqual(
      (await notesOf(parts, "notes-b")).notes.map((note) => note.version),
      [1, 2],
      "v1's command on b ran, then v2's",
    );
  });

  it("asks again for a command for later whose letter is redriven before its time, instead of running it early", async () => {
    const parts = sharedParts();
    const timeout = reactionsOf(notes).define({
      name: "note-and-timeout",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: ({ event }) => [
        { aggregateId: "notes-a", command: { type: "Note", source: event.aggregateId, version: event.version, amount: 1 } },
        {
          aggregateId: "notes-b",
          command: { type: "Timeout", version: event.version },
          at: new Date(Date.parse(event.timestamp) + 15 * 60_000),
        },
      ],
    });
    const refusing = { schedule: () => Promise.reject(denied()) };
    await reactorWith(parts, { reaction: timeout, scheduler: refusing }).react([publishedMessage("o1", 1, "OrderPlaced")]);
    assert.equal(parts.deadLetters.letters.length, 1, "the command for later, dead-lettered alone");
    // The operator grants the permission and redrives the letter at once, well before its time.
    const fixed = reactorWith(parts, { reaction: timeout });
    const letter = parts.deadLetters.letters[0].input as ReactorMessage;
    const report = await fixed.react([letter]);
    assert.deepEqual([report.applied, report.scheduled, (await notesOf(parts, "notes-b")).timeouts], [0, 1, 0], "scheduled, not run");
    parts.clock.now = new Date(parts.clock.now.getTime() + 16 * 60_000);
    const due = parts.scheduler.due(parts.clock.now);
    assert.equal(due.length, 1, "due at its time");
    assert.equal((await fixed.react([{ messageId: "due-1", body: JSON.stringify(due[0]) }])).applied, 1);
    assert.equal((await notesOf(parts, "notes-b")).timeouts, 1, "and run once then");
  });

  it("refuses a command for later past the year 9999, which Scheduler's at() cannot express", async () => {
    const parts = sharedParts();
    const far = reactionsOf(notes).define({
      name: "far",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: () => ({ aggregateId: "notes-x", command: { type: "Close" }, at: new Date(Date.UTC(10_000, 0, 1)) }),
    });
    await reactorWith(parts, { reaction: far }).react([publishedMessage("o1", 1, "OrderPlaced")]);
    assert.match(parts.deadLetters.letters[0].reason, /past the year 9999/);
  });
});
