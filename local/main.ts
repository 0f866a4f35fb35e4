/**
 * The local stage: the example program (index.ts) on this machine, no AWS account: its services
 * discovered from the program under Pulumi mocks and run with their real handler code, then the
 * bank scenario on the accounts service and the shop scenario across orders, payments and shipping.
 *   npm start -- [--events N] [--aggregates M] [--orders K] [--chaos [sdk]] [--seed S] [--concurrency C] [--baseline]
 *   npm start -- --serve [--port P]
 * Commands go through the CommandApi handlers served on localhost, as HTTP requests. `--serve` runs
 * the program's services until stopped (the dev loop, as `event-ledger dev` does) and prints curl lines.
 * `--chaos` reorders, duplicates and delays deliveries; `--chaos sdk` also injects faults into every
 * AWS SDK client and abandons handler invocations, then checks every invariant (local/chaos/).
 * `--baseline` runs the handlers remembering nothing between invocations, to compare.
 * Exits non-zero when a read model disagrees with the ledger or an invariant is broken.
 */
import { parseArgs } from "node:util";
import { requirePrerequisites } from "./prerequisites";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { balances } from "../examples/accounts/projections";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import * as path from "node:path";
import { runChaos } from "./chaos/harness";
import { runDev } from "./dev";
import { LocalNetwork } from "./network";
import { discoverProgram } from "./program";
import { ShopReport, runShop } from "./shop";
import { LocalStage } from "./stage";
import { commandClient, runWorkload } from "./workload";
import { onExit, processLifecycle } from "./lifecycle";

// First, so that a bad argument is one line too, and whatever starts later is stopped on every exit path.
const lifecycle = processLifecycle({ name: "local stage", portFlag: "--port" });
requirePrerequisites();

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: "string", default: "400" },
    aggregates: { type: "string", default: "8" },
    orders: { type: "string", default: "30" },
    chaos: { type: "boolean", default: false },
    seed: { type: "string", default: "42" },
    concurrency: { type: "string", default: "4" },
    serve: { type: "boolean", default: false },
    port: { type: "string", default: "3000" },
    baseline: { type: "boolean", default: false },
  },
});
const positive = (name: string, raw: string | undefined): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
};
const options = {
  events: positive("events", values.events),
  aggregates: positive("aggregates", values.aggregates),
  orders: positive("orders", values.orders),
  seed: positive("seed", values.seed),
  concurrency: positive("concurrency", values.concurrency),
  serve: values.serve ?? false,
  port: positive("port", values.port),
  chaos: values.chaos ?? false,
  baseline: values.baseline ?? false,
  // `--chaos sdk`: the word after the flag arrives as a positional.
  sdkChaos: (values.chaos ?? false) && positionals.includes("sdk"),
};
const unexpected = positionals.filter((word) => word !== "sdk" || !values.chaos);
if (unexpected.length > 0) throw new Error(`unexpected argument(s): ${unexpected.join(" ")} (did you mean --chaos sdk?)`);

const say = (line = "") => process.stdout.write(line + "\n");
const PROGRAM = path.join(__dirname, "..", "index.ts");
const progress = (line: string) => process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  process.env.LOG_LEVEL ??= "error";
  // The functions' EMF metric lines are for CloudWatch; here they would only bury the output.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  if (!options.serve)
    say(
      `local stage: ${options.aggregates} accounts, ${options.events} commands, chaos ${options.chaos ? `${options.sdkChaos ? "sdk + delivery" : "delivery"} (seed ${options.seed})` : "off"}`,
    );
  if (options.serve) return runDev({ program: PROGRAM, port: options.port, say });
  const plan = await discoverProgram(PROGRAM);
  const network = await LocalNetwork.start(plan.services, {
    chaos: options.chaos ? { seed: options.seed } : undefined,
    sdkChaos: options.sdkChaos ? { seed: options.seed } : undefined,
    // Under SDK chaos, snapshots often enough that the dispatcher's BatchGetItem (and its partial answers) run too.
    snapshotEvery: options.sdkChaos ? 20 : undefined,
    remember: !options.baseline,
  });
  const stopStage = onExit("the local stage", () => network.stop());
  const stage = network.stage("accounts") as unknown as LocalStage<AccountState, AccountCommand>;
  if (options.sdkChaos) {
    try {
      return await faultInjectionRun(stage, network, started);
    } finally {
      await stopStage();
    }
  }
  try {
    const api = await stage.serveCommandApi();
    const client = commandClient(api);
    const { counts, send, run } = client;

    // 1. Accounts opened and funded, then a random workload of concurrent credits and debits.
    const workload = await runWorkload(stage, client, options, (done) => {
      const round = Math.ceil(done / 100);
      if (process.stderr.isTTY || (round - 1) % Math.max(1, Math.round(options.events / 1000)) === 0) {
        progress(
          `  commands ${done}/${options.events}, published ${stage.bus.published}, queued ${stage.projectors.reduce((n, p) => n + p.queue.depth, 0)}`,
        );
      }
    });
    const ids = workload.ids;
    if (process.stderr.isTTY) process.stderr.write("\n");

    // 2. The bank race: 50 on the account, two debits of 40 and 25 at once.
    await run("acc-race", { kind: "Open", owner: "race" });
    await run("acc-race", { kind: "Credit", amount: 50 });
    const race = await Promise.all([send("acc-race", { kind: "Debit", amount: 40 }), send("acc-race", { kind: "Debit", amount: 25 })]);
    const raceWinners = race.filter((outcome) => outcome.status === 200).length;
    const raceLoser = race.find((outcome) => outcome.status !== 200);
    const raceRejected = raceLoser?.status === 409 && raceLoser.body.code === "insufficient-funds";
    ids.push("acc-race");

    // 3. A stale snapshot: the dispatcher snapshots at 100, the ledger moves on to 103.
    await run("acc-stale", { kind: "Open", owner: "stale" });
    for (let i = 0; i < 99; i += 1) await run("acc-stale", { kind: "Credit", amount: 1 });
    await stage.settle();
    for (let i = 0; i < 3; i += 1) await run("acc-stale", { kind: "Credit", amount: 1 });
    const readBefore = stage.requests.itemsRead(stage.events.tableName);
    const staleLoad = await new AggregateLoader(accounts, stage.events, stage.snapshots, { start: "sequential" }).load("acc-stale");
    const staleRead = stage.requests.itemsRead(stage.events.tableName) - readBefore;
    ids.push("acc-stale");
    await stage.settle();

    // 4. The balances read model is wiped and rebuilt by a replay aimed at it alone.
    const [balanceProjector, lastProjector] = stage.projectors;
    const lastBefore = await Promise.all(ids.map((id) => lastProjector.readModel.get(id)));
    const wiped = await stage.wipe(balanceProjector);
    const lastQueuedBefore = lastProjector.queue.stats.sent;
    for (const id of ids) await stage.commands.replay(id, balances.name);
    await stage.settle();
    const lastAfter = await Promise.all(ids.map((id) => lastProjector.readModel.get(id)));

    // 5. Read models against the ledger.
    const mismatches: string[] = [];
    const rows: string[] = [];
    for (const id of ids) {
      const ledger = await stage.commands.query(id);
      const row = await balanceProjector.readModel.get(id);
      const last = await lastProjector.readModel.get(id);
      const agrees = row?.balance === ledger.state.balance && row?.version === ledger.version;
      const lastAgrees =
        ledger.state.lastTransaction === undefined
          ? last === undefined
          : last?.amount === ledger.state.lastTransaction.amount && last?.type === ledger.state.lastTransaction.type;
      if (!agrees)
        mismatches.push(`${id}: balances row ${JSON.stringify(row)} vs ledger balance ${ledger.state.balance} at v${ledger.version}`);
      if (!lastAgrees)
        mismatches.push(`${id}: last-transaction row ${JSON.stringify(last)} vs ledger ${JSON.stringify(ledger.state.lastTransaction)}`);
      rows.push(
        `  ${id.padEnd(10)} ${String(ledger.state.balance).padStart(8)} ${String(row?.balance ?? "-").padStart(10)} ${String(ledger.version).padStart(8)} ${String(row?.version ?? "-").padStart(8)}   ${agrees && lastAgrees ? "ok" : "MISMATCH"}`,
      );
    }
    const lastUntouched = lastBefore.every((row, i) => row?.version === lastAfter[i]?.version);

    say();
    say("what happened");
    say(
      `  commands (HTTP POST to the CommandApi handler at ${api.url}): ${counts.succeeded} appended, ${counts.rejected} rejected (insufficient funds), ${counts.retries} retries after version conflicts (a replica behind the ledger, or a concurrent writer), ${counts.gaveUp} gave up (retries exhausted)`,
    );
    say(
      `  workload: ${workload.commands} commands, ${workload.events} events appended and carried through dispatcher, bus and ${stage.projectors.length} projectors in ${workload.seconds.toFixed(1)} s: ${(workload.events / workload.seconds).toFixed(0)} events/s${options.baseline ? " (--baseline: handlers remember nothing)" : ""}`,
    );
    const requestTotal = [...workload.requests.values()].reduce((sum, count) => sum + count, 0);
    say(
      `  DynamoDB requests of the workload: ${requestTotal} (${(requestTotal / Math.max(1, workload.events)).toFixed(1)} per event): ${[
        ...workload.requests,
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([operation, count]) => `${operation} ${count}`)
        .join(", ")}`,
    );
    say(
      `  race (50, debits 40 and 25 at once, over HTTP): ${raceWinners} won, the other ${raceRejected ? `409 ${raceLoser!.body.code} at v${raceLoser!.body.version}` : "NOT rejected"}`,
    );
    say(
      `  stale snapshot: acc-stale at v${staleLoad.version} loaded from the snapshot at v100 by reading ${staleRead} events (3 missing + v100 itself, the proof the ledger reaches it)`,
    );
    say(
      `  stream: ${stage.poller.stats.records} records in ${stage.poller.stats.batches} batches, ${stage.poller.stats.retries} batch retries, ${stage.poller.stats.bisections} failed batches bisected`,
    );
    say(
      `  bus: ${stage.bus.published} events published, ${stage.bus.refused} entries refused and resent; ${stage.bus.deliveries.retried} deliveries to queues retried`,
    );
    for (const p of stage.projectors) {
      say(
        `  projector ${p.projection.name}: ${p.totals.written} rows written, ${p.totals.stale} duplicates/stale absorbed, ${p.totals.skipped} skipped; queue: ${p.queue.stats.duplicated} duplicated, ${p.queue.stats.delayed} delayed, ${p.queue.stats.redelivered} redelivered`,
      );
    }
    say(
      `  replay: balances wiped (${wiped} rows) and rebuilt; last-transaction ${lastUntouched ? "untouched" : "CHANGED"} (${lastProjector.queue.stats.sent - lastQueuedBefore} replay messages reached its queue)`,
    );
    say(
      `  dead letters: ${stage.deadLetters.length}${stage.deadLetters.map((letter) => `\n    ${letter.queue} ${letter.messageId}: ${letter.reason}`).join("")}`,
    );
    say();
    say("  account      ledger  read model  ledger v  model v");
    rows.forEach((row) => say(row));
    say();
    const bankOk =
      mismatches.length === 0 && raceWinners === 1 && raceRejected && staleRead === 4 && lastUntouched && stage.deadLetters.length === 0;
    mismatches.forEach((line) => say(`MISMATCH ${line}`));

    // 6. The shop: orders placed over HTTP, carried to their end by payments, shipping and the orders' own reactions.
    const shop = await runShop(network, { orders: options.orders, seed: options.seed, concurrency: options.concurrency });
    sayShop(shop);
    const ok = bankOk && shop.problems.length === 0;
    say(
      `${ok ? "OK" : "FAILED"}: read models ${mismatches.length === 0 ? "equal" : "differ from"} the ledger; the shop ${shop.problems.length === 0 ? "kept every promise" : `broke ${shop.problems.length}`}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return ok ? 0 : 1;
  } finally {
    await stopStage();
  }
}

/** What the shop scenario did and whether every promise held. */
function sayShop(shop: ShopReport): void {
  say();
  say(
    `  shop: ${shop.placed.shipped + shop.placed.refused + shop.placed.unpaid} orders placed over HTTP (${shop.placed.shipped} to ship, ${shop.placed.refused} to be refused, ${shop.placed.unpaid} left unpaid past the timeout); ${shop.resent} answers of 503 sent again`,
  );
  for (const reactor of shop.reactors)
    say(
      `  reactor ${reactor.service}/${reactor.name}: ${reactor.acted} events acted on, ${reactor.superseded} duplicates absorbed, ${reactor.applied} commands applied, ${reactor.repeated} answered from their keys, ${reactor.rejected} rejected, ${reactor.scheduled} scheduled`,
    );
  say(
    `  checked: every order ended as its amount says, each ledger holds exactly those events, one command per source event of every reaction, read models equal to the ledgers, nothing queued or scheduled, no dead letter`,
  );
  shop.problems.slice(0, 20).forEach((problem) => say(`BROKEN ${problem}`));
}

/** `--chaos sdk`: random commands under every fault, then every invariant checked (see local/chaos/). */
async function faultInjectionRun(stage: LocalStage<AccountState, AccountCommand>, network: LocalNetwork, started: number): Promise<number> {
  const report = await runChaos(stage, { ...options, commands: options.events }, (done) =>
    progress(`  commands ${done}/${options.events}, faults injected ${stage.faults.total}, invocations abandoned ${stage.crashes}`),
  );
  if (process.stderr.isTTY) process.stderr.write("\n");
  const seconds = (Date.now() - started) / 1000;
  say();
  say("what happened");
  say(
    `  commands: ${report.outcomes.applied} applied, ${report.outcomes.rejected} rejected, ${report.outcomes.unknown} outcome unknown, ${report.outcomes.failed} failed (nothing written)`,
  );
  say(
    `  faults injected: ${Object.entries(stage.faults.byKind)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(", ")}; ${stage.crashes} invocations abandoned`,
  );
  say(`  faults by operation: ${[...stage.faults.byOperation].map(([operation, count]) => `${operation} ${count}`).join(", ")}`);
  say(
    `  stream: ${stage.poller.stats.records} records in ${stage.poller.stats.batches} batches, ${stage.poller.stats.retries} batch retries, ${stage.poller.stats.readErrors} failed stream reads retried`,
  );
  say(`  bus: ${stage.bus.published} events published, ${stage.bus.refused} entries refused and resent`);
  say(`  failed batches recovered by replay: ${report.recovered} aggregates`);
  for (const p of stage.projectors)
    say(
      `  projector ${p.projection.name}: ${p.totals.written} rows written, ${p.totals.stale} duplicates/stale absorbed; ${p.queue.stats.redelivered} redelivered`,
    );
  say(
    `  checked: gap-free ledgers, every event owned by a command reported applied or unknown, every answer consistent with the ledger's order, read models equal to the fold, nothing queued, no dead letter`,
  );
  report.problems.slice(0, 20).forEach((problem) => say(`BROKEN ${problem}`));
  const shop = await runShop(network, { orders: options.orders, seed: options.seed, concurrency: options.concurrency });
  sayShop(shop);
  const ok = report.problems.length === 0 && shop.problems.length === 0;
  say(
    `${ok ? "OK" : "FAILED"}: ${ok ? "every invariant held" : `${report.problems.length + shop.problems.length} broken invariants (replay with --seed ${options.seed})`}; ${(options.events / seconds).toFixed(0)} commands/s; ${seconds.toFixed(1)} s`,
  );
  return ok ? 0 : 1;
}

lifecycle.run(main);
