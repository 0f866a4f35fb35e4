import { DynamoDbLocal } from "./dynamodbLocal";
import { ManualClock } from "./clock";
import { ServicePlan } from "./program";
import { HeldDeadLetter, LocalStage, LocalStageOptions } from "./stage";

/** How every stage of a network runs (see LocalStageOptions). */
export type NetworkOptions = Pick<LocalStageOptions<unknown, unknown>, "chaos" | "sdkChaos" | "remember" | "snapshotEvery" | "batchSize">;

/**
 * Several services on this machine at once, as one program deploys them: a stage per service on
 * one DynamoDB Local, each with its bus, dispatcher, projectors and reactors, the reactors'
 * rules on the bus of the service they react to, and one clock their schedules run on.
 */
export class LocalNetwork {
  readonly clock = new ManualClock();

  private constructor(
    readonly dynamo: DynamoDbLocal,
    readonly stages: ReadonlyMap<string, LocalStage<unknown, unknown>>,
    private readonly ownsDynamo: boolean,
  ) {}

  static async start(services: readonly ServicePlan[], options: NetworkOptions & { dynamo?: DynamoDbLocal } = {}): Promise<LocalNetwork> {
    const dynamo = options.dynamo ?? (await DynamoDbLocal.start());
    const stages = new Map<string, LocalStage<unknown, unknown>>();
    let network: LocalNetwork | undefined;
    try {
      network = new LocalNetwork(dynamo, stages, !options.dynamo);
      for (const [index, service] of services.entries()) {
        const stage = await LocalStage.start<unknown, unknown>({
          ...options,
          // Each service's chaos draws from its own seed: a service added to the program leaves the others' runs as they were.
          chaos: options.chaos ? { seed: options.chaos.seed + index * 1009 } : undefined,
          sdkChaos: options.sdkChaos ? { ...options.sdkChaos, seed: options.sdkChaos.seed + index * 1009 } : undefined,
          serviceName: service.serviceName,
          domain: service.domain,
          projections: service.projections,
          publications: service.publications,
          dynamo,
          clock: network.clock,
        });
        stages.set(service.serviceName, stage);
      }
      for (const service of services)
        for (const { reaction, sourceService } of service.reactions)
          stages.get(service.serviceName)!.addReactor(reaction, { bus: stages.get(sourceService)!.bus, serviceName: sourceService });
      return network;
    } catch (error) {
      await network?.stop();
      if (!options.dynamo && !network) await dynamo.stop();
      throw error;
    }
  }

  /** The stage of a service. */
  stage(serviceName: string): LocalStage<unknown, unknown> {
    const stage = this.stages.get(serviceName);
    if (!stage) throw new Error(`no service "${serviceName}" (the network has ${[...this.stages.keys()].join(", ")})`);
    return stage;
  }

  /** Runs every service's pipeline, and the schedules come due, until nothing moves anywhere. */
  async settle(): Promise<void> {
    for (;;) {
      let moved = 0;
      for (const stage of this.stages.values()) moved += await stage.step();
      if (moved === 0) return;
    }
  }

  /** Moves the clock forward (schedules come due), then settles. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }

  /**
   * Takes over what a network this one replaces (the program loaded again) held only in memory: the
   * messages waiting in each queue and dead-letter queue, and each reactor's commands for later,
   * wherever this network has the same service and queue (by name) or reaction. The tables need
   * nothing: both run on one DynamoDB Local. What has no counterpart here is lost, each a line of
   * the answer.
   */
  takeOver(previous: LocalNetwork): string[] {
    const lost: string[] = [];
    for (const [service, old] of previous.stages) {
      const stage = this.stages.get(service);
      for (const queue of old.queues) {
        const counterpart = stage?.queues.find((candidate) => candidate.name === queue.name);
        if (counterpart) counterpart.takeOver(queue);
        else if (queue.depth > 0)
          lost.push(`${service}: ${queue.depth} message(s) of queue ${queue.name}, which the program no longer has`);
      }
      for (const reactor of old.reactors) {
        const counterpart = stage?.reactors.find((candidate) => candidate.reaction.name === reactor.reaction.name);
        if (counterpart) counterpart.scheduler.takeOver(reactor.scheduler);
        else if (reactor.scheduler.waiting > 0)
          lost.push(
            `${service}: ${reactor.scheduler.waiting} command(s) for later of reaction ${reactor.reaction.name}, which the program no longer has`,
          );
      }
    }
    return lost;
  }

  /** Every dead letter held by any service. */
  get deadLetters(): (HeldDeadLetter & { service: string })[] {
    return [...this.stages].flatMap(([service, stage]) => stage.deadLetters.map((letter) => ({ ...letter, service })));
  }

  async stop(): Promise<void> {
    for (const stage of this.stages.values()) await stage.stop();
    if (this.ownsDynamo) await this.dynamo.stop();
  }
}
