import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AggregateDispatcher, CommandApi, EventLedger, Projector, ServiceBus } from "../../components";

/** What differs between stages (Pulumi.<stage>.yaml, namespace "accounts"). */
export interface StageConfig {
  /** Refuse to delete the ledger tables. dev: false, prod: true. */
  deletionProtection: boolean;
  /** Days of bus archive (0 = none). dev: 0, prod: 90. */
  archiveRetentionDays: number;
  /** Days of Lambda logs. dev: 7, prod: 90. */
  logRetentionDays: number;
  /** Customer-managed KMS key for the ledger tables. Default: the AWS-managed key. */
  kmsKeyArn?: string;
  /** SNS topics notified by the alarms. Default none. */
  alarmActions?: string[];
}

export function stageConfig(): StageConfig {
  const config = new pulumi.Config("accounts");
  return {
    deletionProtection: config.getBoolean("deletionProtection") ?? true,
    archiveRetentionDays: config.getNumber("archiveRetentionDays") ?? 0,
    logRetentionDays: config.getNumber("logRetentionDays") ?? 30,
    kmsKeyArn: config.get("kmsKeyArn"),
    alarmActions: config.getObject<string[]>("alarmActions"),
  };
}

const examples = __dirname;

/**
 * The example "accounts" microservice: the bank ledger, its bus, the dispatcher and two read
 * models (balances, last transaction). A platform team writes one such function per service.
 */
export function accountsService(name: string, stage: StageConfig) {
  const alarms = { actions: stage.alarmActions };
  const logGroup = { args: { retentionInDays: stage.logRetentionDays } };
  const ledger = new EventLedger(`${name}-ledger`, { deletionProtection: stage.deletionProtection, kmsKeyArn: stage.kmsKeyArn });
  const bus = new ServiceBus(`${name}-bus`, {
    serviceName: name,
    archive: stage.archiveRetentionDays > 0 ? { retentionDays: stage.archiveRetentionDays } : undefined,
  });
  const dispatcher = new AggregateDispatcher(`${name}-dispatcher`, {
    ledger,
    bus,
    domainModule: path.join(examples, "domain.ts"),
    domainExport: "accounts",
    logGroup,
    alarms,
  });
  // Each projector takes the ledger: it resolves claim checks from its snapshot table, with its key.
  const projectionModule = path.join(examples, "projections.ts");
  const balances = new Projector(`${name}-balances`, { bus, ledger, projectionModule, projectionExport: "balances", logGroup, alarms });
  const lastTransaction = new Projector(`${name}-last-transaction`, {
    bus,
    ledger,
    projectionModule,
    projectionExport: "lastTransaction",
    logGroup,
    alarms,
  });
  const replica = new Projector(`${name}-replica`, { bus, ledger, projectionModule, projectionExport: "replica", logGroup, alarms });
  const commands = new CommandApi(`${name}-commands`, {
    ledger,
    domainModule: path.join(examples, "domain.ts"),
    domainExport: "accounts",
    replica,
    logGroup,
    alarms,
  });
  return { ledger, bus, dispatcher, balances, lastTransaction, replica, commands };
}
