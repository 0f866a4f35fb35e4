/**
 * The development loop of the local stage: a Pulumi program's own services run on this machine
 * with their real handler code (DynamoDB Local for the tables and the stream, an in-process bus and
 * queues), each CommandApi served on localhost, and the program's modules loaded again when a file
 * under it changes. What `event-ledger dev` and `npm start -- --serve` run.
 */
import { watch } from "node:fs";
import * as path from "node:path";
import { DynamoDbLocal } from "./dynamodbLocal";
import { LocalEndpoint } from "./httpServer";
import { onExit, processLifecycle } from "./lifecycle";
import { LocalNetwork } from "./network";
import { requirePrerequisites } from "./prerequisites";
import { ProgramPlan, discoverProgram } from "./program";

export interface DevOptions {
  /** The Pulumi program (its index.ts). Default "index.ts". */
  program?: string;
  /** The first CommandApi's port; the next ones count up from it. Default 3000. */
  port?: number;
  /** Load the program again when a file under its folder changes. Default true. */
  watch?: boolean;
  /** Where the loop says what it does. Default standard output. */
  say?: (line: string) => void;
}

/** What runs now: the network of the program's services and the endpoints of its command APIs. */
interface Running {
  network: LocalNetwork;
  endpoints: LocalEndpoint[];
}

/**
 * Runs the program's services until a signal stops the process (the lifecycle's cleanups stop the
 * pipeline, the servers and DynamoDB Local). Resolves only with an exit code on a failure to start.
 */
export async function runDev(options: DevOptions = {}): Promise<number> {
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const program = path.resolve(options.program ?? "index.ts");
  const port = options.port ?? 3000;
  // Every exit path (a signal, a crash) stops what it starts; a no-op when the caller installed it already.
  processLifecycle({ name: "event-ledger dev", portFlag: "--port" });
  requirePrerequisites();
  process.env.LOG_LEVEL ??= "error";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const dynamo = await DynamoDbLocal.start();
  /** What runs now; none while a changed program does not load. */
  let running: Running | undefined = await start(program, dynamo, port, say);
  /** The last network that ran: what its queues and schedules held in memory goes on in the next. */
  let previous = running.network;
  let settling: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pump = setInterval(() => {
    settling = settling
      .then(() => (stopped || !running ? undefined : running.network.settle()))
      .catch((error) => say(`pipeline: ${(error as Error).message}`));
  }, 250);
  const watcher =
    options.watch === false
      ? undefined
      : watchProgram(program, () => {
          settling = settling.then(async () => {
            say(`${path.relative(process.cwd(), program)} changed: loading it again`);
            if (running) await stopRunning(running);
            running = await start(program, dynamo, port, say).catch((error) => {
              say(`cannot load the program: ${(error as Error).message}; waiting for the next change`);
              return undefined;
            });
            if (!running) return;
            for (const line of running.network.takeOver(previous)) say(`  lost with the reload: ${line}`);
            previous = running.network;
          });
        });
  onExit("the dev loop", async () => {
    stopped = true;
    clearInterval(pump);
    watcher?.close();
    await settling;
    if (running) await stopRunning(running);
    say("stopped");
  });
  // Ends only through the lifecycle: a signal runs the cleanups and exits 130, 143 or 129.
  return new Promise<number>(() => undefined);
}

async function start(program: string, dynamo: DynamoDbLocal, port: number, say: (line: string) => void): Promise<Running> {
  const plan = await discoverProgram(program);
  const network = await LocalNetwork.start(plan.services, { dynamo });
  const endpoints: LocalEndpoint[] = [];
  try {
    let next = port;
    for (const service of plan.services)
      for (const api of service.commandApis) {
        const endpoint = await network.stage(service.serviceName).serveCommandApi(next, { replica: api.replica, start: api.start });
        endpoints.push(endpoint);
        next += 1;
        say(`${api.name} (service ${service.serviceName}) on ${endpoint.url}`);
      }
  } catch (error) {
    await stopRunning({ network, endpoints });
    throw error;
  }
  describe(plan, network, endpoints, say);
  return { network, endpoints };
}

function describe(plan: ProgramPlan, network: LocalNetwork, endpoints: LocalEndpoint[], say: (line: string) => void): void {
  say(`DynamoDB Local on ${network.dynamo.config.endpoint}`);
  for (const [service, stage] of network.stages)
    say(
      `  ${service} tables: ${stage.events.tableName}, ${stage.projectors.map((local) => `${local.projection.name} in ${local.tableName}`).join(", ") || "no read model"}`,
    );
  for (const service of plan.services)
    say(
      `  ${service.serviceName}: ${service.projections.map((projection) => projection.name).join(", ") || "no read model"}; reacts with ${
        service.reactions.map((reaction) => `${reaction.reaction.name} (to ${reaction.sourceService})`).join(", ") || "nothing"
      }`,
    );
  for (const reason of plan.notRun) say(`  not run here: ${reason}`);
  const first = endpoints[0];
  if (first) {
    say("try:");
    say(`  curl -s -X POST ${first.url}/aggregates/<id>/commands -H 'content-type: application/json' -d '<a command as JSON>'`);
    say(`  curl -s ${first.url}/aggregates/<id>`);
  }
  say("Ctrl-C stops it.");
}

async function stopRunning(running: Running): Promise<void> {
  for (const endpoint of running.endpoints.splice(0)) await endpoint.close();
  await running.network.stop();
}

/**
 * Calls `changed` (once per burst of changes) when a source file under the program's folder changes,
 * after forgetting the modules loaded from there, so the next load reads them again.
 */
function watchProgram(program: string, changed: () => void) {
  const root = path.dirname(program);
  // This package's own modules stay loaded (the stage holds them); only the program's are read again.
  const own = ["components", "handlers", "local", "cli"].map((folder) => path.join(__dirname, "..", folder) + path.sep);
  let timer: NodeJS.Timeout | undefined;
  return watch(root, { recursive: true }, (_event, file) => {
    if (!file || file.includes("node_modules") || !/\.[cm]?[jt]s$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const loaded of Object.keys(require.cache))
        if (
          loaded.startsWith(root + path.sep) &&
          !loaded.includes(`${path.sep}node_modules${path.sep}`) &&
          !own.some((folder) => loaded.startsWith(folder))
        )
          delete require.cache[loaded];
      changed();
    }, 200);
  });
}
