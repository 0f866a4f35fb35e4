/**
 * Lists, shows and redrives the letters of a dead-letter queue, whichever of the three shapes each
 * has (SQS's redrive, EventBridge's target DLQ, a handler's own letter; see docs/dead-letters.md).
 *
 *   npm run dlq -- list --queue-url <dlq url> [--limit N] [--json]
 *   npm run dlq -- show <message id> --queue-url <dlq url>
 *   npm run dlq -- redrive (--all | <message id>...) --queue-url <dlq url> [--projector-queue <queue url>]
 *       [--ledger-table <table> --idempotency-table <table> --domain <file> [--export <name>]]
 *   any of them with [--endpoint http://127.0.0.1:PORT] for SQS- and DynamoDB-compatible local endpoints
 *
 * A dispatcher's letters are redriven by replaying their aggregates, which needs the ledger options.
 * Credentials and region come from the usual AWS chain (AWS_PROFILE, AWS_REGION, ...).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../handlers/runtime/command/commandHandler";
import { Domain } from "../handlers/runtime/domain/domain";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { SqsDeadLetterQueueReader, SqsRedriveTargets } from "../handlers/runtime/aws/sqsDeadLetterRedrive";
import { RedriveTargetsPort } from "../handlers/runtime/operations/deadLetterRedrive/messages";
import {
  DeadLetterView,
  listDeadLetters,
  redriveDeadLetters,
  showDeadLetter,
} from "../handlers/runtime/operations/deadLetterRedrive/redrive";

export const USAGE = `usage:
  npm run dlq -- list --queue-url <dlq url> [--limit N] [--json]
  npm run dlq -- show <message id> --queue-url <dlq url>
  npm run dlq -- redrive (--all | <message id>...) --queue-url <dlq url> [--projector-queue <queue url>]
      [--ledger-table <table> --idempotency-table <table> --domain <file> [--export <name>]]
options:
  --queue-url          the dead-letter queue (a projector's or the dispatcher's; stack outputs name them)
  --limit              read at most this many messages (default 1000)
  --projector-queue    where a projector's own letters go back (default: the queue whose redrive policy names the DLQ)
  --ledger-table, --idempotency-table, --domain, --export
                       the ledger, to redrive the dispatcher's letters by replaying their aggregates
  --endpoint           an SQS- and DynamoDB-compatible endpoint instead of AWS (local runs)
  --json               list as JSON lines
  --help               this text
exit codes: 0 done, 1 something was not redriven (or not found), 2 usage error`;

/** A mistake in the command line: said in a line, with the usage, and exit code 2. */
export class UsageError extends Error {}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliDependencies {
  /** The SQS client to use; default one for the region and credentials of the environment (or --endpoint). */
  sqs?: SQSClient;
  /** The replay of an aggregate for the dispatcher's letters; default one built from the ledger options. */
  replay?: RedriveTargetsPort["replay"];
}

const OPTIONS = {
  "queue-url": { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  "projector-queue": { type: "string" },
  "ledger-table": { type: "string" },
  "idempotency-table": { type: "string" },
  domain: { type: "string" },
  export: { type: "string", default: "default" },
  endpoint: { type: "string" },
  help: { type: "boolean", default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const localConfig = (endpoint: string | undefined) =>
  endpoint ? { endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {};

function limitOf(values: Values): number {
  if (values.limit === undefined) return 1_000;
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${values.limit}"`);
  return limit;
}

/** The replay for the dispatcher's letters, when the ledger options are given (all of them, or none). */
function replayOf(values: Values): RedriveTargetsPort["replay"] | undefined {
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
  let domain: Domain<unknown, unknown> | undefined;
  try {
    domain = require(path.resolve(values.domain!))[values.export!];
  } catch (error) {
    throw new UsageError(`cannot load --domain ${values.domain}: ${(error as Error).message}`);
  }
  if (!domain || typeof domain.reduce !== "function") throw new UsageError(`${values.domain} has no domain export "${values.export}"`);
  const events = new DynamoDbEventStore(documentClient(localConfig(values.endpoint)), values["ledger-table"]!, {
    idempotencyTable: values["idempotency-table"]!,
  });
  const commands = new CommandHandler(new AggregateLoader(domain, events), events);
  return async (aggregateId, idempotencyKey) => void (await commands.replay(aggregateId, undefined, { idempotencyKey }));
}

const line = (letter: DeadLetterView) =>
  `${letter.messageId}  ${letter.shape.kind.padEnd(13)} ${letter.summary}\n    redrive: ${letter.destination}`;

function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The CLI without the process: the exit code it would end with. */
export async function runDeadLetters(argv: readonly string[], io: CliIo, dependencies: CliDependencies = {}): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (!command) throw new UsageError("say what to do: list, show or redrive");
    if (!["list", "show", "redrive"].includes(command)) throw new UsageError(`unknown command "${command}" (list, show or redrive)`);
    if (!values["queue-url"]) throw new UsageError("missing --queue-url <dead-letter queue url>");
    if (command === "list" && rest.length > 0) throw new UsageError(`list takes no message ids (got ${rest.join(" ")}); use show <id>`);
    if (command === "show" && rest.length !== 1) throw new UsageError("show takes one message id");
    if (command === "redrive" && values.all === rest.length > 0)
      throw new UsageError(values.all ? "give --all or message ids, not both" : "redrive what? give --all or message ids");
    const limit = limitOf(values);
    const replay = command === "list" && !values["ledger-table"] ? undefined : (dependencies.replay ?? replayOf(values));

    // The SDK is pinned to a release that supports Node 20 (see local/prerequisites.ts).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const sqs = dependencies.sqs ?? new SQSClient(localConfig(values.endpoint));
    const queue = new SqsDeadLetterQueueReader(sqs, values["queue-url"]);
    const targets = new SqsRedriveTargets(sqs, replay);
    const projectorQueueArn = values["projector-queue"]
      ? (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: values["projector-queue"], AttributeNames: ["QueueArn"] }))).Attributes
          ?.QueueArn
      : undefined;
    const options = { limit, projectorQueueArn, targets };

    if (command === "list") {
      const { letters, more } = await listDeadLetters(queue, options);
      for (const letter of letters)
        io.out(
          values.json
            ? `${JSON.stringify({ messageId: letter.messageId, shape: letter.shape.kind, summary: letter.summary, destination: letter.destination, sentAt: letter.sentAt })}\n`
            : `${line(letter)}\n`,
        );
      if (!values.json) io.out(`${letters.length} dead letters${more ? ` (the queue holds more: raise --limit above ${limit})` : ""}\n`);
      return 0;
    }
    if (command === "show") {
      const letter = await showDeadLetter(queue, rest[0], options);
      if (!letter) {
        io.err(`no message ${rest[0]} in ${values["queue-url"]} (within the first ${limit} read)\n`);
        return 1;
      }
      const { message } = letter;
      io.out(
        `${JSON.stringify({ messageId: letter.messageId, shape: letter.shape, summary: letter.summary, redrive: letter.destination, sourceQueueArn: message.sourceQueueArn, sentAt: message.sentAt, attributes: message.attributes, body: bodyOf(message.body) }, null, 2)}\n`,
      );
      return 0;
    }
    const report = await redriveDeadLetters(queue, targets, { ...options, ids: values.all ? undefined : rest });
    for (const outcome of report.redriven) io.out(`redriven ${outcome.messageId} (${outcome.shape}) to ${outcome.to}\n`);
    for (const outcome of report.skipped) io.out(`left ${outcome.messageId} (${outcome.shape}): ${outcome.reason}\n`);
    for (const outcome of report.failed) io.out(`FAILED ${outcome.messageId} (${outcome.shape}) to ${outcome.to}: ${outcome.reason}\n`);
    for (const id of report.notFound) io.out(`not found ${id}\n`);
    io.out(
      `${report.redriven.length} redriven, ${report.skipped.length} left in the queue, ${report.failed.length} failed, ${report.notFound.length} not found${report.more ? ` (the queue holds more than the ${limit} read)` : ""}\n`,
    );
    return report.skipped.length + report.failed.length + report.notFound.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    const problem = error as { name?: string; message?: string };
    io.err(`dead letters: ${problem?.name && problem.name !== "Error" ? `${problem.name}: ` : ""}${problem?.message ?? String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  runDeadLetters(process.argv.slice(2), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }).then(
    (code) => process.exit(code),
  );
}
