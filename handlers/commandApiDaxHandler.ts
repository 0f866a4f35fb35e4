import { DaxDocument } from "@amazon-dax-sdk/lib-dax";
import { createCommandApiHandler } from "./commandApiHandler";
import type { RowReader } from "./runtime/aws/dynamoDbReadModel";
import { AwsClients } from "./runtime/aws/clients";
import { ENV } from "./runtime/ledger/conventions";
import { Domain } from "./runtime/domain/domain";
import { requireEnv } from "./runtime/support/environment";

/**
 * The CommandApi Lambda with its replica behind DAX: replica rows, the starting point of
 * every command and the eventual reads, come from the cluster's cache; the ledger's consistent
 * reads and every write go to DynamoDB (DAX passes strongly consistent reads through uncached). A
 * bundle of its own, so functions without DAX do not carry its client.
 */
export function createDaxCommandApiHandler<S, C>(domain: Domain<S, C>, clients: Partial<AwsClients> = {}, dax?: RowReader) {
  return createCommandApiHandler(
    domain,
    clients,
    () => dax ?? new DaxDocument({ endpoint: requireEnv(ENV.daxEndpoint), region: process.env.AWS_REGION }),
  );
}
