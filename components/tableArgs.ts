import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TableSchema } from "../handlers/runtime/ledger/tableSchemas";

export interface TableOptions {
  readonly pointInTimeRecovery: pulumi.Input<boolean>;
  readonly deletionProtection: pulumi.Input<boolean>;
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * DynamoDB table arguments from a shared key schema: PITR and deletion protection as configured,
 * encrypted at rest with the customer-managed key when one is given, else with the key DynamoDB
 * owns (`enabled: false` selects it; `enabled: true` without a key would select the AWS-managed KMS
 * key and a KMS request charge on every read and write).
 */
export function tableArgs(schema: TableSchema, options: TableOptions): aws.dynamodb.TableArgs {
  const keys = [schema.partitionKey, ...(schema.sortKey ? [schema.sortKey] : [])];
  for (const index of schema.indexes ?? [])
    for (const key of [index.partitionKey, index.sortKey]) if (!keys.some((known) => known.name === key.name)) keys.push(key);
  return {
    billingMode: "PAY_PER_REQUEST",
    hashKey: schema.partitionKey.name,
    rangeKey: schema.sortKey?.name,
    attributes: keys.map((key) => ({ name: key.name, type: key.type })),
    streamEnabled: schema.stream !== undefined,
    streamViewType: schema.stream,
    pointInTimeRecovery: { enabled: options.pointInTimeRecovery },
    serverSideEncryption: options.kmsKeyArn === undefined ? { enabled: false } : { enabled: true, kmsKeyArn: options.kmsKeyArn },
    deletionProtectionEnabled: options.deletionProtection,
    ...(schema.ttlAttribute ? { ttl: { attributeName: schema.ttlAttribute, enabled: true } } : {}),
    ...(schema.indexes
      ? {
          globalSecondaryIndexes: schema.indexes.map((index) => ({
            name: index.name,
            keySchemas: [
              { attributeName: index.partitionKey.name, keyType: "HASH" },
              { attributeName: index.sortKey.name, keyType: "RANGE" },
            ],
            projectionType: "KEYS_ONLY",
          })),
        }
      : {}),
    tags: options.tags,
  };
}
