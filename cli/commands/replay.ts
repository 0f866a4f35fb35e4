import { readFile } from "node:fs/promises";
import { countIndexedAggregates, indexedAggregateIds } from "../../handlers/runtime/aws/aggregateIds";
import { dynamoDbCommandSide } from "../../handlers/runtime/aws/factories";
import { ReplayProgress, defaultCheckpointPath, fileCheckpoint, replayRun } from "../../handlers/runtime/operations/replayRun";
import { COMMON_OPTIONS, closest, flag, integer, positiveNumber, text } from "../args";
import { CONNECTION_OPTIONS } from "../awsClients";
import { defineCommand } from "../command";
import { Resource, UsageError, onResource } from "../errors";
import { DISPATCHER_CHECK_OPTION, LedgerDispatch, dispatcherLine, ledgerDispatch, reportDispatch } from "../ledgerDispatch";
import { LEDGER_OPTIONS } from "../ledgerOptions";
import { loadDomain } from "../modules";
import { requireTables, table } from "../preflight";
import { progressLine, reportProgress } from "../progress";
import { ProjectorRule, projectorRulesInProgram, projectorRulesOnBus } from "../replayTargets";

const options = {
  ...LEDGER_OPTIONS,
  target: text({
    value: "<projector>",
    description: "the projector to replay to, checked against the stack's projectors (give --bus or --program)",
  }),
  all: flag({ description: "replay to every projector instead of one (no check needed)" }),
  bus: text({
    value: "<bus name>",
    description: "the stack's event bus (stack output busName): its rules name the projectors --target may be",
  }),
  program: text({
    value: "<file>",
    description: "a Pulumi program (e.g. index.ts), composed under mocks to read its projectors instead of --bus (needs @pulumi/pulumi)",
  }),
  "dry-run": flag({ description: "counts the aggregates that would get a replay event, for which target; writes nothing" }),
  rate: positiveNumber({ default: 100, description: "replays per second at most, across workers" }),
  workers: integer({ min: 1, default: 8, description: "replays in flight at most" }),
  generation: integer({
    min: 1,
    default: 1,
    description: "bump to replay the same target again (after a fix): a generation's replays are done once",
  }),
  prefix: text({ value: "<id prefix>", description: "only the aggregates whose id starts with this" }),
  checkpoint: text({
    value: "<file>",
    description: "where the run saves where it stands (default .replay-<ledger>-<target>-<generation>-<hash>.json); running again resumes",
  }),
  ...DISPATCHER_CHECK_OPTION,
  ...CONNECTION_OPTIONS,
  ...COMMON_OPTIONS,
};

/** The projectors a replay may target, and where they were read, for the check and its message. */
async function knownTargets(
  source: { bus?: string; program?: string },
  rulesOnBus: (bus: string) => Promise<ProjectorRule[]>,
): Promise<{ rules: ProjectorRule[]; from: string }> {
  if (source.bus) return { rules: await rulesOnBus(source.bus), from: `bus ${source.bus}` };
  return { rules: await projectorRulesInProgram(source.program!), from: `program ${source.program}` };
}

/**
 * Refuses a target no enabled rule of the stack names, listing the ones it has. Gives the services
 * whose events the target's rules take: a replay reaches the projector only from such a service's
 * ledger (its dispatcher publishes as that service).
 */
function checkTarget(target: string, rules: readonly ProjectorRule[], from: string): string[] {
  const enabled = [...new Set(rules.filter((rule) => rule.enabled).map((rule) => rule.target))].sort();
  if (enabled.includes(target))
    return [...new Set(rules.filter((rule) => rule.enabled && rule.target === target && rule.source).map((rule) => rule.source!))].sort();
  const disabled = rules.filter((rule) => rule.target === target);
  if (disabled.length > 0)
    throw new UsageError(
      `--target "${target}": its rule ${disabled.map((rule) => rule.rule).join(", ")} on ${from} is disabled, so a replay would reach nothing`,
    );
  const guess = closest(target, enabled);
  throw new UsageError(
    `--target "${target}" is no projector of ${from} (${enabled.length > 0 ? `its projectors: ${enabled.join(", ")}` : "it has no projector rules"})${guess ? `; did you mean ${guess}?` : ""}`,
  );
}

/**
 * Refuses a ledger whose dispatchers publish as none of the services the target's rules take: the
 * replay events would leave as another service's events and never reach the projector. Returns
 * the lines saying what was found (or, unchecked, which service's ledger it must be), with a
 * warning when the service's dispatcher publishes on another bus than `--bus`: the target then
 * gets the events only if that bus forwards them (a stage's bus for another stage's, say).
 */
function checkLedgerReaches(
  target: string,
  services: readonly string[],
  source: { from: string; bus?: string },
  ledger: Resource,
  dispatch: LedgerDispatch,
): string[] {
  if (services.length === 0) return [];
  const takes = `projector ${target} on ${source.from} takes the events of service ${services.join(", ")}`;
  const which = services.length > 1 ? "one of those services' ledgers" : "that service's ledger";
  if (!dispatch.checked) return [`${takes}: a replay reaches it only if ${ledger.flag} is ${which}`];
  const publishing = dispatch.dispatchers.filter((dispatcher) => services.includes(dispatcher.service));
  if (publishing.length === 0)
    throw new UsageError(
      `${ledger.flag} ${ledger.name} is not ${which}: ${takes}, but ${dispatch.dispatchers.map(dispatcherLine).join("; ")}, so a replay appended there would never reach it`,
    );
  const lines = [`${takes}: ${ledger.flag} ${ledger.name} is ${which}`];
  if (source.bus !== undefined && !publishing.some((dispatcher) => dispatcher.bus === source.bus))
    lines.push(
      `warning: ${publishing.map((dispatcher) => `dispatcher ${dispatcher.function} publishes on bus ${dispatcher.bus}`).join(", ")}, not on --bus ${source.bus}: the replay reaches projector ${target} only if those events are forwarded to ${source.bus}`,
    );
  return lines;
}

/**
 * Says which projectors of the stack an --all run reaches: the enabled ones taking the service the
 * ledger's dispatcher publishes as, with a warning when there is none.
 */
function reportAllTargets(
  err: (text: string) => void,
  known: { rules: readonly ProjectorRule[]; from: string },
  dispatch: LedgerDispatch,
): void {
  const published = dispatch.checked ? [...new Set(dispatch.dispatchers.map((dispatcher) => dispatcher.service))].sort() : undefined;
  const takes = (rule: ProjectorRule) => published === undefined || rule.source === undefined || published.includes(rule.source);
  const reached = [...new Set(known.rules.filter((rule) => rule.enabled && takes(rule)).map((rule) => rule.target))].sort();
  err(
    `--all: every projector of ${known.from}${published ? ` taking service ${published.join(", ")}` : ""} (${reached.join(", ") || "none found"})\n`,
  );
  if (published && reached.length === 0)
    err(
      `warning: no enabled projector of ${known.from} takes service ${published.join(", ")}: the replay reaches only projectors of buses its events are forwarded to\n`,
    );
}

export const replay = defineCommand({
  name: "replay",
  summary:
    "appends a replay event to every aggregate (or those with a prefix) for one projector or all, to backfill or rebuild a read model",
  description:
    "Rate-limited, parallel, resumable (a checkpoint file; Ctrl-C stops, running again resumes) and idempotent per target and generation: " +
    "a second run appends nothing new. A replay event is permanent: --target is checked against the stack's projectors, --ledger-table against the service " +
    "the target's rule takes (its stream's dispatcher, read from Lambda), and --dry-run says what a run would do.",
  usage: [
    "event-ledger replay --ledger-table <table> --idempotency-table <table> --domain <file> --target <projector> (--bus <bus name> | --program <file>) [options]",
    "event-ledger replay --ledger-table <table> --idempotency-table <table> --domain <file> --all [options]",
  ],
  options,
  examples: [
    "event-ledger replay --ledger-table accounts-ledger-1a2b --idempotency-table accounts-idempotency-3c4d --domain lib/domain.js --export accounts --target balances --bus accounts-bus-5e6f --dry-run",
    "event-ledger replay --endpoint http://127.0.0.1:8000 --ledger-table accounts-ledger --idempotency-table accounts-idempotency --domain examples/accounts/domain.ts --export accounts --target balances --program index.ts --rate 200",
  ],
  async run(values, _positionals, context) {
    const { io } = context;
    if (values.target === undefined && !values.all) throw new UsageError("say what to replay to: --target <projector> or --all");
    if (values.target !== undefined && values.all) throw new UsageError("give --target or --all, not both");
    if (values.bus !== undefined && values.program !== undefined) throw new UsageError("give --bus or --program, not both");
    if (values.target !== undefined && values.bus === undefined && values.program === undefined)
      throw new UsageError(
        `--target ${values.target} cannot be checked against the stack's projectors: give --bus <the stack's bus name> or --program <its Pulumi program> (or --all, which needs no check)`,
      );
    const domain = await loadDomain(values.domain, values.export);
    const clients = context.clients({ region: values.region, endpoint: values.endpoint });
    let known: { rules: ProjectorRule[]; from: string } | undefined;
    let services: string[] = [];
    if (values.bus !== undefined || values.program !== undefined) {
      if (values.program !== undefined) io.err(`reading the projectors of ${values.program} (composed under Pulumi mocks)\n`);
      known = await knownTargets(values, (bus) => projectorRulesOnBus(clients.eventBridge, bus));
      if (values.target !== undefined) services = checkTarget(values.target, known.rules, known.from);
    }
    const ledgerTable = values["ledger-table"];
    const ledger = table("--ledger-table", ledgerTable);
    const [described] = await requireTables(clients.dynamodb, [ledger, table("--idempotency-table", values["idempotency-table"])]);
    const dispatch = await ledgerDispatch(clients.lambda, ledger, described, { skip: values["skip-dispatcher-check"] });
    const reaches =
      values.target !== undefined && known !== undefined
        ? checkLedgerReaches(values.target, services, { from: known.from, bus: values.bus }, ledger, dispatch)
        : [];
    reportDispatch(io.err, ledger, dispatch, values.target !== undefined && services.length > 0 ? services : undefined);
    for (const line of reaches) io.err(`${line}\n`);
    if (known !== undefined && values.all) reportAllTargets(io.err, known, dispatch);
    const db = clients.documentClient;
    const target = values.target;
    // Every projector, or one by name: apart, so a projector named "all" never shares the run or keys of --all.
    const label = target === undefined ? "all" : `projector:${target}`;
    // What this run replays: its checkpoint resumes this run only, never one of another target or prefix.
    const run = { ledger: ledgerTable, target: label, prefix: values.prefix ?? "", generation: String(values.generation) };
    const checkpointPath = values.checkpoint ?? defaultCheckpointPath(run);
    const total = await onResource(ledger, () => countIndexedAggregates(db, ledgerTable, values.prefix));
    const which = `${total} aggregates of ${ledgerTable}${values.prefix ? ` with ids starting "${values.prefix}"` : ""}`;

    if (values["dry-run"]) {
      const saved = await readFile(checkpointPath, "utf8").catch(() => undefined);
      io.out(
        `dry run: a run would append a replay event for ${target === undefined ? "every projector" : `projector ${target}`} (generation ${values.generation}) to ${which}, at most ${values.rate}/s; nothing was written\n`,
      );
      if (saved !== undefined)
        io.out(`  the checkpoint ${checkpointPath} exists: a run would resume from it, skipping what it records as done\n`);
      return 0;
    }

    const { commands } = dynamoDbCommandSide({ domain, client: db, ledgerTable, idempotencyTable: values["idempotency-table"] });
    let latest: ReplayProgress = { replayed: 0, skipped: 0, failed: 0, rate: 0 };
    const started = Date.now();
    io.err(
      `replaying ${which} to ${target === undefined ? "every projector" : `projector ${target}`} at ${values.rate}/s with ${values.workers} workers (checkpoint ${checkpointPath}; Ctrl-C stops, running again resumes)\n`,
    );
    const tally = () => ({ done: latest.replayed + latest.skipped + latest.failed, total, failed: latest.failed, rate: latest.rate });
    const progress = reportProgress(io.err, () => progressLine("replay", tally()), context.progressEveryMs);
    let result;
    try {
      result = await replayRun({
        run,
        ids: (after) => indexedAggregateIds(db, ledgerTable, { after, prefix: values.prefix }),
        replay: (id) => commands.replay(id, target, { idempotencyKey: `replay:${label}:${values.generation}:${id}` }),
        ratePerSecond: values.rate,
        workers: values.workers,
        checkpoint: fileCheckpoint(checkpointPath),
        signal: context.signal,
        onProgress: (progress) => (latest = progress),
      });
    } finally {
      progress.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    io.out(
      `${result.stopped ? "stopped (run again to resume)" : "done"}: this run ${result.thisRun.replayed} replayed, ${result.thisRun.skipped} already replayed (skipped) in ${seconds.toFixed(1)} s; ` +
        `in all ${result.replayed} replayed, ${result.skipped} skipped, ${result.failed.length} failed\n`,
    );
    for (const failure of result.failed) io.out(`  failed ${failure.aggregateId}: ${failure.reason}\n`);
    return result.failed.length === 0 ? 0 : 1;
  },
});
