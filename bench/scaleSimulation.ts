/**
 * npm run bench:scale [-- --seed N]
 * A seeded discrete-event simulation of the pipeline on AWS, with the quotas of docs/scale.md as
 * parameters: commands write the ledger, whose records reach the stream's shards; the dispatcher's
 * event source mapping polls each shard four times a second and runs up to `parallelizationFactor`
 * batches per shard at once (records of one aggregate always in the same one); each batch folds,
 * then publishes with PutEvents under the regional quota; EventBridge delivers each event to the
 * queue of every projector whose rule matches, under the regional invocations quota; Lambda's SQS
 * pollers start at 5 concurrent batches and add up to 300 a minute, up to the projector's
 * `maximumConcurrency`; every invocation takes one of the account's concurrent executions. Service
 * times come from the local bench's measurements. Lag is the time from the ledger write to the last
 * read-model row written for the event. Deterministic for a seed: no clock, no I/O.
 */
import { DEFAULT_MAXIMUM_CONCURRENCY, DEFAULT_QUEUE_BATCH_SIZE } from "../components/queueWithDeadLetter";
import { Random } from "../local/random";
import { CostLine, FUNCTION_MEMORY_MB, LOG_BYTES, lineCost } from "./cost";

export interface DispatcherSettings {
  /** Stream records per invocation (the mapping's BatchSize). */
  batchSize: number;
  /** Seconds the mapping waits to fill a batch. */
  batchingWindowSeconds: number;
  /** Batches per shard processed at once (the mapping's ParallelizationFactor, 1 to 10). */
  parallelizationFactor: number;
  /** Milliseconds of an invocation: fixed part and per record. */
  baseMs: number;
  perRecordMs: number;
}

export interface ProjectorSettings {
  /** Messages per invocation. */
  batchSize: number;
  /** Seconds the SQS poller waits to fill a batch (0: a batch goes as soon as a poller has messages). */
  batchingWindowSeconds: number;
  /** Concurrent invocations at most (the mapping's ScalingConfig MaximumConcurrency, 2 to 1,000). */
  maximumConcurrency: number;
  /**
   * Pollers already scaled out to `maximumConcurrency` (a sustained load), instead of starting at 5
   * concurrent batches and adding up to 300 a minute (a sudden jump from idle).
   */
  warm: boolean;
  baseMs: number;
  perMessageMs: number;
}

export interface SimulationSettings {
  seed: number;
  /** Commands per second (Poisson arrivals), each appending one event. */
  commandsPerSecond: number;
  /** Aggregates the commands spread over, uniformly. */
  aggregates: number;
  /** Seconds of arrivals; the simulation then runs until everything is projected or `drainSeconds` more have passed. */
  seconds: number;
  drainSeconds: number;
  /** Write units per event on the ledger (a 2-item transaction today: 4). */
  writeUnitsPerEvent: number;
  /** Stream shards: by default one per 1,000 write units a second of ledger writes (a partition's limit). */
  streamShards?: number;
  /** Milliseconds from the ledger write until its record can be read from the stream. */
  streamLatencyMs: number;
  /** The mapping polls each shard every this many milliseconds (4 times a second). */
  pollIntervalMs: number;
  dispatcher: DispatcherSettings;
  /** PutEvents calls (or entries, with `quotaCounts: "entry"`) the region accepts per second; 10 entries per call. */
  putEvents: { perSecond: number; quotaCounts: "call" | "entry"; latencyMs: number };
  /** EventBridge: milliseconds from PutEvents to the queue, and rule-target invocations the region delivers per second. */
  bus: { latencyMs: number; invocationsPerSecond: number };
  /** Concurrent executions of the account's functions together. */
  accountConcurrency: number;
  /** Read models, and the share of events each one's rule matches. */
  projectors: { name: string; share: number }[];
  projector: ProjectorSettings;
  /** Milliseconds of the CommandApi's invocation and its DynamoDB units per command, for the cost. */
  command: { ms: number; writeUnits: number; readUnits: number };
}

export interface SimulationReport {
  events: number;
  completed: number;
  lagSeconds: { p50: number; p99: number; max: number };
  /** Events written but not yet in every read model when the arrivals ended. */
  backlogAtEnd: number;
  throttles: { putEvents: number; busInvocations: number; lambda: number };
  dispatcher: { invocations: number; billedMs: number; peakConcurrency: number };
  projectors: { invocations: number; billedMs: number; peakConcurrency: number };
  putEvents: { calls: number; entries: number };
  deliveries: number;
  /** Published events per second measured over the arrival window. */
  publishedPerSecond: number;
  costPerHour: number;
  shards: number;
}

/** A binary heap of timed actions; ties run in the order they were scheduled. */
class Timeline {
  private readonly heap: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  now = 0;

  at(time: number, run: () => void): void {
    const entry = { at: time, seq: this.seq++, run };
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  /** Runs actions in time order until none is left or the next is after `until`. */
  run(until: number): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0].at <= until) {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const left = 2 * i + 1;
          const right = left + 1;
          let least = i;
          if (left < heap.length && before(heap[left], heap[least])) least = left;
          if (right < heap.length && before(heap[right], heap[least])) least = right;
          if (least === i) break;
          [heap[i], heap[least]] = [heap[least], heap[i]];
          i = least;
        }
      }
      this.now = top.at;
      top.run();
    }
  }
}

const before = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * A rate limit of `perSecond` with a burst of one second's worth (a token bucket, as a generic cell
 * rate): the time a request of `cost` tokens asked for at `now` may go.
 */
export class RateLimit {
  private theoretical = 0;
  constructor(private readonly perSecond: number) {}

  /** When a request of `cost` asked at `now` (seconds) goes; later than `now` means it was throttled first. */
  admit(now: number, cost = 1): number {
    const at = Math.max(now, this.theoretical - 1);
    this.theoretical = Math.max(this.theoretical, at) + cost / this.perSecond;
    return at;
  }
}

/** A FIFO of event indices with the time each becomes available, read from a moving head. */
class Fifo {
  readonly ids: number[] = [];
  readonly ready: number[] = [];
  head = 0;

  push(id: number, readyAt: number): void {
    this.ids.push(id);
    this.ready.push(readyAt);
  }
  get length(): number {
    return this.ids.length - this.head;
  }
  /** Items ready by `now`, at most `limit`. */
  available(now: number, limit: number): number {
    let count = 0;
    while (count < limit && this.head + count < this.ids.length && this.ready[this.head + count] <= now) count += 1;
    return count;
  }
  /** The batch an event source mapping invokes now: the items ready, once they fill a batch or the oldest has waited the batching window; else 0. */
  batchDue(now: number, batchSize: number, windowSeconds: number): number {
    const count = this.available(now, batchSize);
    if (count === 0 || (count < batchSize && now - this.oldestReady() < windowSeconds)) return 0;
    return count;
  }
  take(count: number): number[] {
    const taken = this.ids.slice(this.head, this.head + count);
    this.head += count;
    if (this.head > 4096 && this.head * 2 > this.ids.length) {
      this.ids.splice(0, this.head);
      this.ready.splice(0, this.head);
      this.head = 0;
    }
    return taken;
  }
  oldestReady(): number {
    return this.ready[this.head];
  }
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Runs the simulation for `settings`; the same settings give the same report. */
export function simulate(settings: SimulationSettings): SimulationReport {
  const random = new Random(settings.seed);
  const timeline = new Timeline();
  const shards = settings.streamShards ?? Math.max(1, Math.ceil((settings.commandsPerSecond * settings.writeUnitsPerEvent) / 1000));
  const { dispatcher, projector } = settings;
  const lanes = Array.from({ length: shards * dispatcher.parallelizationFactor }, () => ({ queue: new Fifo(), busy: false }));
  const putEventsQuota = new RateLimit(settings.putEvents.perSecond);
  const invocationsQuota = new RateLimit(settings.bus.invocationsPerSecond);
  const startConcurrency = projector.warm ? Math.min(projector.maximumConcurrency, 1000) : Math.min(5, projector.maximumConcurrency);
  const queues = settings.projectors.map(() => ({ queue: new Fifo(), inFlight: 0, concurrency: startConcurrency }));
  const committed: number[] = [];
  const pending: number[] = [];
  const done: boolean[] = [];
  const lags: number[] = [];
  const report: SimulationReport = {
    events: 0,
    completed: 0,
    lagSeconds: { p50: 0, p99: 0, max: 0 },
    backlogAtEnd: 0,
    throttles: { putEvents: 0, busInvocations: 0, lambda: 0 },
    dispatcher: { invocations: 0, billedMs: 0, peakConcurrency: 0 },
    projectors: { invocations: 0, billedMs: 0, peakConcurrency: 0 },
    putEvents: { calls: 0, entries: 0 },
    deliveries: 0,
    publishedPerSecond: 0,
    costPerHour: 0,
    shards,
  };
  let running = 0;
  let dispatching = 0;
  let projecting = 0;
  let published = 0;
  const jitter = () => 0.8 + 0.4 * random.next();
  const complete = (id: number) => {
    done[id] = true;
    lags.push(timeline.now - committed[id]);
    report.completed += 1;
  };

  // Commands: Poisson arrivals; the aggregate's shard and, within it, its lane (same aggregate, same lane).
  const arrive = () => {
    const id = committed.length;
    const aggregate = random.integer(0, settings.aggregates - 1);
    committed.push(timeline.now);
    pending.push(0);
    done.push(false);
    report.events += 1;
    const shard = aggregate % shards;
    const lane = shard * dispatcher.parallelizationFactor + (Math.floor(aggregate / shards) % dispatcher.parallelizationFactor);
    lanes[lane].queue.push(id, timeline.now + settings.streamLatencyMs / 1000);
    const next = timeline.now - Math.log(1 - random.next()) / settings.commandsPerSecond;
    if (next < settings.seconds) timeline.at(next, arrive);
  };
  timeline.at(0, arrive);

  // The stream mapping: every poll, each idle lane with a full batch (or one older than the window) is invoked.
  const end = settings.seconds + settings.drainSeconds;
  const startLane = (lane: (typeof lanes)[number]) => {
    if (lane.busy || lane.queue.length === 0) return;
    const count = lane.queue.batchDue(timeline.now, dispatcher.batchSize, dispatcher.batchingWindowSeconds);
    if (count === 0) return;
    if (running >= settings.accountConcurrency) {
      report.throttles.lambda += 1;
      return;
    }
    const batch = lane.queue.take(count);
    lane.busy = true;
    running += 1;
    dispatching += 1;
    report.dispatcher.peakConcurrency = Math.max(report.dispatcher.peakConcurrency, dispatching);
    // Fold, then publish in calls of 10, each admitted by the regional quota (a throttled call waits and goes again).
    let at = timeline.now + ((dispatcher.baseMs + dispatcher.perRecordMs * count) * jitter()) / 1000;
    for (let first = 0; first < count; first += 10) {
      const entries = Math.min(10, count - first);
      const admitted = putEventsQuota.admit(at, settings.putEvents.quotaCounts === "entry" ? entries : 1);
      if (admitted > at) report.throttles.putEvents += 1;
      at = admitted + settings.putEvents.latencyMs / 1000;
      report.putEvents.calls += 1;
      report.putEvents.entries += entries;
    }
    const started = timeline.now;
    timeline.at(at, () => {
      lane.busy = false;
      running -= 1;
      dispatching -= 1;
      report.dispatcher.invocations += 1;
      report.dispatcher.billedMs += Math.ceil((timeline.now - started) * 1000);
      for (const id of batch) deliver(id);
      // A shard with records waiting goes on at once; an idle one waits for the next poll.
      startLane(lane);
    });
  };
  const poll = () => {
    for (const lane of lanes) startLane(lane);
    if (timeline.now < end) timeline.at(timeline.now + settings.pollIntervalMs / 1000, poll);
  };
  timeline.at(0, poll);

  // EventBridge: each event to every projector whose rule matches, each delivery under the invocations quota.
  const deliver = (id: number) => {
    if (timeline.now <= settings.seconds) published += 1;
    settings.projectors.forEach(({ share }, index) => {
      if (share < 1 && !random.chance(share)) return;
      const wanted = timeline.now + settings.bus.latencyMs / 1000;
      const admitted = invocationsQuota.admit(wanted);
      if (admitted > wanted) report.throttles.busInvocations += 1;
      pending[id] += 1;
      report.deliveries += 1;
      queues[index].queue.push(id, admitted);
    });
    if (pending[id] === 0) complete(id);
  };

  // Lambda's SQS pollers: up to the queue's current concurrency, which grows by 300 a minute while messages wait.
  const tick = 0.05;
  const drain = () => {
    for (const state of queues) {
      if (state.queue.length > 0 && state.queue.oldestReady() <= timeline.now) {
        state.concurrency = Math.min(projector.maximumConcurrency, 1000, state.concurrency + (300 / 60) * tick);
      }
      while (state.inFlight < Math.floor(state.concurrency) && state.queue.length > 0) {
        const count = state.queue.batchDue(timeline.now, projector.batchSize, projector.batchingWindowSeconds);
        if (count === 0) break;
        if (running >= settings.accountConcurrency) {
          report.throttles.lambda += 1;
          break;
        }
        const batch = state.queue.take(count);
        state.inFlight += 1;
        running += 1;
        projecting += 1;
        report.projectors.peakConcurrency = Math.max(report.projectors.peakConcurrency, projecting);
        const ms = (projector.baseMs + projector.perMessageMs * count) * jitter();
        timeline.at(timeline.now + ms / 1000, () => {
          state.inFlight -= 1;
          running -= 1;
          projecting -= 1;
          report.projectors.invocations += 1;
          report.projectors.billedMs += Math.ceil(ms);
          for (const id of batch) {
            pending[id] -= 1;
            if (pending[id] === 0) complete(id);
          }
        });
      }
    }
    if (timeline.now < end) timeline.at(timeline.now + tick, drain);
  };
  timeline.at(0, drain);

  timeline.run(settings.seconds);
  report.backlogAtEnd = report.events - report.completed;
  timeline.run(end);

  // Events never projected count with the lag they had when the simulation stopped.
  const incomplete = report.events - report.completed;
  const all = new Float64Array(lags.length + incomplete);
  all.set(lags);
  let next = lags.length;
  for (let id = 0; id < committed.length && next < all.length; id += 1) if (!done[id]) all[next++] = end - committed[id];
  all.sort();
  report.lagSeconds = { p50: percentile(all, 0.5), p99: percentile(all, 0.99), max: all.length ? all[all.length - 1] : 0 };
  report.publishedPerSecond = published / settings.seconds;
  report.costPerHour = costPerHour(settings, report);
  return report;
}

/** Dollars an hour at this rate: the run's counts priced with the cost model, scaled to 3,600 seconds of arrivals. */
function costPerHour(settings: SimulationSettings, report: SimulationReport): number {
  const invocations = report.events + report.dispatcher.invocations + report.projectors.invocations;
  const lines: CostLine[] = [
    {
      kind: "lambda",
      component: "CommandApi",
      invocations: report.events,
      billedMs: report.events * Math.ceil(settings.command.ms),
      memoryMb: FUNCTION_MEMORY_MB.commandApi,
    },
    {
      kind: "dynamodb",
      component: "command side",
      requests: report.events,
      writeUnits: report.events * settings.command.writeUnits,
      readUnits: report.events * settings.command.readUnits,
    },
    {
      kind: "lambda",
      component: "dispatcher",
      invocations: report.dispatcher.invocations,
      billedMs: report.dispatcher.billedMs,
      memoryMb: FUNCTION_MEMORY_MB.dispatcher,
    },
    { kind: "eventbridge", component: "PutEvents", calls: report.putEvents.calls, entryChunks: report.putEvents.entries },
    { kind: "sqs", component: "queues", requestChunks: report.deliveries + 2 * report.projectors.invocations },
    {
      kind: "lambda",
      component: "projectors",
      invocations: report.projectors.invocations,
      billedMs: report.projectors.billedMs,
      memoryMb: FUNCTION_MEMORY_MB.projector,
    },
    { kind: "dynamodb", component: "read models", requests: report.deliveries, writeUnits: report.deliveries, readUnits: 0 },
    { kind: "logs", component: "logs", bytes: invocations * (LOG_BYTES.platform + LOG_BYTES.application) },
  ];
  return (lines.reduce((sum, line) => sum + lineCost(line), 0) * 3600) / settings.seconds;
}

/**
 * The defaults: the quotas of docs/scale.md (us-east-1), the components' default settings, and
 * service times measured by `npm run bench`'s cost section on DynamoDB Local (2026-12-01: a
 * dispatcher batch of 100 records took about 250 ms, a projector batch of 10 about 75 ms, a
 * command about 15 ms; AWS's DynamoDB answers in a few ms, so these are on the slow side).
 */
export const DEFAULTS: SimulationSettings = {
  seed: 1,
  // Today's workload: what the local-stage section drives (about 400 events a second on 200 accounts).
  commandsPerSecond: 400,
  aggregates: 200,
  seconds: 60,
  drainSeconds: 240,
  writeUnitsPerEvent: 4,
  streamLatencyMs: 100,
  pollIntervalMs: 250,
  dispatcher: { batchSize: 100, batchingWindowSeconds: 1, parallelizationFactor: 1, baseMs: 20, perRecordMs: 2.3 },
  putEvents: { perSecond: 10_000, quotaCounts: "call", latencyMs: 20 },
  bus: { latencyMs: 250, invocationsPerSecond: 18_750 },
  accountConcurrency: 1_000,
  projectors: [
    { name: "balances", share: 1 },
    { name: "last-transaction", share: 0.93 },
    { name: "replica", share: 1 },
  ],
  projector: {
    batchSize: DEFAULT_QUEUE_BATCH_SIZE,
    batchingWindowSeconds: 0,
    maximumConcurrency: DEFAULT_MAXIMUM_CONCURRENCY,
    warm: true,
    baseMs: 8,
    perMessageMs: 7,
  },
  command: { ms: 15, writeUnits: 4, readUnits: 0.5 },
};

/** The settings the sweep varies. */
export interface Knobs {
  parallelizationFactor: number;
  dispatcherBatchSize: number;
  maximumConcurrency: number;
  projectorBatchSize: number;
}

export const withKnobs = (base: SimulationSettings, knobs: Knobs): SimulationSettings => ({
  ...base,
  dispatcher: { ...base.dispatcher, parallelizationFactor: knobs.parallelizationFactor, batchSize: knobs.dispatcherBatchSize },
  projector: {
    ...base.projector,
    maximumConcurrency: knobs.maximumConcurrency,
    batchSize: knobs.projectorBatchSize,
    // Lambda refuses an SQS batch above 10 without a batching window of at least a second.
    batchingWindowSeconds:
      knobs.projectorBatchSize > 10 ? Math.max(1, base.projector.batchingWindowSeconds) : base.projector.batchingWindowSeconds,
  },
});

/**
 * Lag stays under a minute: the 99th percentile below 60 s, and the backlog when the arrivals end
 * under a minute of them (a lag still growing past a minute fails even in a short window).
 */
export const keepsUp = (settings: SimulationSettings, report: SimulationReport): boolean =>
  report.lagSeconds.p99 < 60 && report.backlogAtEnd < settings.commandsPerSecond * 60;

/** The components' defaults, as DEFAULTS holds them. */
const DEFAULT_KNOBS: Knobs = {
  parallelizationFactor: DEFAULTS.dispatcher.parallelizationFactor,
  dispatcherBatchSize: DEFAULTS.dispatcher.batchSize,
  maximumConcurrency: DEFAULTS.projector.maximumConcurrency,
  projectorBatchSize: DEFAULTS.projector.batchSize,
};
const GRID = {
  parallelizationFactor: [1, 2, 5, 10],
  dispatcherBatchSize: [100, 1000],
  maximumConcurrency: [5, 20, 100, 1000],
  projectorBatchSize: [10, 100],
};

function row(label: string, knobs: Knobs, settings: SimulationSettings, report: SimulationReport): string {
  const lag = report.lagSeconds;
  return `| ${label} | ${knobs.parallelizationFactor} | ${knobs.dispatcherBatchSize} | ${knobs.maximumConcurrency} | ${knobs.projectorBatchSize} | ${lag.p50.toFixed(1)} | ${lag.p99.toFixed(1)} | ${lag.max.toFixed(1)} | ${report.throttles.putEvents} | ${report.throttles.busInvocations} | ${report.throttles.lambda} | ${report.dispatcher.peakConcurrency} + ${report.projectors.peakConcurrency} | $${report.costPerHour.toFixed(2)} | ${keepsUp(settings, report) ? "yes" : "no"} |`;
}

/** The sweep at today's workload, 10× and 100×: one setting at a time from the defaults, then the cheapest combination that keeps up. */
export function sweep(seed: number, out: (line: string) => void): void {
  const loads = [
    { name: "today", factor: 1 },
    { name: "10×", factor: 10 },
    { name: "100×", factor: 100 },
  ];
  for (const load of loads) {
    const base: SimulationSettings = {
      ...DEFAULTS,
      seed,
      commandsPerSecond: DEFAULTS.commandsPerSecond * load.factor,
      aggregates: DEFAULTS.aggregates * load.factor,
      // The busiest load runs a shorter window: its backlog criterion still tells a growing lag.
      seconds: load.factor >= 100 ? 20 : DEFAULTS.seconds,
    };
    const shards = Math.max(1, Math.ceil((base.commandsPerSecond * base.writeUnitsPerEvent) / 1000));
    out("");
    out(
      `### ${load.name}: ${base.commandsPerSecond.toLocaleString("en")} commands/s on ${base.aggregates.toLocaleString("en")} aggregates, ${shards} stream shards, ${base.seconds} s of arrivals (seed ${seed})`,
    );
    out("");
    out(
      "| run | parallelization factor | dispatcher batch | projector max concurrency | projector batch | lag p50 s | lag p99 s | lag max s | PutEvents throttled | EventBridge deliveries delayed | Lambda throttles | peak concurrency (dispatcher + projectors) | $ per hour | lag < 1 min |",
    );
    out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    const run = (label: string, knobs: Knobs, settings = base) => {
      const withSettings = withKnobs(settings, knobs);
      const report = simulate(withSettings);
      out(row(label, knobs, withSettings, report));
      return { knobs, report, settings: withSettings };
    };
    run("defaults", DEFAULT_KNOBS);
    for (const [name, values] of Object.entries(GRID) as [keyof Knobs, number[]][]) {
      for (const value of values) if (value !== DEFAULT_KNOBS[name]) run(`${name} ${value}`, { ...DEFAULT_KNOBS, [name]: value });
    }
    const combos: Knobs[] = [];
    for (const parallelizationFactor of GRID.parallelizationFactor)
      for (const dispatcherBatchSize of GRID.dispatcherBatchSize)
        for (const maximumConcurrency of GRID.maximumConcurrency)
          for (const projectorBatchSize of GRID.projectorBatchSize)
            combos.push({ parallelizationFactor, dispatcherBatchSize, maximumConcurrency, projectorBatchSize });
    const results = combos.map((knobs) => {
      const settings = withKnobs(base, knobs);
      return { knobs, settings, report: simulate(settings) };
    });
    const passing = results.filter((result) => keepsUp(result.settings, result.report));
    const cheapest = [...passing].sort(
      (a, b) => a.report.costPerHour - b.report.costPerHour || a.report.lagSeconds.p99 - b.report.lagSeconds.p99,
    )[0];
    if (cheapest) {
      out(row("cheapest that keeps up", cheapest.knobs, cheapest.settings, cheapest.report));
      const cold = { ...cheapest.settings, projector: { ...cheapest.settings.projector, warm: false } };
      out(row("the same, pollers starting cold", cheapest.knobs, cold, simulate(cold)));
    }
    out("");
    out(`${passing.length} of ${results.length} combinations keep lag under a minute.`);
    if (!cheapest || load.factor >= 100) {
      // What the quotas would have to be: the account's concurrency and EventBridge's invocations raised.
      const raised: SimulationSettings = { ...base, bus: { ...base.bus, invocationsPerSecond: 150_000 }, accountConcurrency: 5_000 };
      const best = combos
        .map((knobs) => ({ knobs, settings: withKnobs(raised, knobs) }))
        .map((candidate) => ({ ...candidate, report: simulate(candidate.settings) }))
        .filter((result) => keepsUp(result.settings, result.report))
        .sort((a, b) => a.report.costPerHour - b.report.costPerHour)[0];
      out(
        best
          ? `With EventBridge invocations raised to 150,000/s and the account's concurrency to 5,000: ${row("raised quotas", best.knobs, best.settings, best.report)}`
          : "Even with EventBridge invocations at 150,000/s and 5,000 concurrent executions no combination keeps up.",
      );
      const entries = withKnobs({ ...raised, putEvents: { ...raised.putEvents, quotaCounts: "entry" } }, best?.knobs ?? DEFAULT_KNOBS);
      const perEntry = simulate(entries);
      out(
        `If the PutEvents quota counts entries rather than calls (10,000 entries/s): ${row("quota per entry", best?.knobs ?? DEFAULT_KNOBS, entries, perEntry)}`,
      );
    }
  }
}

if (require.main === module) {
  const seedAt = process.argv.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(process.argv[seedAt + 1]) : DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed takes an integer, got ${process.argv[seedAt + 1]}`);
  sweep(seed, (line) => process.stdout.write(line + "\n"));
}
