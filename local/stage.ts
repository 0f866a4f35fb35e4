import { DynamoDBClient, ScanCommand, DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../handlers/runtime/command/commandHandler";
import { PROJECTION_PARTITION_KEY } from "../handlers/runtime/ledger/conventions";
import { Dispatcher } from "../handlers/runtime/dispatch/dispatcher";
import { Domain } from "../handlers/runtime/domain/domain";
import { RequestCounter, countedDocumentClient } from "./instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { projectorEventPattern } from "../handlers/runtime/messages/eventPatterns";
import { Projection } from "../handlers/runtime/projection/projection";
import { ProjectReport, Projector } from "../handlers/runtime/projection/projector";
import { DynamoDbReadModel } from "../handlers/runtime/aws/dynamoDbReadModel";
import { IDEMPOTENCY_TABLE, LEDGER_TABLE, READ_MODEL_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { FailedBatchRecord, RecoveryReport, recoverFailedBatches } from "../handlers/runtime/operations/failedBatches";
import { CommandApiFunctionSettings, createCommandApiHandler } from "../handlers/commandApiHandler";
import { dynamoDbCommandSide, dynamoDbDispatcher, dynamoDbProjector } from "../handlers/runtime/aws/factories";
import { LocalClock, systemClock } from "./clock";
import { DynamoDbLocal } from "./dynamodbLocal";
import { LocalEndpoint, serveLambda } from "./httpServer";
import { DeliveryFailure, InProcessBus } from "./inProcessBus";
import { LocalQueue } from "./localQueue";
import { MessageDeadLetters } from "../handlers/runtime/memory/deadLetters";
import { describeShape, shapeOf } from "../handlers/runtime/operations/deadLetterRedrive/shapes";
import { RedriveOptions, RedriveReport, redriveDeadLetters } from "../handlers/runtime/operations/deadLetterRedrive/redrive";
import { LocalDeadLetterQueue, LocalRedriveTargets } from "./localDeadLetterRedrive";
import { Random } from "./random";
import { StreamPoller } from "./streamPoller";
import { createTable } from "./tables";
import { DEFAULT_FAULT_RATES, FaultLog, FaultRates, injectSdkFaults } from "./chaos/sdkFaults";
import { Publication } from "../handlers/runtime/contracts/publication";
import { Reaction, reactionEventPattern } from "../handlers/runtime/reaction/reaction";
import { ReactReport, Reactor } from "../handlers/runtime/reaction/reactor";
import { InMemoryScheduler } from "../handlers/runtime/memory/scheduler";
import { ScheduledCommand } from "../handlers/runtime/reaction/scheduled";
import { ScheduledDelivery, deliverScheduled } from "./scheduledDelivery";
import { dynamoDbReactor } from "../handlers/runtime/aws/factories";
import { StartPolicy } from "../handlers/runtime/ledger/conventions";

export interface LocalStageOptions<S, C> {
  serviceName: string;
  domain: Domain<S, C>;
  projections: Projection<S>[];
  /** Seeded chaos: queues reorder, duplicate and delay; the bus refuses some entries. Default off. */
  chaos?: { seed: number };
  /** Dispatcher snapshot interval. Default 100. */
  snapshotEvery?: number;
  /** Stream records per dispatcher batch. Default 100. */
  batchSize?: number;
  /**
   * Seeded faults in every AWS SDK client the pipeline uses (DynamoDB for commands, dispatcher and
   * projectors; DynamoDB Streams reads), and handler invocations abandoned midway. Default off.
   */
  sdkChaos?: { seed: number; rates?: FaultRates; crash?: number };
  /** Use this running DynamoDB Local instead of starting one (its tables get the service name as prefix). */
  dynamo?: DynamoDbLocal;
  /**
   * Handlers remember between invocations, as warm Lambdas do: the command side the aggregates it
   * wrote (and, the stage being the one process serving commands, decides on them at once), the
   * dispatcher the aggregates it folded, projectors their rows' versions. Default true; false runs
   * them remembering nothing between invocations (a snapshot query per aggregate), for comparison.
   */
  remember?: boolean;
  /** Each projector queue's MaximumMessageSize (its DLQ keeps 1 MiB). Default 1 MiB, as the Projector component sets. */
  queueMaxMessageBytes?: number;
  /** Receives of a projector's message before its queue moves it to the DLQ. Default 5, as the Projector component. */
  maxReceiveCount?: number;
  /** The contracts the service publishes (its AggregateDispatcher's publications). Default none. */
  publications?: readonly Publication[];
  /** The clock the reactors' schedules run on (the stages of one network share one). Default: the system clock. */
  clock?: LocalClock;
}

/** A dead letter the stage holds, as the chaos checks and the summary read it. */
export interface HeldDeadLetter {
  queue: string;
  messageId: string;
  shape: string;
  /** The handler's origin, or the queue the letter is in for the shapes AWS writes. */
  origin: string;
  reason: string;
}

/**
 * What the stage's command side remembers: it is the one process serving commands, so it decides
 * on the aggregates it wrote at once; a conflict (a replay tool writing too) still catches up.
 */
const commandMemory = (remember: boolean): Pick<CommandHandlerOptions, "rememberedAggregates" | "start"> =>
  remember ? { start: "decide-first" } : { rememberedAggregates: 0, start: "read-first" };

/** The tables of a service on the stage, named after it. */
export const stageTables = (serviceName: string) => ({
  ledger: `${serviceName}-ledger`,
  snapshots: `${serviceName}-snapshots`,
  idempotency: `${serviceName}-idempotency`,
});

/** What a stage is made of: its emulator, clients, stores, command side and pipeline. */
interface StageParts<S, C> {
  requests: RequestCounter;
  dynamo: DynamoDbLocal;
  db: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  events: DynamoDbEventStore;
  snapshots: DynamoDbSnapshotStore;
  loader: AggregateLoader<S>;
  commands: CommandHandler<S, C>;
  bus: InProcessBus;
  poller: StreamPoller;
  dispatcher: Dispatcher<S>;
}

/** A projector as the stage runs it: its queue, read model and running totals. */
export interface LocalProjector<S> {
  projection: Projection<S>;
  projector: Projector<S>;
  queue: LocalQueue;
  /** Its queue's redrive DLQ, also its rule target's DLQ and the projector's own (one queue, as deployed). */
  deadLetterQueue: LocalQueue;
  readModel: DynamoDbReadModel;
  tableName: string;
  totals: Omit<ProjectReport, "batchItemFailures">;
}

/** A reactor as the stage runs it: its queue and DLQ (as the Reactor component deploys them), its schedules, its totals. */
export interface LocalReactor {
  reaction: Reaction;
  reactor: Reactor<unknown>;
  /** The service whose bus its rule is on. */
  sourceService: string;
  queue: LocalQueue;
  deadLetterQueue: LocalQueue;
  /** Commands it asked for later: EventBridge Scheduler's one-time schedules, on the stage's clock. */
  scheduler: InMemoryScheduler;
  /** Its schedules come due as Scheduler runs them: sent to the queue, or dead-lettered in Scheduler's shape. */
  deliveries: Record<ScheduledDelivery, number>;
  /** A delivery failure to inject for a due command's attempt (0 the first); none by default. */
  failDelivery?: (command: ScheduledCommand, attempt: number) => DeliveryFailure | undefined;
  totals: Omit<ReactReport, "batchItemFailures">;
}

/**
 * The whole pipeline on this machine with the real handler code: DynamoDB Local for ledger,
 * snapshots and read models; its real stream polled into the dispatcher; an in-process bus
 * routing by the rule patterns the components deploy; one at-least-once queue per projector.
 */
export class LocalStage<S, C> {
  readonly projectors: LocalProjector<S>[] = [];
  readonly reactors: LocalReactor[] = [];
  /** The clock the reactors' schedules run on. */
  clock: LocalClock = systemClock();
  /** Faults injected so far (SDK chaos), and invocations abandoned. */
  readonly faults = new FaultLog();
  /** The dispatcher mapping's on-failure destination (an S3 bucket when deployed): batches given up on, records included. */
  readonly failedBatches: FailedBatchRecord[] = [];
  crashes = 0;
  /** The dispatcher's dead-letter queue (its own letters: records it could not read or publish). */
  readonly dispatcherDeadLetters = new LocalQueue("dispatcher-dlq");
  private ownsDynamo = true;
  private readonly endpoints: LocalEndpoint[] = [];
  private queueChaos?: Random;
  /** The service the stage runs: its tables' prefix and its events' source. */
  serviceName = "";
  private crashRandom?: Random;
  private crashRate = 0;
  private remember = true;
  private queueMaxMessageBytes?: number;
  private maxReceiveCount = 5;
  readonly requests: RequestCounter;
  readonly dynamo: DynamoDbLocal;
  readonly db: DynamoDBDocumentClient;
  private readonly raw: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  readonly events: DynamoDbEventStore;
  readonly snapshots: DynamoDbSnapshotStore;
  readonly loader: AggregateLoader<S>;
  readonly commands: CommandHandler<S, C>;
  readonly bus: InProcessBus;
  readonly poller: StreamPoller;
  readonly dispatcher: Dispatcher<S>;

  private constructor(parts: StageParts<S, C>) {
    this.requests = parts.requests;
    this.dynamo = parts.dynamo;
    this.db = parts.db;
    this.raw = parts.raw;
    this.streams = parts.streams;
    this.events = parts.events;
    this.snapshots = parts.snapshots;
    this.loader = parts.loader;
    this.commands = parts.commands;
    this.bus = parts.bus;
    this.poller = parts.poller;
    this.dispatcher = parts.dispatcher;
  }

  static async start<S, C>(options: LocalStageOptions<S, C>): Promise<LocalStage<S, C>> {
    const dynamo = options.dynamo ?? (await DynamoDbLocal.start());
    try {
      return await LocalStage.assemble(options, dynamo);
    } catch (error) {
      // An emulator this stage started is stopped with it, whatever failed after it started.
      if (!options.dynamo) await dynamo.stop();
      throw error;
    }
  }

  private static async assemble<S, C>(options: LocalStageOptions<S, C>, dynamo: DynamoDbLocal): Promise<LocalStage<S, C>> {
    const raw = new DynamoDBClient(dynamo.config);
    const streams = new DynamoDBStreamsClient(dynamo.config);
    const tables = stageTables(options.serviceName);
    const streamArn = await createTable(raw, tables.ledger, LEDGER_TABLE);
    await createTable(raw, tables.snapshots, SNAPSHOT_TABLE);
    await createTable(raw, tables.idempotency, IDEMPOTENCY_TABLE);
    const requests = new RequestCounter();
    const db = countedDocumentClient(dynamo.config, requests);
    const random = options.chaos ? new Random(options.chaos.seed) : undefined;
    // Chaos refuses some PutEvents entries and fails some deliveries to queues (retried per the target's policy).
    const bus = new InProcessBus(random ? { refuse: { random, probability: 0.05 }, deliveryFaults: { random, probability: 0.02 } } : {});
    let stage: LocalStage<S, C> | undefined;
    const remember = options.remember ?? true;
    // The stage's command side and dispatcher come from the factories the Lambda entries use.
    const { dispatcher, snapshots } = dynamoDbDispatcher<S>({
      domain: options.domain as Domain<S, unknown>,
      client: db,
      ledgerTable: tables.ledger,
      snapshotTable: tables.snapshots,
      bus,
      deadLetters: new MessageDeadLetters((body, attributes) => void stage!.dispatcherDeadLetters.send(body, attributes)),
      source: options.serviceName,
      publications: options.publications,
      settings: {
        snapshotEvery: options.snapshotEvery ?? 100,
        publish: { backoffMs: 5 },
        ...(remember ? {} : { rememberedAggregates: 0, prefetchSnapshots: false }),
      },
    });
    const { commands, loader, events } = dynamoDbCommandSide<S, C>({
      domain: options.domain,
      client: db,
      ledgerTable: tables.ledger,
      idempotencyTable: tables.idempotency,
      snapshotTable: tables.snapshots,
      commands: commandMemory(remember),
    });
    const poller = new StreamPoller(
      streams,
      streamArn!,
      (records) => stage!.invoke(() => dispatcher.dispatch(records), records.length),
      async (record) => void stage!.failedBatches.push(record),
      { batchSize: options.batchSize ?? 100 },
    );
    stage = new LocalStage({ requests, dynamo, db, raw, streams, events, snapshots, loader, commands, bus, poller, dispatcher });
    stage.remember = remember;
    stage.queueMaxMessageBytes = options.queueMaxMessageBytes;
    stage.maxReceiveCount = options.maxReceiveCount ?? 5;
    stage.ownsDynamo = !options.dynamo;
    stage.serviceName = options.serviceName;
    if (options.clock) stage.clock = options.clock;
    if (options.sdkChaos) {
      const rates = options.sdkChaos.rates ?? DEFAULT_FAULT_RATES;
      const chaos = new Random(options.sdkChaos.seed * 7919 + 1);
      injectSdkFaults(db, chaos, rates, stage.faults);
      injectSdkFaults(streams, chaos, { ...rates, lostAnswer: 0 }, stage.faults);
      stage.crashRandom = chaos;
      stage.crashRate = options.sdkChaos.crash ?? 0.02;
    }
    stage.queueChaos = random;
    for (const projection of options.projections) await stage.addProjector(projection);
    return stage;
  }

  /**
   * A projector joins the running pipeline (its table, queue and rule, as `pulumi up` would add
   * them): it receives events published from now on; a replay backfills what came before.
   */
  async addProjector(projection: Projection<S>): Promise<LocalProjector<S>> {
    const tableName = `${this.serviceName}-${projection.name}`;
    await createTable(this.raw, tableName, READ_MODEL_TABLE);
    const random = this.queueChaos;
    // As the Projector component deploys them: one DLQ for the queue's redrive policy, the rule target and the projector's own letters.
    const deadLetterQueue = new LocalQueue(`${projection.name}-dlq`);
    const queue = new LocalQueue(projection.name, {
      redrive: { deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
      maxMessageBytes: this.queueMaxMessageBytes,
      chaos: random ? { random, duplicate: 0.2, delay: 0.2, reorder: true } : undefined,
    });
    this.bus.subscribe(projectorEventPattern(this.serviceName, projection.eventTypes, projection.name), queue, {
      ruleName: `${projection.name}-rule`,
      deadLetterQueue,
    });
    const { projector, readModel } = dynamoDbProjector<S>({
      projection,
      client: this.db,
      readModelTable: tableName,
      snapshotTable: this.snapshots.tableName,
      deadLetters: new MessageDeadLetters((body, attributes) => void deadLetterQueue.send(body, attributes)),
      settings: { rememberedVersions: this.remember ? undefined : 0 },
    });
    const local: LocalProjector<S> = {
      projection,
      projector,
      queue,
      deadLetterQueue,
      readModel,
      tableName,
      totals: { written: 0, stale: 0, skipped: 0, deadLettered: 0 },
    };
    this.projectors.push(local);
    return local;
  }

  /**
   * A reactor of this service joins the pipeline: its queue subscribes on `source` (its own bus, or
   * another service's) by the reaction's rule, as the Reactor component deploys it, and its commands
   * run on this service's ledger through the factory its Lambda uses.
   */
  addReactor(reaction: Reaction, source: { bus: InProcessBus; serviceName: string }): LocalReactor {
    const random = this.queueChaos;
    const deadLetterQueue = new LocalQueue(`${reaction.name}-dlq`);
    const queue = new LocalQueue(reaction.name, {
      redrive: { deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
      maxMessageBytes: this.queueMaxMessageBytes,
      chaos: random ? { random, duplicate: 0.2, delay: 0.2, reorder: true } : undefined,
    });
    source.bus.subscribe(reactionEventPattern(reaction), queue, { ruleName: `${reaction.name}-rule`, deadLetterQueue });
    const scheduler = new InMemoryScheduler();
    const tables = stageTables(this.serviceName);
    const { reactor } = dynamoDbReactor<unknown>({
      reaction,
      client: this.db,
      ledgerTable: tables.ledger,
      idempotencyTable: tables.idempotency,
      snapshotTable: tables.snapshots,
      scheduler,
      deadLetters: new MessageDeadLetters((body, attributes) => void deadLetterQueue.send(body, attributes)),
      commands: commandMemory(this.remember),
      now: () => this.clock.now(),
      maxReceiveCount: this.maxReceiveCount,
    });
    const local: LocalReactor = {
      reaction,
      reactor,
      sourceService: source.serviceName,
      queue,
      deadLetterQueue,
      scheduler,
      deliveries: { delivered: 0, "dead-lettered": 0, dropped: 0 },
      totals: { acted: 0, superseded: 0, skipped: 0, waiting: 0, applied: 0, repeated: 0, rejected: 0, scheduled: 0, deadLettered: 0 },
    };
    this.reactors.push(local);
    return local;
  }

  /** Every queue of the stage: the projectors' and reactors' queues and every dead-letter queue. */
  get queues(): LocalQueue[] {
    return [
      this.dispatcherDeadLetters,
      ...this.projectors.flatMap((local) => [local.queue, local.deadLetterQueue]),
      ...this.reactors.flatMap((local) => [local.queue, local.deadLetterQueue]),
    ];
  }

  /** The dead-letter queues: the dispatcher's, then each projector's, then each reactor's. */
  get deadLetterQueues(): LocalQueue[] {
    return [
      this.dispatcherDeadLetters,
      ...this.projectors.map((local) => local.deadLetterQueue),
      ...this.reactors.map((local) => local.deadLetterQueue),
    ];
  }

  /** Commands asked for later that have not come due yet. */
  get scheduledCommands(): number {
    return this.reactors.reduce((sum, local) => sum + local.scheduler.waiting, 0);
  }

  /** Every dead letter held, whatever its shape, as a line each. */
  get deadLetters(): HeldDeadLetter[] {
    return this.deadLetterQueues.flatMap((queue) =>
      queue.peek().map((message) => {
        const shape = shapeOf(message);
        return {
          queue: queue.name,
          messageId: message.messageId,
          shape: shape.kind,
          origin: shape.kind === "handler" ? shape.origin : `queue:${queue.name}`,
          reason: describeShape(shape),
        };
      }),
    );
  }

  /** A dead-letter queue of the stage (by name) as the redrive reads it. */
  deadLetterQueue(name: string): LocalDeadLetterQueue {
    const queue = this.deadLetterQueues.find((candidate) => candidate.name === name);
    if (!queue)
      throw new Error(
        `no dead-letter queue "${name}" (the stage has ${this.deadLetterQueues.map((candidate) => candidate.name).join(", ")})`,
      );
    return new LocalDeadLetterQueue(queue, () => this.queues);
  }

  /** Where the stage's redriven letters go: its queues, and replays through its command side. */
  get redriveTargets(): LocalRedriveTargets {
    return new LocalRedriveTargets(
      () => this.queues,
      async (aggregateId, idempotencyKey, republish) =>
        void (await (republish
          ? this.commands.republish(aggregateId, republish, { idempotencyKey })
          : this.commands.replay(aggregateId, undefined, { idempotencyKey }))),
    );
  }

  /** Redrives a dead-letter queue's letters (see redriveDeadLetters), then lets the pipeline settle. */
  async redrive(queueName: string, options: RedriveOptions = {}): Promise<RedriveReport> {
    const report = await redriveDeadLetters(this.deadLetterQueue(queueName), this.redriveTargets, {
      ledgerTable: this.events.tableName,
      ...options,
    });
    await this.settle();
    return report;
  }

  /** Runs stream → dispatcher → bus → queues → projectors until nothing moves. */
  async settle(): Promise<void> {
    while ((await this.step()) > 0);
  }

  /**
   * One pass: the stream drained into the dispatcher, the schedules come due sent to their reactors'
   * queues, then every projector's and reactor's queue at once. How much moved.
   */
  async step(): Promise<number> {
    const dispatched = await this.poller.drain();
    let due = 0;
    for (const local of this.reactors)
      for (const command of local.scheduler.due(this.clock.now())) {
        const target = { queue: local.queue, deadLetterQueue: local.deadLetterQueue, groupName: `${local.reaction.name}-schedules` };
        local.deliveries[deliverScheduled(command, target, local.failDelivery)] += 1;
        due += 1;
      }
    const moved = await Promise.all([
      ...this.projectors.map((local) => this.drainQueue(local)),
      ...this.reactors.map((local) => this.drainReactorQueue(local)),
    ]);
    return moved.reduce((sum, count) => sum + count, dispatched + due);
  }

  /** A reactor's queue, batch after batch, until it is empty (a message waiting for an older one comes back later). */
  private async drainReactorQueue(local: LocalReactor): Promise<number> {
    let handled = 0;
    while (local.queue.depth > 0) {
      const batch = local.queue.receive(10);
      // As Lambda gives SQS records: with how often each was received.
      const records = batch.map((message) => ({
        messageId: message.messageId,
        body: message.body,
        attributes: { ApproximateReceiveCount: String(message.receiveCount) },
      }));
      const report = await this.invoke(() => local.reactor.react(records), batch.length).catch(() => undefined);
      const failed = report ? report.batchItemFailures.map((failure) => failure.itemIdentifier) : batch.map((message) => message.messageId);
      await local.queue.settle(batch, new Set(failed));
      if (report) for (const key of Object.keys(local.totals) as (keyof LocalReactor["totals"])[]) local.totals[key] += report[key];
      handled += batch.length;
    }
    return handled;
  }

  /** A projector's queue, batch after batch, until it is empty. */
  private async drainQueue(local: LocalProjector<S>): Promise<number> {
    let projected = 0;
    while (local.queue.depth > 0) {
      const batch = local.queue.receive(10);
      const report = await this.invoke(() => local.projector.project(batch), batch.length).catch(() => undefined);
      // A thrown or abandoned invocation fails its whole batch: every message comes back.
      const failed = report ? report.batchItemFailures.map((failure) => failure.itemIdentifier) : batch.map((message) => message.messageId);
      await local.queue.settle(batch, new Set(failed));
      if (report) for (const key of ["written", "stale", "skipped", "deadLettered"] as const) local.totals[key] += report[key];
      projected += batch.length;
    }
    return projected;
  }

  /**
   * One handler invocation. With SDK chaos some are abandoned midway, as when Lambda times out:
   * the caller sees a failure for the whole batch while the abandoned work may still land.
   */
  invoke<T>(handler: () => Promise<T>, size: number): Promise<T> {
    const running = handler();
    if (!this.crashRandom || size === 0 || !this.crashRandom.chance(this.crashRate)) return running;
    this.crashes += 1;
    running.catch(() => undefined);
    return new Promise((_resolve, reject) =>
      setTimeout(() => reject(new Error("injected: invocation abandoned (timeout)")), this.crashRandom!.integer(0, 3)),
    );
  }

  /**
   * What an operator runs after an outage that exhausted the dispatcher's retries: replays every
   * aggregate the failed batches touched, then lets the pipeline settle.
   */
  async recoverFailedBatches(): Promise<RecoveryReport> {
    const taken = this.failedBatches.splice(0);
    async function* bodies() {
      for (const [index, record] of taken.entries()) yield { source: `failed batch ${index}`, body: JSON.stringify(record) };
    }
    const report = await recoverFailedBatches(bodies(), (id) => this.commands.replay(id), { ledgerTable: this.events.tableName });
    await this.settle();
    return report;
  }

  /**
   * Serves the CommandApi Lambda handler (the deployed function's code) on localhost, configured as
   * the component configures it: the ledger, its idempotency table, and the "replica" projector's
   * table when the stage has one, else the snapshot table.
   */
  async serveCommandApi(port = 0, api: { replica?: string; start?: StartPolicy } = { replica: "replica" }): Promise<LocalEndpoint> {
    const replica = api.replica ? this.projectors.find((local) => local.projection.name === api.replica) : undefined;
    const tables = stageTables(this.serviceName);
    const settings: CommandApiFunctionSettings = {
      ...commandMemory(this.remember),
      ...(api.start ? { start: api.start } : {}),
      ledgerTable: tables.ledger,
      idempotencyTable: tables.idempotency,
      ...(replica ? { replicaTable: replica.tableName } : { snapshotTable: tables.snapshots }),
    };
    const handler = createCommandApiHandler(
      this.loader.domain as Domain<S, C>,
      { dynamodb: this.requests.watch(new DynamoDBClient(this.dynamo.config)) },
      undefined,
      () => settings,
    );
    const endpoint = await serveLambda(handler, port);
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /** Deletes every row of a read model (what an operator fixing a broken projection would do). */
  async wipe(local: LocalProjector<S>): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, any> | undefined;
    do {
      const page = await this.raw.send(
        new ScanCommand({ TableName: local.tableName, ExclusiveStartKey: startKey, ProjectionExpression: PROJECTION_PARTITION_KEY }),
      );
      for (const item of page.Items ?? []) {
        await this.raw.send(
          new DeleteItemCommand({ TableName: local.tableName, Key: { [PROJECTION_PARTITION_KEY]: item[PROJECTION_PARTITION_KEY] } }),
        );
        deleted += 1;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  async stop(): Promise<void> {
    for (const endpoint of this.endpoints.splice(0)) await endpoint.close();
    this.raw.destroy();
    this.streams.destroy();
    this.db.destroy();
    if (this.ownsDynamo) await this.dynamo.stop();
  }
}
