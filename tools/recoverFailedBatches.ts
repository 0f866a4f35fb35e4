/**
 * After an outage that exhausted the dispatcher's retries: replays every aggregate the failed
 * batches in its bucket touched, so every read model converges again. Safe to run twice.
 *
 *   npm run recover -- --bucket <failedBatchBucket> --ledger-table <ledger table> \
 *     --idempotency-table <idempotency table> --domain examples/accounts/domain.ts --export accounts [--prefix P]
 *
 * Credentials and region come from the usual AWS chain (AWS_PROFILE, AWS_REGION, ...).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { failedBatchObjects } from "../handlers/runtime/aws/failedBatchBucket";
import { recoverFailedBatches } from "../handlers/runtime/operations/failedBatches";
import { Domain } from "../handlers/runtime/domain/domain";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { dynamoDbCommandSide } from "../handlers/runtime/aws/factories";

const { values } = parseArgs({
  options: {
    bucket: { type: "string" },
    prefix: { type: "string" },
    "ledger-table": { type: "string" },
    "idempotency-table": { type: "string" },
    domain: { type: "string" },
    export: { type: "string", default: "default" },
  },
});

// The SDK is pinned to a release that supports Node 20 (see local/prerequisites.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<number> {
  const missing = ["bucket", "ledger-table", "idempotency-table", "domain"].filter((name) => !values[name as keyof typeof values]);
  if (missing.length > 0) {
    process.stderr.write(`missing ${missing.map((name) => `--${name}`).join(", ")} (see the header of tools/recoverFailedBatches.ts)\n`);
    return 2;
  }
  const domain = require(path.resolve(values.domain!))[values.export!] as Domain<unknown, unknown> | undefined;
  if (!domain || typeof domain.reduce !== "function") throw new Error(`${values.domain} has no domain export "${values.export}"`);
  const db = documentClient();
  const { commands } = dynamoDbCommandSide({
    domain,
    client: db,
    ledgerTable: values["ledger-table"]!,
    idempotencyTable: values["idempotency-table"]!,
  });
  const report = await recoverFailedBatches(failedBatchObjects(new S3Client({}), values.bucket!, values.prefix), (id) =>
    commands.replay(id),
  );
  process.stdout.write(
    `${report.batches} failed batches, ${report.aggregates} aggregates, ${report.replayed.length} replayed, ${report.failed.length} failed, ${report.unreadable.length} unreadable objects\n`,
  );
  for (const failure of report.failed) process.stdout.write(`  failed ${failure.aggregateId}: ${failure.reason}\n`);
  for (const object of report.unreadable) process.stdout.write(`  unreadable ${object.source}: ${object.reason}\n`);
  return report.failed.length + report.unreadable.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`recovery failed: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
