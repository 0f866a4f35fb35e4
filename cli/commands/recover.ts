import { readFile, readdir } from "node:fs/promises";
import * as path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { dynamoDbCommandSide } from "../../handlers/runtime/aws/factories";
import { failedBatchObjects } from "../../handlers/runtime/aws/failedBatchBucket";
import { recoverFailedBatches } from "../../handlers/runtime/operations/failedBatches";
import { COMMON_OPTIONS, text } from "../args";
import { CONNECTION_OPTIONS, endpointOption } from "../awsClients";
import { defineCommand } from "../command";
import { Resource, UsageError, onResource } from "../errors";
import { LEDGER_OPTIONS } from "../ledgerOptions";
import { loadDomain } from "../modules";
import { DISPATCHER_CHECK_OPTION, failedBatchSourceWarning, ledgerDispatch, reportDispatch } from "../ledgerDispatch";
import { requireTables, table } from "../preflight";
import { progressLine, reportProgress } from "../progress";

const options = {
  bucket: text({ value: "<bucket>", description: "the dispatcher's failed-batch bucket (its on-failure destination)" }),
  dir: text({
    value: "<folder>",
    description: "failed-batch objects as JSON files in a folder (e.g. copied with `aws s3 sync`), instead of --bucket",
  }),
  prefix: text({ value: "<key prefix>", description: "only the objects (or files) whose key starts with this" }),
  ...LEDGER_OPTIONS,
  ...DISPATCHER_CHECK_OPTION,
  ...CONNECTION_OPTIONS,
  "s3-endpoint": endpointOption("an S3-compatible endpoint for --bucket (MinIO, LocalStack), addressed by path"),
  ...COMMON_OPTIONS,
};

/** Where the failed batches are read: how many there are (for progress), and each object's text. */
interface BatchSource {
  readonly resource: Resource;
  count(): Promise<number>;
  objects(): AsyncIterable<{ source: string; body: string }>;
}

function bucketSource(s3: S3Client, bucket: string, prefix: string | undefined): BatchSource {
  const resource: Resource = { kind: "bucket", name: bucket, flag: "--bucket" };
  return {
    resource,
    async count() {
      let total = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        total += (page.Contents ?? []).filter((object) => object.Key).length;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return total;
    },
    objects: () => failedBatchObjects(s3, bucket, prefix),
  };
}

function folderSource(folder: string, prefix: string | undefined): BatchSource {
  const files = async () =>
    (await readdir(folder, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && (!prefix || entry.name.startsWith(prefix)))
      .map((entry) => entry.name)
      .sort();
  return {
    resource: { kind: "folder", name: folder, flag: "--dir" },
    count: async () => (await files()).length,
    async *objects() {
      for (const name of await files()) yield { source: path.join(folder, name), body: await readFile(path.join(folder, name), "utf8") };
    },
  };
}

/** Counts the batches read as the recovery reads them. */
async function* counted<T>(items: AsyncIterable<T>, onItem: () => void): AsyncGenerator<T> {
  for await (const item of items) {
    yield item;
    onItem();
  }
}

export const recover = defineCommand({
  name: "recover",
  summary: "after an outage that exhausted the dispatcher's retries: replays every aggregate its failed batches touched",
  description:
    "Reads each failed batch the dispatcher's on-failure destination holds, and appends one replay event (for every projector) to each aggregate " +
    "they name, once however many batches name it, so every read model converges again. Safe to run twice: a replay only rewrites rows.",
  usage: [
    "event-ledger recover (--bucket <bucket> | --dir <folder>) --ledger-table <table> --idempotency-table <table> --domain <file> [options]",
  ],
  options,
  examples: [
    "event-ledger recover --bucket accounts-dispatcher-failed-1a2b --ledger-table accounts-ledger-1a2b --idempotency-table accounts-idempotency-3c4d --domain lib/domain.js --export accounts",
    "event-ledger recover --dir ./failed --endpoint http://127.0.0.1:8000 --ledger-table accounts-ledger --idempotency-table accounts-idempotency --domain examples/accounts/domain.ts --export accounts",
  ],
  async run(values, _positionals, context) {
    const { io } = context;
    if ((values.bucket === undefined) === (values.dir === undefined))
      throw new UsageError(
        values.bucket === undefined
          ? "say where the failed batches are: --bucket <bucket> or --dir <folder>"
          : "give --bucket or --dir, not both",
      );
    if (values["s3-endpoint"] !== undefined && values.bucket === undefined)
      throw new UsageError("--s3-endpoint is for --bucket, not --dir");
    const domain = await loadDomain(values.domain, values.export);
    const clients = context.clients({ region: values.region, endpoint: values.endpoint, s3Endpoint: values["s3-endpoint"] });
    const ledgerTable = values["ledger-table"];
    const ledger = table("--ledger-table", ledgerTable);
    const [described] = await requireTables(clients.dynamodb, [ledger, table("--idempotency-table", values["idempotency-table"])]);
    const dispatch = await ledgerDispatch(clients.lambda, ledger, described, { skip: values["skip-dispatcher-check"] });
    reportDispatch(io.err, ledger, dispatch);
    const elsewhere = values.bucket === undefined ? undefined : failedBatchSourceWarning(dispatch, ledger, values.bucket);
    if (elsewhere) io.err(`${elsewhere}\n`);
    const source =
      values.bucket !== undefined ? bucketSource(clients.s3, values.bucket, values.prefix) : folderSource(values.dir!, values.prefix);
    const total = await onResource(source.resource, () => source.count());
    const { commands } = dynamoDbCommandSide({
      domain,
      client: clients.documentClient,
      ledgerTable,
      idempotencyTable: values["idempotency-table"],
    });
    io.err(`recovering from ${total} failed-batch objects in ${source.resource.name}\n`);
    const started = Date.now();
    const tally = { read: 0, replayed: 0, failed: 0 };
    const rate = () => (tally.replayed + tally.failed) / Math.max(0.001, (Date.now() - started) / 1000);
    const progress = reportProgress(
      io.err,
      () =>
        `${progressLine("recover: batches read", { done: tally.read, total, failed: tally.failed, rate: rate() })} (${tally.replayed} aggregates replayed)`,
      context.progressEveryMs,
    );
    let report;
    try {
      report = await onResource(source.resource, () =>
        recoverFailedBatches(
          counted(source.objects(), () => (tally.read += 1)),
          async (id) => {
            try {
              await commands.replay(id);
              tally.replayed += 1;
            } catch (error) {
              tally.failed += 1;
              throw error;
            }
          },
          { ledgerTable },
        ),
      );
    } finally {
      progress.stop();
    }
    io.out(
      `${report.batches} failed batches, ${report.aggregates} aggregates, ${report.replayed.length} replayed, ${report.failed.length} failed, ${report.unreadable.length} unreadable objects, ${report.foreign.length} of another ledger in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    for (const failure of report.failed) io.out(`  failed ${failure.aggregateId}: ${failure.reason}\n`);
    for (const object of report.unreadable) io.out(`  unreadable ${object.source}: ${object.reason}\n`);
    for (const batch of report.foreign)
      io.out(
        `  of another ledger ${batch.source}: a batch of table ${batch.table}'s stream, not of ${ledgerTable}; its aggregates were not replayed\n`,
      );
    return report.failed.length + report.unreadable.length + report.foreign.length === 0 ? 0 : 1;
  },
});
