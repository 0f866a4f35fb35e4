import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceBusArgs {
  /** The microservice's name: the `source` of every event it publishes. */
  serviceName: string;
  /** Keep an archive of every event for this many days (0 = no archive). Default 0. */
  archiveRetentionDays?: pulumi.Input<number>;
}

/** One EventBridge bus per microservice. Other services subscribe to it by rule (source + detail-type). */
export class ServiceBus extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;
  readonly archive?: aws.cloudwatch.EventArchive;
  readonly busName: pulumi.Output<string>;
  readonly busArn: pulumi.Output<string>;
  readonly serviceName: string;

  constructor(name: string, args: ServiceBusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventledger:bus:ServiceBus", name, {}, opts);
    if (!args.serviceName) throw new Error(`ServiceBus "${name}": serviceName is required (it is the events' source)`);
    this.serviceName = args.serviceName;
    this.bus = new aws.cloudwatch.EventBus(`${name}-bus`, {}, { parent: this });
    this.busName = this.bus.name;
    this.busArn = this.bus.arn;
    if (args.archiveRetentionDays !== undefined && args.archiveRetentionDays !== 0) {
      this.archive = new aws.cloudwatch.EventArchive(
        `${name}-archive`,
        { eventSourceArn: this.bus.arn, retentionDays: args.archiveRetentionDays, eventPattern: JSON.stringify({ source: [args.serviceName] }) },
        { parent: this },
      );
    }
    this.registerOutputs({ busName: this.busName, busArn: this.busArn, serviceName: this.serviceName });
  }
}
