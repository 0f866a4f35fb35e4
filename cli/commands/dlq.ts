import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { dynamoDbCommandSide } from "../../handlers/runtime/aws/factories";
import { SqsDeadLetterQueueReader, SqsRedriveTargets } from "../../handlers/runtime/aws/sqsDeadLetterRedrive";
import { RedriveTargetsPort } from "../../handlers/runtime/operations/deadLetterRedrive/messages";
import {
  DeadLetterView,
  listDeadLetters,
  redriveDeadLetters,
  showDeadLetter,
} from "../../handlers/runtime/operations/deadLetterRedrive/redrive";
import { COMMON_OPTIONS, Values, flag, integer, text } from "../args";
import { AwsClients, CONNECTION_OPTIONS, endpointOption } from "../awsClients";
import { defineCommand, defineGroup } from "../command";
import { Resource, UsageError, onResource } from "../errors";
import { OPTIONAL_LEDGER_OPTIONS } from "../ledgerOptions";
import { loadDomain } from "../modules";
import { DISPATCHER_CHECK_OPTION, checkDeadLetterSource, ledgerDispatch, reportDispatch } from "../ledgerDispatch";
import { requireTables, table } from "../preflight";

const QUEUE_OPTIONS = {
  "queue-url": text({
    required: true,
    value: "<dlq url>",
    description: "the dead-letter queue (a projector's or the dispatcher's; the stack's outputs name them)",
  }),
  limit: integer({ min: 1, default: 1000, description: "read at most this many messages" }),
  ...CONNECTION_OPTIONS,
  endpoint: endpointOption("an SQS- and DynamoDB-compatible endpoint instead of AWS (LocalStack), region 'local' and dummy credentials"),
};

const LEDGER_FOR_REPLAY = {
  ...OPTIONAL_LEDGER_OPTIONS,
  "ledger-table": text({
    value: "<table>",
    description: "the ledger, to redrive the dispatcher's letters by replaying their aggregates (with --idempotency-table and --domain)",
  }),
};

type LedgerValues = Values<typeof LEDGER_FOR_REPLAY>;

/**
 * The replay for the dispatcher's letters, when the ledger options are given (all of them, or none).
 * For a redrive, which writes, first finds the ledger's dispatcher, refuses a ledger nothing
 * publishes or a queue that is not its dispatcher's, and says on `err` who publishes it.
 */
async function replayOf(
  values: LedgerValues,
  clients: AwsClients,
  redrive?: { readonly err: (text: string) => void; readonly queueUrl: string; readonly skipDispatcherCheck: boolean },
): Promise<RedriveTargetsPort["replay"] | undefined> {
  const ledger = ["ledger-table", "idempotency-table", "domain"] as const;
  const given = ledger.filter((name) => values[name] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < ledger.length)
    throw new UsageError(
      `replaying the dispatcher's letters needs ${ledger.map((name) => `--${name}`).join(", ")}; missing ${ledger
        .filter((name) => !given.includes(name))
        .map((name) => `--${name}`)
        .join(", ")}`,
    );
  const domain = await loadDomain(values.domain!, values.export);
  const ledgerTable = table("--ledger-table", values["ledger-table"]!);
  const [described] = await requireTables(clients.dynamodb, [ledgerTable, table("--idempotency-table", values["idempotency-table"]!)]);
  if (redrive) {
    const dispatch = await ledgerDispatch(clients.lambda, ledgerTable, described, { skip: redrive.skipDispatcherCheck });
    checkDeadLetterSource(dispatch, ledgerTable, redrive.queueUrl);
    reportDispatch(redrive.err, ledgerTable, dispatch);
  }
  const { commands } = dynamoDbCommandSide({
    domain,
    client: clients.documentClient,
    ledgerTable: values["ledger-table"]!,
    idempotencyTable: values["idempotency-table"]!,
  });
  return async (aggregateId, idempotencyKey, republish) =>
    void (await (republish
      ? commands.republish(aggregateId, republish, { idempotencyKey })
      : commands.replay(aggregateId, undefined, { idempotencyKey })));
}

export const letterLine = (letter: DeadLetterView) =>
  `${letter.messageId}  ${letter.shape.kind.padEnd(13)} ${letter.summary}\n    redrive: ${letter.destination}`;

/** A letter as `list --json` and `inspect --json` print it. */
export const letterJson = (letter: DeadLetterView) => ({
  messageId: letter.messageId,
  shape: letter.shape.kind,
  summary: letter.summary,
  destination: letter.destination,
  sentAt: letter.sentAt,
});

function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const queueOf = (url: string): Resource => ({ kind: "queue", name: url, flag: "--queue-url" });

const list = defineCommand({
  name: "list",
  summary: "lists the letters of a dead-letter queue, each with how it got there and where redrive would send it; leaves them in the queue",
  options: {
    ...QUEUE_OPTIONS,
    json: flag({ description: "one JSON object a line instead of text" }),
    ...LEDGER_FOR_REPLAY,
    ...COMMON_OPTIONS,
  },
  examples: ["event-ledger dlq list --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/accounts-balances-dlq"],
  async run(values, _positionals, { io, clients: connect }) {
    const clients = connect({ region: values.region, endpoint: values.endpoint });
    const replay = await replayOf(values, clients);
    const queue = new SqsDeadLetterQueueReader(clients.sqs, values["queue-url"]);
    const { letters, more } = await onResource(queueOf(values["queue-url"]), () =>
      listDeadLetters(queue, {
        limit: values.limit,
        targets: new SqsRedriveTargets(clients.sqs, replay),
        ledgerTable: values["ledger-table"],
      }),
    );
    for (const letter of letters) io.out(values.json ? `${JSON.stringify(letterJson(letter))}\n` : `${letterLine(letter)}\n`);
    if (!values.json)
      io.out(`${letters.length} dead letters${more ? ` (the queue holds more: raise --limit above ${values.limit})` : ""}\n`);
    return 0;
  },
});

const show = defineCommand({
  name: "show",
  summary: "shows one dead letter by message id: its shape, attributes and body, as JSON; leaves it in the queue",
  positionals: [{ name: "message id", description: "the SQS message id, as list prints it", required: true }],
  options: { ...QUEUE_OPTIONS, ...COMMON_OPTIONS },
  async run(values, [messageId], { io, clients: connect }) {
    const clients = connect({ region: values.region, endpoint: values.endpoint });
    const queue = new SqsDeadLetterQueueReader(clients.sqs, values["queue-url"]);
    const letter = await onResource(queueOf(values["queue-url"]), () =>
      showDeadLetter(queue, messageId, { limit: values.limit, targets: new SqsRedriveTargets(clients.sqs) }),
    );
    if (!letter) {
      io.err(`no message ${messageId} in ${values["queue-url"]} (within the first ${values.limit} read)\n`);
      return 1;
    }
    const { message } = letter;
    io.out(
      `${JSON.stringify({ messageId: letter.messageId, shape: letter.shape, summary: letter.summary, redrive: letter.destination, sourceQueueArn: message.sourceQueueArn, sentAt: message.sentAt, attributes: message.attributes, body: bodyOf(message.body) }, null, 2)}\n`,
    );
    return 0;
  },
});

const redrive = defineCommand({
  name: "redrive",
  summary: "sends dead letters back where they are processed again, and deletes each from the DLQ once it is there",
  description:
    "SQS's redrive goes back to its source queue, EventBridge's to its target queue, a projector's own letter to the projector's queue; " +
    "a dispatcher's letter is redriven by replaying its aggregates (one about public events it could not publish, by a replay asking it to publish those versions' public events again), which needs the ledger options. A letter with nowhere to go stays.",
  usage: ["event-ledger dlq redrive (--all | <message id>...) --queue-url <dlq url> [options]"],
  positionals: [{ name: "message id", description: "the letters to redrive (or --all)", variadic: true }],
  options: {
    ...QUEUE_OPTIONS,
    all: flag({ description: "redrive every letter read" }),
    "projector-queue": text({
      value: "<queue url>",
      description: "where a projector's or a reactor's own letters go back (default: the queue whose redrive policy names the DLQ)",
    }),
    ...LEDGER_FOR_REPLAY,
    ...DISPATCHER_CHECK_OPTION,
    ...COMMON_OPTIONS,
  },
  examples: [
    "event-ledger dlq redrive --all --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/accounts-balances-dlq",
    "event-ledger dlq redrive --all --queue-url <dispatcher dlq url> --ledger-table <table> --idempotency-table <table> --domain lib/domain.js --export accounts",
  ],
  async run(values, ids, { io, clients: connect }) {
    if (values.all === ids.length > 0)
      throw new UsageError(values.all ? "give --all or message ids, not both" : "redrive what? give --all or message ids");
    const clients = connect({ region: values.region, endpoint: values.endpoint });
    const replay = await replayOf(values, clients, {
      err: io.err,
      queueUrl: values["queue-url"],
      skipDispatcherCheck: values["skip-dispatcher-check"],
    });
    const queueUrl = values["queue-url"];
    const projectorQueue = values["projector-queue"];
    const projectorQueueArn = projectorQueue
      ? await onResource({ kind: "queue", name: projectorQueue, flag: "--projector-queue" }, async () => {
          const answer = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: projectorQueue, AttributeNames: ["QueueArn"] }));
          return answer.Attributes?.QueueArn;
        })
      : undefined;
    const queue = new SqsDeadLetterQueueReader(clients.sqs, queueUrl);
    const targets = new SqsRedriveTargets(clients.sqs, replay);
    const report = await onResource(queueOf(queueUrl), () =>
      redriveDeadLetters(queue, targets, {
        limit: values.limit,
        projectorQueueArn,
        ids: values.all ? undefined : ids,
        ledgerTable: values["ledger-table"],
      }),
    );
    for (const outcome of report.redriven) io.out(`redriven ${outcome.messageId} (${outcome.shape}) to ${outcome.to}\n`);
    for (const outcome of report.skipped) io.out(`left ${outcome.messageId} (${outcome.shape}): ${outcome.reason}\n`);
    for (const outcome of report.failed) io.out(`FAILED ${outcome.messageId} (${outcome.shape}) to ${outcome.to}: ${outcome.reason}\n`);
    for (const id of report.notFound) io.out(`not found ${id}\n`);
    io.out(
      `${report.redriven.length} redriven, ${report.skipped.length} left in the queue, ${report.failed.length} failed, ${report.notFound.length} not found${report.more ? ` (the queue holds more than the ${values.limit} read)` : ""}\n`,
    );
    return report.skipped.length + report.failed.length + report.notFound.length === 0 ? 0 : 1;
  },
});

export const dlq = defineGroup({
  name: "dlq",
  summary: "lists, shows and redrives the letters of a dead-letter queue, whatever their shape (see docs/dead-letters.md)",
  subcommands: [list, show, redrive],
});
