/**
 * The local stage's workload (`npm start -- --chaos`: HTTP commands, the stream, the dispatcher,
 * the bus and three projectors under delivery chaos) with handlers that remember between
 * invocations and remembering nothing (`--baseline`), rounds interleaved with the order rotated.
 * Each run gets a DynamoDB Local of its own, as `npm start` does: one emulator serving run after
 * run slowed down with every streamed table it held (to a fifth by the third round).
 */
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { balances, lastTransaction, replica } from "../examples/accounts/projections";
import { LocalStage } from "../local/stage";
import { commandClient, runWorkload } from "../local/workload";
import { median, rotated } from "./stats";

const EVENTS = Number(process.env.BENCH_STAGE_EVENTS ?? 5_000);
const AGGREGATES = 200;
const ROUNDS = Number(process.env.BENCH_STAGE_ROUNDS ?? 3);

export async function localStageThroughput(
  out: (line?: string) => void,
  progress: (what: string) => void = () => undefined,
): Promise<void> {
  const modes = [
    { name: "remembering (default)", remember: true },
    { name: "remembering nothing (`--baseline`)", remember: false },
  ];
  const results = new Map(modes.map((mode) => [mode.name, { rates: [] as number[], requests: [] as number[], reads: [] as number[] }]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of rotated(modes, round)) {
      progress(`round ${round + 1}/${ROUNDS}: ${mode.name}`);
      const stage = await LocalStage.start<AccountState, AccountCommand>({
        serviceName: "accounts",
        domain: accounts,
        projections: [balances, lastTransaction, replica],
        chaos: { seed: 42 },
        remember: mode.remember,
      });
      try {
        const workload = await runWorkload(stage, commandClient(await stage.serveCommandApi()), {
          events: EVENTS,
          aggregates: AGGREGATES,
          seed: 42,
          concurrency: 4,
        });
        const total = [...workload.requests.values()].reduce((sum, count) => sum + count, 0);
        const reads =
          (workload.requests.get("Query") ?? 0) + (workload.requests.get("GetItem") ?? 0) + (workload.requests.get("BatchGetItem") ?? 0);
        const result = results.get(mode.name)!;
        result.rates.push(workload.events / workload.seconds);
        result.requests.push(total / workload.events);
        result.reads.push(reads / workload.events);
      } finally {
        await stage.stop();
      }
    }
  }
  const baseline = median(results.get(modes[1].name)!.rates);
  out(
    `### Local stage: ${EVENTS.toLocaleString("en")} commands on ${AGGREGATES} accounts, delivery chaos, through the CommandApi, dispatcher, bus and 3 projectors`,
  );
  out();
  out(
    "| handlers | events/s (each round) | vs remembering nothing | DynamoDB requests per event (floor 4: the ledger write, a row per projector) | reads per event (floor 0) |",
  );
  out("|---|---:|---:|---:|---:|");
  for (const mode of modes) {
    const result = results.get(mode.name)!;
    out(
      `| ${mode.name} | ${result.rates.map((rate) => rate.toFixed(0)).join(", ")} | ${(median(result.rates) / baseline).toFixed(2)}× | ${median(result.requests).toFixed(2)} | ${median(result.reads).toFixed(2)} |`,
    );
  }
}
