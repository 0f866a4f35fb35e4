/**
 * The fault-injection run: random commands (opens, credits, debits, transfers) from concurrent
 * callers against a local stage with SDK and delivery chaos, then every invariant checked.
 */
import { AccountCommand, AccountState } from "../../examples/accounts/domain";
import { forEachLimit } from "../../handlers/runtime/support/concurrency";
import { LedgerEvent } from "../../handlers/runtime/domain/domain";
import { documentClient } from "../../handlers/runtime/aws/documentClient";
import { DynamoDbEventStore } from "../../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbReadModel } from "../../handlers/runtime/aws/dynamoDbReadModel";
import { Random } from "../random";
import { LocalStage } from "../stage";
import { CommandRecord, checkRun, recorded } from "./checks";

export interface ChaosRunOptions {
  aggregates: number;
  commands: number;
  concurrency: number;
  seed: number;
}

export interface ChaosRunReport {
  history: CommandRecord[];
  problems: string[];
  outcomes: Record<CommandRecord["outcome"]["kind"], number>;
  /** Aggregates replayed from batches the dispatcher's mapping gave up on. */
  recovered: number;
}

export async function runChaos(
  stage: LocalStage<AccountState, AccountCommand>,
  options: ChaosRunOptions,
  progress?: (done: number) => void,
): Promise<ChaosRunReport> {
  const random = new Random(options.seed);
  const ids = Array.from({ length: options.aggregates }, (_, i) => `acc-${String(i + 1).padStart(3, "0")}`);
  const history: CommandRecord[] = [];
  const one = (id: string, command: AccountCommand) => recorded(history, [id], command, () => stage.commands.execute(id, command));
  await forEachLimit(ids, options.concurrency, async (id) => {
    await one(id, { kind: "Open", owner: id });
    await one(id, { kind: "Credit", amount: 100 });
  });
  const workload = Array.from({ length: options.commands }, () => {
    const id = ids[random.integer(0, ids.length - 1)];
    const draw = random.next();
    if (draw < 0.15 && ids.length > 1) {
      const to = ids[(ids.indexOf(id) + random.integer(1, ids.length - 1)) % ids.length];
      return { ids: [id, to], command: { kind: "Transfer", from: id, to, amount: random.integer(1, 40) } as AccountCommand };
    }
    return { ids: [id], command: { kind: draw < 0.55 ? "Credit" : "Debit", amount: random.integer(1, 60) } as AccountCommand };
  });
  let done = 0;
  for (let start = 0; start < workload.length; start += 100) {
    await forEachLimit(workload.slice(start, start + 100), options.concurrency, async ({ ids: targets, command }) => {
      if (targets.length === 1) await one(targets[0], command);
      else await recorded(history, targets, command, () => stage.commands.executeMany(targets, command));
      done += 1;
    });
    await stage.settle();
    progress?.(done);
  }
  await stage.settle();
  // A batch the mapping gave up on (retries exhausted under faults) is what an operator recovers.
  const recovered = stage.failedBatches.length > 0 ? (await stage.recoverFailedBatches()).replayed.length : 0;

  // The evidence is read through a client without faults: the checks must not be the chaos's victims.
  const clean = documentClient(stage.dynamo.config);
  const ledger = new Map<string, LedgerEvent[]>();
  const events = new DynamoDbEventStore(clean, stage.events.tableName);
  for (const id of ids) ledger.set(id, (await events.read(id, 0)) as unknown as LedgerEvent[]);
  const readModels = [];
  for (const local of stage.projectors) {
    const rows = new Map<string, Record<string, unknown> | undefined>();
    const readModel = new DynamoDbReadModel(clean, local.tableName);
    for (const id of ids) rows.set(id, await readModel.get(id));
    readModels.push({ projection: local.projection, rows });
  }
  clean.destroy();
  const problems = checkRun({
    domain: stage.loader.domain,
    history,
    ledger,
    readModels,
    deadLetters: stage.deadLetters,
    queued: stage.projectors.reduce((sum, local) => sum + local.queue.depth, 0),
  });
  const outcomes = { applied: 0, rejected: 0, unknown: 0, failed: 0 };
  for (const record of history) outcomes[record.outcome.kind] += 1;
  return { history, problems, outcomes, recovered };
}
