import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkEventPattern } from "./eventPatternSize";
import type { Tags } from "./handlerFunction";
import { nameArgs } from "./stackNames";

export interface ServiceBusArgs {
  /** The microservice's name: the `source` of every event it publishes. Required. */
  readonly serviceName: string;
  /** Keep an archive of every event the service publishes (for EventBridge replays). Default: no archive. */
  readonly archive?: {
    /** Days the archive keeps an event; 0 keeps them indefinitely. Default 0. */
    readonly retentionDays?: pulumi.Input<number>;
  };
  /** Tags on the bus and its archive. Default none. */
  readonly tags?: Tags;
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
    this.registerOutputs({ busName: this.busName, busArn: this.busArn, serviceName: this.serviceName });
  }
}
