import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IDEMPOTENCY_TABLE, LEDGER_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import type { Tags } from "./handlerFunction";
import { nameArgs } from "./stackNames";
import { tableArgs } from "./tableArgs";
import { recordComponent } from "./registry";

export interface EventLedgerArgs {
  /** Refuse to delete the tables (set true for production stages). Default true. */
  readonly deletionProtection?: pulumi.Input<boolean>;
  /** Point-in-time recovery on the events and snapshot tables. Default true. */
  readonly pointInTimeRecovery?: pulumi.Input<boolean>;
  /**
   * Customer-managed KMS key for server-side encryption. Every function of the library that reads or
   * writes these tables is granted its use. Default: none, and the tables are encrypted with the
   * AWS-owned key (free, nothing to grant), not the AWS-managed `alias/aws/dynamodb` KMS key, whose
   * every use is a KMS request charged on each read and write.
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Tags on the tables. Default none. */
  readonly tags?: Tags;
  /**
   * Keep the events and snapshot tables in AWS when Pulumi deletes or replaces them (a destroyed
   * dev stack, a renamed component without an alias). Default true: a ledger is never dropped by a deploy.
   */
  readonly retainOnDelete?: boolean;
}

/**
 * The event ledger: a DynamoDB table of events (partition = aggregate id, sort = version)
 * streaming NEW_IMAGE to the dispatcher, the snapshot table commands fold from, and the
 * idempotency table where commands remember their keys (TTL, written in the command's own transaction).
 * Billed on demand: a ledger's load follows its hottest aggregates and its stream's bursts, which
 * provisioned capacity (three tables and an index to scale) would throttle rather than absorb.
 */
export class EventLedger extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly snapshotTable: aws.dynamodb.Table;
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;
  readonly streamArn: pulumi.Output<string>;
  readonly snapshotTableName: pulumi.Output<string>;
  readonly snapshotTableArn: pulumi.Output<string>;
  readonly idempotencyTable: aws.dynamodb.Table;
  readonly idempotencyTableName: pulumi.Output<string>;
  readonly idempotencyTableArn: pulumi.Output<string>;
  /** The customer-managed key of the tables, if any: functions using them are granted it. */
  readonly kmsKeyArn?: pulumi.Input<string>;

  constructor(name: string, args: EventLedgerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:ledger:EventLedger", name, {}, opts);
    const options = {
      pointInTimeRecovery: args.pointInTimeRecovery ?? true,
      deletionProtection: args.deletionProtection ?? true,
      kmsKeyArn: args.kmsKeyArn,
      tags: args.tags,
    };
    // Children are named after the component, so an alias on the component carries over to them.
    const keep = { parent: this, retainOnDelete: args.retainOnDelete ?? true };
    this.table = new aws.dynamodb.Table(
      `${name}-events`,
      { ...tableArgs(LEDGER_TABLE, options), ...nameArgs("dynamodbTable", name, "events") },
      keep,
    );
    this.snapshotTable = new aws.dynamodb.Table(
      `${name}-snapshots`,
      { ...tableArgs(SNAPSHOT_TABLE, options), ...nameArgs("dynamodbTable", name, "snapshots") },
      keep,
    );
    // Keys are forgotten after their retention: no point-in-time recovery needed for them.
    this.idempotencyTable = new aws.dynamodb.Table(
      `${name}-idempotency`,
      { ...tableArgs(IDEMPOTENCY_TABLE, { ...options, pointInTimeRecovery: false }), ...nameArgs("dynamodbTable", name, "idempotency") },
      { parent: this },
    );
    this.kmsKeyArn = args.kmsKeyArn;
    this.idempotencyTableName = this.idempotencyTable.name;
    this.idempotencyTableArn = this.idempotencyTable.arn;
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.streamArn = this.table.streamArn;
    this.snapshotTableName = this.snapshotTable.name;
    this.snapshotTableArn = this.snapshotTable.arn;
    recordComponent({ kind: "EventLedger", name, component: this });
    this.registerOutputs({
      tableName: this.tableName,
      tableArn: this.tableArn,
      streamArn: this.streamArn,
      snapshotTableName: this.snapshotTableName,
      snapshotTableArn: this.snapshotTableArn,
      idempotencyTableName: this.idempotencyTableName,
      idempotencyTableArn: this.idempotencyTableArn,
    });
  }
}
