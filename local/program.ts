import * as path from "node:path";
import { bundleHandler, loadModulesWithoutBundling } from "../components/bundle";
import type { RecordedComponent } from "../components/recordedComponent";
import { recordedComponents } from "../components/registry";
import { Publication, requirePublications } from "../handlers/runtime/contracts/publication";
import { Domain, requireDomain } from "../handlers/runtime/domain/domain";
import { StartPolicy } from "../handlers/runtime/ledger/conventions";
import { Projection, requireProjection } from "../handlers/runtime/projection/projection";
import { Reaction, requireReaction } from "../handlers/runtime/reaction/reaction";
import { ConfigurationError } from "../handlers/runtime/support/errors";
import { compose } from "./pulumiMocks";

/** One service of a program as the local stage runs it: its ledger's domain, what it publishes, its read models and APIs. */
export interface ServicePlan {
  serviceName: string;
  domain: Domain<unknown, unknown>;
  publications: Publication[];
  projections: Projection<unknown>[];
  /** Its command APIs: the projector each starts from (its replica), and how commands start. */
  commandApis: { name: string; replica?: string; start?: StartPolicy }[];
  /** Its reactions, each with the service whose bus its rule is on. */
  reactions: { name: string; reaction: Reaction; sourceService: string }[];
}

/** What a program deploys, service by service, as the local stage runs it. */
export interface ProgramPlan {
  program: string;
  services: ServicePlan[];
  /** What the local stage does not run, and why. */
  notRun: string[];
}

/**
 * Runs a Pulumi program under mocks (no cloud, no CLI), with its modules loaded rather than
 * bundled, and reads from what its components recorded which services it has and how they connect:
 * each AggregateDispatcher's ledger and bus make a service; projectors run on the bus they subscribe
 * to, reactors on their own ledger's service, command APIs beside their ledger.
 */
export async function discoverProgram(programPath: string): Promise<ProgramPlan> {
  const program = path.resolve(programPath);
  loadModulesWithoutBundling(true);
  try {
    const { result: recorded } = await compose(
      async () => {
        // The program runs again each time (its module may be loaded already: by a test, or before a reload).
        delete require.cache[require.resolve(program)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(program);
        return recordedComponents();
      },
      path.basename(path.dirname(program)),
    );
    // Planned while the modules are still loaded, not bundled: the plan reads the definitions the components took.
    return planOf(program, recorded);
  } finally {
    loadModulesWithoutBundling(false);
  }
}

/** The plan of a program from its recorded components. */
export function planOf(program: string, recorded: readonly RecordedComponent[]): ProgramPlan {
  const of = <K extends RecordedComponent["kind"]>(kind: K) =>
    recorded.filter((entry) => entry.kind === kind) as Extract<RecordedComponent, { kind: K }>[];
  const busService = new Map(of("ServiceBus").map((entry) => [entry.component, entry.serviceName]));
  const ledgerService = new Map<object, string>();
  const services = new Map<string, ServicePlan>();
  const notRun: string[] = [];
  for (const dispatcher of of("AggregateDispatcher")) {
    const serviceName = busService.get(dispatcher.bus);
    if (!serviceName)
      throw new ConfigurationError(`AggregateDispatcher "${dispatcher.name}"`, "publishes to a bus this program does not create");
    const bundle = bundleHandler({
      kind: "dispatcher",
      module: dispatcher.domain.module,
      exportName: dispatcher.domain.exportName,
      extra: dispatcher.publications,
    });
    const domain = requireDomain(
      bundle.definition as Domain<unknown, unknown>,
      `${dispatcher.domain.module} export "${dispatcher.domain.exportName}"`,
    );
    const publications = dispatcher.publications ? requirePublications(bundle.extra, domain) : [];
    ledgerService.set(dispatcher.ledger, serviceName);
    services.set(serviceName, { serviceName, domain, publications, projections: [], commandApis: [], reactions: [] });
  }
  const serviceOfBus = (bus: { component: object } | { serviceName: unknown }, owner: string): string | undefined => {
    const name = "component" in bus ? busService.get(bus.component) : typeof bus.serviceName === "string" ? bus.serviceName : undefined;
    if (name === undefined) notRun.push(`${owner}: its bus's service name is known only once deployed (an Output)`);
    return name;
  };
  const projectorNames = new Map<object, string>();
  for (const projector of of("Projector")) {
    const source = serviceOfBus(projector.bus, `Projector "${projector.name}"`);
    const service = source === undefined ? undefined : services.get(source);
    const projection = requireProjection(
      bundleHandler({ kind: "projector", module: projector.projection.module, exportName: projector.projection.exportName })
        .definition as Projection<unknown>,
    );
    projectorNames.set(projector.component, projection.name);
    if (!service) {
      if (source !== undefined) notRun.push(`Projector "${projector.name}": no service "${source}" in this program publishes to its bus`);
      continue;
    }
    service.projections.push(projection);
  }
  for (const api of of("CommandApi")) {
    const service = services.get(ledgerService.get(api.ledger) ?? "");
    if (!service) {
      notRun.push(`CommandApi "${api.name}": its ledger has no AggregateDispatcher in this program`);
      continue;
    }
    service.commandApis.push({ name: api.name, replica: api.replica ? projectorNames.get(api.replica) : undefined, start: api.start });
  }
  for (const reactor of of("Reactor")) {
    const owner = services.get(ledgerService.get(reactor.ledger) ?? "");
    const reaction = requireReaction(
      bundleHandler({ kind: "reactor", module: reactor.reaction.module, exportName: reactor.reaction.exportName }).definition as Reaction,
    );
    const sourceService = serviceOfBus(reactor.bus, `Reactor "${reactor.name}"`);
    if (!owner) {
      notRun.push(`Reactor "${reactor.name}": its ledger has no AggregateDispatcher in this program`);
      continue;
    }
    if (sourceService === undefined) continue;
    if (!services.has(sourceService)) {
      notRun.push(`Reactor "${reactor.name}": no service "${sourceService}" in this program publishes to its bus`);
      continue;
    }
    owner.reactions.push({ name: reactor.name, reaction, sourceService });
  }
  return { program, services: [...services.values()], notRun };
}
