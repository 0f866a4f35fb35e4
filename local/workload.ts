/**
 * The bank workload of `npm start` and of the bench's local-stage section: accounts opened and
 * funded, then random credits and debits sent as HTTP requests to the CommandApi handler, in
 * rounds of 100 after each of which the pipeline settles (it keeps up, as it would in AWS).
 */
import { AccountCommand, AccountState } from "../examples/accounts/domain";
import { forEachLimit } from "../handlers/runtime/support/concurrency";
import { LocalEndpoint } from "./httpServer";
import { Random } from "./random";
import { LocalStage } from "./stage";

export interface WorkloadOptions {
  events: number;
  aggregates: number;
  seed: number;
  concurrency: number;
}

export interface CommandCounts {
  succeeded: number;
  rejected: number;
  retries: number;
  gaveUp: number;
}

/** What a command's HTTP answer says. */
export interface Answer {
  status: number;
  body: { attempts?: number; code?: string; version?: number; message?: string };
}

export interface WorkloadReport {
  ids: string[];
  /** Commands of the random part, and the events they appended, carried through the whole pipeline. */
  commands: number;
  events: number;
  seconds: number;
  /** DynamoDB requests by operation of the random part, until it settled. */
  requests: Map<string, number>;
}

/** A client of the CommandApi on `api`: sends commands and tallies what they answer. */
export function commandClient(api: LocalEndpoint) {
  const counts: CommandCounts = { succeeded: 0, rejected: 0, retries: 0, gaveUp: 0 };
  const send = (id: string, command: AccountCommand): Promise<Answer> =>
    fetch(`${api.url}/aggregates/${encodeURIComponent(id)}/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(command),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as Answer["body"] }));
  const run = async (id: string, command: AccountCommand): Promise<void> => {
    const { status, body } = await send(id, command);
    if (status === 200) {
      counts.succeeded += 1;
      counts.retries += (body.attempts ?? 1) - 1;
    } else if (status === 409) counts.rejected += 1;
    else if (status === 503)
      counts.gaveUp += 1; // typed outcome under contention, nothing written
    else throw new Error(`command ${JSON.stringify(command)} on ${id} answered ${status}: ${body.message}`);
  };
  return { counts, send, run };
}

export async function runWorkload(
  stage: LocalStage<AccountState, AccountCommand>,
  client: ReturnType<typeof commandClient>,
  options: WorkloadOptions,
  progress?: (done: number) => void,
): Promise<WorkloadReport> {
  const random = new Random(options.seed);
  const ids = Array.from({ length: options.aggregates }, (_, i) => `acc-${String(i + 1).padStart(3, "0")}`);
  for (const id of ids) {
    await client.run(id, { kind: "Open", owner: id });
    await client.run(id, { kind: "Credit", amount: 100 });
  }
  const workload = Array.from({ length: options.events }, () => ({
    id: ids[random.integer(0, ids.length - 1)],
    command: { kind: random.chance(0.5) ? "Credit" : "Debit", amount: random.integer(1, 60) } as AccountCommand,
  }));
  let done = 0;
  await stage.settle();
  const before = new Map(stage.requests.byOperation);
  const started = Date.now();
  const appendedBefore = client.counts.succeeded;
  for (let start = 0; start < workload.length; start += 100) {
    await forEachLimit(workload.slice(start, start + 100), options.concurrency, async ({ id, command }) => {
      await client.run(id, command);
      done += 1;
    });
    await stage.settle();
    progress?.(done);
  }
  return {
    ids,
    commands: workload.length,
    events: client.counts.succeeded - appendedBefore,
    seconds: (Date.now() - started) / 1000,
    requests: new Map([...stage.requests.byOperation].map(([operation, count]) => [operation, count - (before.get(operation) ?? 0)])),
  };
}
