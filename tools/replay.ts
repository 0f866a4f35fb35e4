/**
 * Replays every aggregate of a ledger (or those with an id prefix) to one projector, or to all, to
 * backfill a new read model or rebuild a broken one. Rate-limited, parallel, resumable (a
 * checkpoint file), idempotent per target and generation (a second run does nothing new).
 *
 *   npm run replay -- --ledger-table <table> --idempotency-table <table> \
 *     --domain examples/accounts/domain.ts --export accounts --target balances --rate 200 \
 *     [--generation 1] [--workers 8] [--prefix acc-] [--checkpoint file] [--endpoint http://127.0.0.1:PORT]
 *
 * Against a deployed stack the table names are the stack's outputs and credentials come from the
 * usual AWS chain; against the local stage (`npm start -- --serve`) it prints this line with its endpoint.
 * Bump --generation to replay the same target again after a fix.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Domain } from "../handlers/runtime/domain/domain";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { dynamoDbCommandSide } from "../handlers/runtime/aws/factories";
import { countIndexedAggregates, indexedAggregateIds } from "../handlers/runtime/aws/aggregateIds";
import { defaultCheckpointPath, fileCheckpoint, replayRun } from "../handlers/runtime/operations/replayRun";

const { values } = parseArgs({
  options: {
    "ledger-table": { type: "string" },
    "idempotency-table": { type: "string" },
    domain: { type: "string" },
    export: { type: "string", default: "default" },
    target: { type: "string" },
    all: { type: "boolean", default: false },
    rate: { type: "string", default: "100" },
    workers: { type: "string", default: "8" },
    generation: { type: "string", default: "1" },
    prefix: { type: "string" },
    checkpoint: { type: "string" },
    endpoint: { type: "string" },
  },
});

const positive = (name: string, raw: string | undefined) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
};

const bar = (done: number, total: number) => {
  const width = 30;
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
};

// The SDK is pinned to a release that supports Node 20 (see local/prerequisites.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const missing = ["ledger-table", "idempotency-table", "domain"].filter((name) => !values[name as keyof typeof values]);
  if (missing.length > 0 || (!values.target && !values.all)) {
    process.stderr.write(
      `missing ${[...missing.map((name) => `--${name}`), ...(!values.target && !values.all ? ["--target <projector> (or --all)"] : [])].join(", ")} (see the header of tools/replay.ts)\n`,
    );
    return 2;
  }
  const rate = positive("rate", values.rate);
  const workers = positive("workers", values.workers);
  const generation = positive("generation", values.generation);
  const domain = require(path.resolve(values.domain!))[values.export!] as Domain<unknown, unknown> | undefined;
  if (!domain || typeof domain.reduce !== "function") throw new Error(`${values.domain} has no domain export "${values.export}"`);
  const endpoint = values.endpoint
    ? { endpoint: values.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } }
    : {};
  const db = documentClient(endpoint);
  const ledgerTable = values["ledger-table"]!;
  const { commands } = dynamoDbCommandSide({ domain, client: db, ledgerTable, idempotencyTable: values["idempotency-table"]! });
  const target = values.all ? undefined : values.target!;
  const label = target ?? "all";
  // What this run replays: its checkpoint resumes this run only, never one of another target or prefix.
  const run = { ledger: ledgerTable, target: label, prefix: values.prefix ?? "", generation: String(generation) };
  const checkpointPath = values.checkpoint ?? defaultCheckpointPath(run);

  const total = await countIndexedAggregates(db, ledgerTable, values.prefix);
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  process.stderr.write(
    `replaying ${total} aggregates to ${label} at ${rate}/s with ${workers} workers (checkpoint ${checkpointPath}; Ctrl-C stops, running again resumes)\n`,
  );
  const result = await replayRun({
    run,
    ids: (after) => indexedAggregateIds(db, ledgerTable, { after, prefix: values.prefix }),
    replay: (id) => commands.replay(id, target, { idempotencyKey: `replay:${label}:${generation}:${id}` }),
    ratePerSecond: rate,
    workers,
    checkpoint: fileCheckpoint(checkpointPath),
    signal: stop.signal,
    onProgress: ({ replayed, skipped, failed, rate: measured }) => {
      const done = replayed + skipped + failed;
      if (!tty && Date.now() - lastLine < 5000) return;
      lastLine = Date.now();
      const eta = measured > 0 ? Math.max(0, (total - done) / measured) : Infinity;
      const line = `${bar(done, total)} ${done}/${total} ${measured.toFixed(0)}/s ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : "?"} (${failed} failed)`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
  });
  if (tty) process.stderr.write("\n");
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `${result.stopped ? "stopped (run again to resume)" : "done"}: this run ${result.thisRun.replayed} replayed, ${result.thisRun.skipped} already replayed (skipped) in ${seconds.toFixed(1)} s; ` +
      `in all ${result.replayed} replayed, ${result.skipped} skipped, ${result.failed.length} failed\n`,
  );
  for (const failure of result.failed) process.stdout.write(`  failed ${failure.aggregateId}: ${failure.reason}\n`);
  return result.failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`replay failed: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
