import {
  AGGREGATE_BUCKET_ATTRIBUTE,
  AGGREGATE_INDEX,
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TTL_ATTRIBUTE,
  LEDGER_PARTITION_KEY,
  LEDGER_SORT_KEY,
  PROJECTION_PARTITION_KEY,
  SNAPSHOT_PARTITION_KEY,
  SNAPSHOT_SORT_KEY,
} from "./conventions";

/** Key schema of a table, shared by the Pulumi components and the local stage so both build the same tables. */
export interface TableSchema {
  partitionKey: { name: string; type: "S" | "N" };
  sortKey?: { name: string; type: "S" | "N" };
  /** Stream view the table publishes, if any. */
  stream?: "NEW_IMAGE";
  /** Attribute holding the epoch second after which DynamoDB may delete the item. */
  ttlAttribute?: string;
  /** Global secondary indexes, keys only. */
  indexes?: { name: string; partitionKey: { name: string; type: "S" | "N" }; sortKey: { name: string; type: "S" | "N" } }[];
}

export const LEDGER_TABLE: TableSchema = {
  partitionKey: { name: LEDGER_PARTITION_KEY, type: "S" },
  sortKey: { name: LEDGER_SORT_KEY, type: "N" },
  stream: "NEW_IMAGE",
  indexes: [
    {
      name: AGGREGATE_INDEX,
      partitionKey: { name: AGGREGATE_BUCKET_ATTRIBUTE, type: "N" },
      sortKey: { name: LEDGER_PARTITION_KEY, type: "S" },
    },
  ],
};

export const SNAPSHOT_TABLE: TableSchema = {
  partitionKey: { name: SNAPSHOT_PARTITION_KEY, type: "S" },
  sortKey: { name: SNAPSHOT_SORT_KEY, type: "N" },
};

export const READ_MODEL_TABLE: TableSchema = {
  partitionKey: { name: PROJECTION_PARTITION_KEY, type: "S" },
};

export const IDEMPOTENCY_TABLE: TableSchema = {
  partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: "S" },
  ttlAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
};
