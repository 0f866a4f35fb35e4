import type { BusReference, RecordedComponent } from "./recordedComponent";

/**
 * A ledger's events are on the bus its dispatcher publishes to. A projector given a ledger (to
 * resolve claim checks from its snapshot table) and a command API given a replica (to start its
 * commands from the replica's rows) each say which bus carries their ledger's events; a program
 * where that bus is another service's, or carries another ledger's events, would have them read
 * another service's data as their own. Refused when the program runs, whichever component is
 * created first, where the services are known then (a bus of another stack whose service name is
 * an Output is not checked).
 */

type Recorded<K extends RecordedComponent["kind"]> = Extract<RecordedComponent, { kind: K }>;
type Dispatcher = Recorded<"AggregateDispatcher">;

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

/** The recorded Projector a command API was given as its replica, if any. */
const replicaOf = (api: Recorded<"CommandApi">, recorded: readonly RecordedComponent[]) =>
  api.replica === undefined
    ? undefined
    : (recorded.find((other) => other.kind === "Projector" && other.component === api.replica) as Recorded<"Projector"> | undefined);

/** What `entry` says about the bus of a ledger: a projector given a ledger, a command API given a replica. */
function busClaimsOf(entry: RecordedComponent, recorded: readonly RecordedComponent[]): BusClaim[] {
  if (entry.kind === "Projector" && entry.ledger)
    return [
      {
        ledger: entry.ledger,
        bus: entry.bus,
        by: `Projector "${entry.name}"`,
        busOf: "its bus",
        otherwise: "its claim checks would be looked up in another service's snapshot table",
        remedy: "give it the ledger whose dispatcher publishes to its bus, or `claimCheckTable` when that ledger is not in this program",
      },
    ];
  if (entry.kind === "CommandApi") {
    const replica = replicaOf(entry, recorded);
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

/** Why `claim` is wrong given the program's dispatchers, or undefined while some dispatcher bears it out (or none speaks to it). */
function contradiction(claim: BusClaim, dispatchers: readonly Dispatcher[]): string | undefined {
  const ofLedger = dispatchers.filter((dispatcher) => dispatcher.ledger === claim.ledger);
  if (ofLedger.length > 0 && !ofLedger.some((dispatcher) => sameService({ component: dispatcher.bus }, claim.bus))) {
    const dispatcher = ofLedger[0];
    return `${claim.by}: its ledger is the one AggregateDispatcher "${dispatcher.name}" publishes as service "${serviceOf({ component: dispatcher.bus })}", but ${claim.busOf} carries service "${serviceOf(claim.bus)}"'s events, so ${claim.otherwise}; ${claim.remedy}`;
  }
  const bus = "component" in claim.bus ? claim.bus.component : undefined;
  const toBus = dispatchers.filter((dispatcher) => dispatcher.bus === bus);
  if (toBus.length > 0 && !toBus.some((dispatcher) => dispatcher.ledger === claim.ledger))
    return `${claim.by}: ${claim.busOf} carries the events AggregateDispatcher "${toBus[0].name}" publishes from another ledger than its own, so ${claim.otherwise}; ${claim.remedy}`;
  return undefined;
}

/**
 * Refuses `entry` when it makes a claim the program's dispatchers contradict, or, a dispatcher,
 * when it contradicts a claim already made. A claim stands while some dispatcher of its ledger
 * publishes to its bus's service (a ledger may have several dispatchers).
 */
export function requireLedgerOfBus(entry: RecordedComponent, recorded: readonly RecordedComponent[]): void {
  if (entry.kind === "CommandApi") {
    const replica = replicaOf(entry, recorded);
    if (replica?.ledger && replica.ledger !== entry.ledger)
      throw new Error(
        `CommandApi "${entry.name}": its replica, Projector "${replica.name}", resolves claim checks from another ledger than the CommandApi's, so the replica projects another service's aggregates; give it the replica of its own ledger's service`,
      );
  }
  const dispatchers = [...recorded, entry].filter((other): other is Dispatcher => other.kind === "AggregateDispatcher");
  const claims =
    entry.kind === "AggregateDispatcher"
      ? recorded
          .flatMap((other) => busClaimsOf(other, recorded))
          .filter((claim) => claim.ledger === entry.ledger || ("component" in claim.bus && claim.bus.component === entry.bus))
      : busClaimsOf(entry, recorded);
  for (const claim of claims) {
    const wrong = contradiction(claim, dispatchers);
    if (wrong) throw new Error(wrong);
  }
}
