/**
 * Many writers on one aggregate: the same 192 commands issued by one writer one after another,
 * by 8 or 16 concurrent writers in one process (one handler, serialized per aggregate) and in
 * 8 or 16 processes (a handler each: only the ledger's condition orders them), with no in-process
 * queue, 5 attempts and no memory (what the queue, the retry budget and the memory each save), and
 * deciding on what a handler remembers.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../handlers/runtime/command/commandHandler";
import { CommandRejectedError, RetriesExhaustedError } from "../handlers/runtime/command/errors";
import { RequestCounter } from "../local/instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { createTable } from "../local/tables";
import { BENCH_LEDGER_TABLE } from "./tables";

const COMMANDS = 192;
/** Without what protects a hot aggregate: no in-process queue, 5 attempts, nothing remembered between commands. */
const UNPROTECTED: CommandHandlerOptions = { serializePerAggregate: false, maxAttempts: 5, rememberedAggregates: 0 };

export async function contention(
  raw: DynamoDBClient,
  db: DynamoDBDocumentClient,
  requests: RequestCounter,
  out: (line?: string) => void,
): Promise<void> {
  await createTable(raw, "bench-hot-events", BENCH_LEDGER_TABLE);
  const events = new DynamoDbEventStore(db, "bench-hot-events");
  const handlerWith = (options: CommandHandlerOptions = {}) =>
    new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, options);
  let run = 0;

  const measure = async (label: string, writers: number, processes: "one" | "each", options: CommandHandlerOptions = {}) => {
    const id = `hot-${++run}`;
    await handlerWith().execute(id, { kind: "Open", owner: id });
    await handlerWith().execute(id, { kind: "Credit", amount: 1_000_000 });
    const shared = handlerWith(options);
    const handlers = Array.from({ length: writers }, () => (processes === "one" ? shared : handlerWith(options)));
    const tally = { applied: 0, rejected: 0, gaveUp: 0, attempts: 0 };
    requests.reset();
    const start = performance.now();
    await Promise.all(
      handlers.map(async (handler) => {
        for (let i = 0; i < COMMANDS / writers; i += 1) {
          try {
            const result = await handler.execute(id, i % 2 === 0 ? { kind: "Credit", amount: 2 } : { kind: "Debit", amount: 1 });
            tally.applied += 1;
            tally.attempts += result.attempts;
          } catch (error) {
            if (error instanceof RetriesExhaustedError) tally.gaveUp += 1;
            else if (error instanceof CommandRejectedError) tally.rejected += 1;
            else throw error;
          }
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return { label, rate: tally.applied / seconds, ...tally, requests: requests.total / COMMANDS };
  };

  out(`### Contention: ${COMMANDS} commands on one aggregate`);
  out();
  out(
    "| writers | committed/s | vs one writer | gave up | attempts per command | requests per command (floor 2: read, write; 1 deciding on what it remembers) |",
  );
  out("|---|---:|---:|---:|---:|---:|");
  await measure("warm-up (not shown)", 4, "one");
  const alone = await measure("1 writer, one command after another", 1, "one");
  const rows = [
    alone,
    await measure("8 writers, one process (default)", 8, "one"),
    await measure("16 writers, one process (default)", 16, "one"),
    await measure("8 writers, 8 processes (default)", 8, "each"),
    await measure("16 writers, 16 processes (default)", 16, "each"),
    await measure("8 writers, 8 processes, start decide-first", 8, "each", { start: "decide-first" }),
    await measure("16 writers, one process, start decide-first", 16, "one", { start: "decide-first" }),
    await measure("8 writers, one process, no queue, 5 attempts, no memory", 8, "one", { ...UNPROTECTED }),
    await measure("16 writers, one process, no queue, 5 attempts, no memory", 16, "one", { ...UNPROTECTED }),
  ];
  for (const row of rows) {
    out(
      `| ${row.label} | ${row.rate.toFixed(0)} | ${(row.rate / alone.rate).toFixed(2)}× | ${row.gaveUp} of ${COMMANDS} | ${(row.attempts / Math.max(1, row.applied)).toFixed(2)} | ${row.requests.toFixed(2)} |`,
    );
  }
}
