import * as pulumi from "@pulumi/pulumi";
import type { StartPolicy } from "../handlers/runtime/ledger/conventions";

/** A user module's export a component bundles: a domain, projection, publication or reaction. */
export interface ModuleExport {
  readonly module: string;
  readonly exportName: string;
}

/**
 * What a component of this package told the program about itself when it was created: enough for
 * the local stage to run the same pieces (their handler code, their modules, how they connect) on
 * this machine, and for the program to refuse what cannot work (two services of one name).
 */
export type RecordedComponent =
  | { readonly kind: "EventLedger"; readonly name: string; readonly component: object }
  | { readonly kind: "ServiceBus"; readonly name: string; readonly component: object; readonly serviceName: string }
  | {
      readonly kind: "AggregateDispatcher";
      readonly name: string;
      readonly ledger: object;
      readonly bus: object;
      readonly domain: ModuleExport;
      readonly publications?: ModuleExport;
    }
  | {
      readonly kind: "Projector";
      readonly name: string;
      readonly component: object;
      readonly bus: BusReference;
      readonly ledger?: object;
      readonly projection: ModuleExport;
    }
  | {
      readonly kind: "CommandApi";
      readonly name: string;
      readonly ledger: object;
      readonly domain: ModuleExport;
      readonly replica?: object;
      readonly start?: StartPolicy;
    }
  | {
      readonly kind: "Reactor";
      readonly name: string;
      readonly bus: BusReference;
      readonly ledger: object;
      readonly reaction: ModuleExport;
      /** The reaction's own name: its checkpoints and command keys are named by it. */
      readonly reactionName: string;
    };

/** A bus as a consumer names it: the component of this program, or the service it carries (a bus of another stack). */
export type BusReference = { readonly component: object } | { readonly serviceName: pulumi.Input<string> };

/** One list per program run: Pulumi runs one program per process, the mocks of a test suite one per `setMocks`. */
const programs = new WeakMap<object, RecordedComponent[]>();
const outsideAnyProgram: RecordedComponent[] = [];

function current(): RecordedComponent[] {
  const monitor = pulumi.runtime.getMonitor();
  if (!monitor) return outsideAnyProgram;
  let list = programs.get(monitor);
  if (!list) programs.set(monitor, (list = []));
  return list;
}

/** Records a component of the program being run, refusing it when it pairs a ledger with another service's bus. */
export function recordComponent(entry: RecordedComponent): void {
  requireLedgerOfBus(entry, current());
  current().push(entry);
}

type Recorded<K extends RecordedComponent["kind"]> = Extract<RecordedComponent, { kind: K }>;

/** The service a bus carries, when the program knows it: a ServiceBus's name, or a plain name given for another stack's bus. */
function serviceOf(bus: BusReference): string | undefined {
  if ("component" in bus) {
    const name = (bus.component as { serviceName?: unknown }).serviceName;
    return typeof name === "string" ? name : undefined;
  }
  return typeof bus.serviceName === "string" ? bus.serviceName : undefined;
}

/** False only when both buses' services are known and differ. */
function sameService(a: BusReference, b: BusReference): boolean {
  if ("component" in a && "component" in b && a.component === b.component) return true;
  const [first, second] = [serviceOf(a), serviceOf(b)];
  return first === undefined || second === undefined || first === second;
}

/** A component's word on which bus carries a ledger's events, and what it would get wrong otherwise. */
interface BusClaim {
  readonly ledger: object;
  readonly bus: BusReference;
  /** Who says so: `Projector "balances"`. */
  readonly by: string;
  /** The bus it names, for messages: "its bus". */
  readonly busOf: string;
  readonly otherwise: string;
  readonly remedy: string;
}

/** What `entry` says about the bus of a ledger: a projector given a ledger, a command API given a replica. */
function busClaimsOf(entry: RecordedComponent, recorded: readonly RecordedComponent[]): BusClaim[] {
  if (entry.kind === "Projector" && entry.ledger) {
    const service = serviceOf(entry.bus);
    return [
      {
        ledger: entry.ledger,
        bus: entry.bus,
        by: `Projector "${entry.name}"`,
        busOf: "its bus",
        otherwise: "its claim checks would be looked up in another service's snapshot table",
        remedy: `give it the ledger of "${service}", or \`claimCheckTable\` when that ledger is not in this program`,
      },
    ];
  }
  if (entry.kind === "CommandApi" && entry.replica) {
    const replica = recorded.find((other) => other.kind === "Projector" && other.component === entry.replica) as
      Recorded<"Projector"> | undefined;
    if (replica)
      return [
        {
          ledger: entry.ledger,
          bus: replica.bus,
          by: `CommandApi "${entry.name}"`,
          busOf: `the bus of its replica, Projector "${replica.name}",`,
          otherwise: "its commands would start from the states of another service's aggregates",
          remedy: "give it the replica of its own ledger's service",
        },
      ];
  }
  return [];
}

/**
 * The bus a ledger's events are on is the one its dispatcher publishes to. A projector given the
 * ledger (for claim checks) or a command API whose replica projects another service's bus would read
 * another service's data as the ledger's. Checked whichever is created first.
 */
function requireLedgerOfBus(entry: RecordedComponent, recorded: readonly RecordedComponent[]): void {
  const pairs: { claim: BusClaim; dispatcher: Recorded<"AggregateDispatcher"> }[] = [];
  for (const claim of busClaimsOf(entry, recorded))
    for (const other of recorded)
      if (other.kind === "AggregateDispatcher" && other.ledger === claim.ledger) pairs.push({ claim, dispatcher: other });
  if (entry.kind === "AggregateDispatcher")
    for (const other of recorded)
      for (const claim of busClaimsOf(other, recorded)) if (claim.ledger === entry.ledger) pairs.push({ claim, dispatcher: entry });
  for (const { claim, dispatcher } of pairs) {
    const published: BusReference = { component: dispatcher.bus };
    if (sameService(published, claim.bus)) continue;
    throw new Error(
      `${claim.by}: its ledger is the one AggregateDispatcher "${dispatcher.name}" publishes as service "${serviceOf(published)}", but ${claim.busOf} carries service "${serviceOf(claim.bus)}"'s events, so ${claim.otherwise}; ${claim.remedy}`,
    );
  }
}

/** The components the program being run created so far, in creation order. */
export function recordedComponents(): readonly RecordedComponent[] {
  return [...current()];
}

/**
 * Refuses a second ServiceBus for a service name the program already has one for: events of both
 * would carry the same `source`, and every rule would take each for the other's.
 */
export function claimServiceName(serviceName: string, busName: string): void {
  const other = current().find((entry) => entry.kind === "ServiceBus" && entry.serviceName === serviceName);
  if (other)
    throw new Error(
      `ServiceBus "${busName}": service name "${serviceName}" is taken by ServiceBus "${other.name}" in this program; every service needs a name of its own (it is its events' source)`,
    );
}

/**
 * Refuses a second Reactor on one ledger for a reaction name the program already runs there: the
 * two would share checkpoints and command keys, one's versions superseding the other's (events
 * never reacted to) and their commands answering each other's keys.
 */
export function claimReactionName(reactionName: string, ledger: object, reactorName: string): void {
  const other = current().find((entry) => entry.kind === "Reactor" && entry.ledger === ledger && entry.reactionName === reactionName);
  if (other)
    throw new Error(
      `Reactor "${reactorName}": reaction "${reactionName}" already runs on this ledger in Reactor "${other.name}"; every reaction of a service needs a name of its own (its checkpoints and command keys are named by it)`,
    );
}

/** How a consumer names the bus it was given: the component itself, or the service of a bus given by its attributes. */
export const busReference = (bus: { readonly serviceName: pulumi.Input<string> }): BusReference =>
  bus instanceof pulumi.Resource ? { component: bus } : { serviceName: bus.serviceName };
