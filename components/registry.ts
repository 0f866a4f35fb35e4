import * as pulumi from "@pulumi/pulumi";
import { requireOneDomainPerLedger } from "./ledgerDomain";
import { requireLedgerOfBus } from "./ledgerOfBus";
import type { BusReference, RecordedComponent } from "./recordedComponent";

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

/**
 * Records a component of the program being run, refusing it when it uses a ledger with another
 * domain than the ledger's other components, or pairs a ledger with another service's bus.
 */
export function recordComponent(entry: RecordedComponent): void {
  requireOneDomainPerLedger(entry, current());
  requireLedgerOfBus(entry, current());
  current().push(entry);
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
