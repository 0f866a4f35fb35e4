import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkEventPattern } from "./eventPatternSize";
import type { Tags } from "./handlerFunction";
import { nameArgs } from "./stackNames";
import { claimServiceName, recordComponent } from "./registry";

export interface ServiceBusArgs {
  /** The microservice's name: the `source` of every event it publishes. Required. */
  readonly serviceName: string;
  /** Keep an archive of every event the service publishes (for EventBridge replays). Default: no archive. */
  readonly archive?: {
    /** Days the archive keeps an event; 0 keeps them indefinitely. Default 0. */
    readonly retentionDays?: pulumi.Input<number>;
  };
  /**
   * Other accounts allowed to put events on this bus: the producers whose rules forward their services'
   * events here (a `BusForwarding` in each producer's program). Creates the bus's resource policy, which
   * is the bus's only one (EventBridge keeps one policy per bus). Default none: only this account's
   * principals may put events on it.
   */
  readonly acceptEventsFrom?: BusAccessArgs;
  /** Tags on the bus and its archive. Default none. */
  readonly tags?: Tags;
}

/** Who may put events on a bus from another account. Give at least one of `accounts`, `roleArns`, `organizationId`. */
export interface BusAccessArgs {
  /** Account IDs (12 digits) whose principals, with IAM permission there, may put events. Default none. */
  readonly accounts?: readonly pulumi.Input<string>[];
  /** Role ARNs (a producer's `BusForwarding.role`) that may put events: narrower than their whole account. Default none. */
  readonly roleArns?: readonly pulumi.Input<string>[];
  /** An AWS Organizations ID (`o-...`): every account of the organization may put events. Default none. */
  readonly organizationId?: pulumi.Input<string>;
  /** Only events with one of these sources (the producers' service names) are accepted. Default: any source. */
  readonly sources?: readonly pulumi.Input<string>[];
}

/** One EventBridge bus per microservice. Other services subscribe to it by rule (source + detail-type). */
export class ServiceBus extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;
  readonly archive?: aws.cloudwatch.EventArchive;
  /** The bus's resource policy, when `acceptEventsFrom` is given. */
  readonly policy?: aws.cloudwatch.EventBusPolicy;
  readonly busName: pulumi.Output<string>;
  readonly busArn: pulumi.Output<string>;
  readonly serviceName: string;

  constructor(name: string, args: ServiceBusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:bus:ServiceBus", name, {}, opts);
    if (!args.serviceName) throw new Error(`ServiceBus "${name}": serviceName is required (it is the events' source)`);
    claimServiceName(args.serviceName, name);
    this.serviceName = args.serviceName;
    this.bus = new aws.cloudwatch.EventBus(`${name}-bus`, { tags: args.tags, ...nameArgs("eventBus", name, "bus") }, { parent: this });
    this.busName = this.bus.name;
    this.busArn = this.bus.arn;
    if (args.archive) {
      this.archive = new aws.cloudwatch.EventArchive(
        `${name}-archive`,
        {
          eventSourceArn: this.bus.arn,
          retentionDays: args.archive.retentionDays ?? 0,
          eventPattern: checkEventPattern({ source: [args.serviceName] }, `ServiceBus "${name}": the archive's event pattern`),
          ...nameArgs("eventArchive", name, "archive"),
        },
        { parent: this },
      );
    }
    if (args.acceptEventsFrom) {
      this.policy = new aws.cloudwatch.EventBusPolicy(
        `${name}-policy`,
        { eventBusName: this.bus.name, policy: busAccessPolicy(`ServiceBus "${name}"`, this.bus.arn, args.acceptEventsFrom) },
        { parent: this },
      );
    }
    recordComponent({ kind: "ServiceBus", name, component: this, serviceName: this.serviceName });
    this.registerOutputs({ busName: this.busName, busArn: this.busArn, serviceName: this.serviceName });
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+/;

/**
 * The bus's resource policy: events:PutEvents on this bus for the accounts and roles given (one
 * statement) and for the organization's principals (another, on `aws:PrincipalOrgID`), each limited to
 * the sources given. Plain-string IDs and ARNs are checked when the program runs.
 */
export function busAccessPolicy(component: string, busArn: pulumi.Input<string>, access: BusAccessArgs): pulumi.Output<string> {
  const plain = (values: readonly pulumi.Input<string>[] | undefined) =>
    (values ?? []).filter((value): value is string => typeof value === "string");
  const refuse = (argument: string, value: string, expected: string) => {
    throw new Error(`${component}: acceptEventsFrom.${argument} ${JSON.stringify(value)} is not ${expected}`);
  };
  for (const account of plain(access.accounts)) if (!ACCOUNT_ID.test(account)) refuse("accounts", account, "a 12-digit account ID");
  for (const role of plain(access.roleArns)) if (!ROLE_ARN.test(role)) refuse("roleArns", role, "an IAM role ARN");
  if (typeof access.organizationId === "string" && !ORGANIZATION_ID.test(access.organizationId))
    refuse("organizationId", access.organizationId, "an organization ID (o- and 10 to 32 lowercase letters or digits)");
  const principals = [...(access.accounts ?? []), ...(access.roleArns ?? [])];
  if (principals.length === 0 && access.organizationId === undefined)
    throw new Error(`${component}: acceptEventsFrom needs at least one of \`accounts\`, \`roleArns\` or \`organizationId\``);
  const sources =
    access.sources && access.sources.length > 0 ? { "ForAllValues:StringEquals": { "events:source": access.sources } } : undefined;
  const statement = (sid: string, principal: unknown, condition: Record<string, unknown> | undefined) => ({
    Sid: sid,
    Effect: "Allow",
    Principal: principal,
    Action: "events:PutEvents",
    Resource: busArn,
    ...(condition ? { Condition: condition } : {}),
  });
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      ...(principals.length > 0 ? [statement("PutEventsFromAccounts", { AWS: principals }, sources)] : []),
      ...(access.organizationId !== undefined
        ? [statement("PutEventsFromOrganization", "*", { ...sources, StringEquals: { "aws:PrincipalOrgID": access.organizationId } })]
        : []),
    ],
  });
}
