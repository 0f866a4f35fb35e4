import type { RecordedComponent } from "./recordedComponent";

/**
 * A ledger holds one domain's events: its dispatcher folds them with that domain, its command API
 * decides with it, and a reactor writing to it sends commands of that domain. A component given a
 * ledger whose other components use another domain would write or fold events the others cannot
 * read (or read them with the wrong `reduce`). Refused when the program runs, whichever is created
 * first.
 */

/** What a component does with its ledger's domain, for messages: "folds". */
function verb(entry: RecordedComponent): string {
  if (entry.kind === "AggregateDispatcher") return "folds";
  if (entry.kind === "CommandApi") return "decides with";
  return "sends commands of";
}

const ledgerAndDomain = (entry: RecordedComponent): { ledger: object; domain: string } | undefined =>
  (entry.kind === "AggregateDispatcher" || entry.kind === "CommandApi" || entry.kind === "Reactor") && entry.domainName !== undefined
    ? { ledger: entry.ledger, domain: entry.domainName }
    : undefined;

/** Refuses `entry` when its ledger is used with another domain by a component recorded before it. */
export function requireOneDomainPerLedger(entry: RecordedComponent, recorded: readonly RecordedComponent[]): void {
  const mine = ledgerAndDomain(entry);
  if (!mine) return;
  for (const other of recorded) {
    const theirs = ledgerAndDomain(other);
    if (!theirs || theirs.ledger !== mine.ledger || theirs.domain === mine.domain) continue;
    throw new Error(
      `${entry.kind} "${entry.name}": it ${verb(entry)} domain "${mine.domain}", but its ledger holds domain "${theirs.domain}"'s events (${other.kind} "${other.name}" ${verb(other)} "${theirs.domain}"); a ledger holds one domain's events, so give it the ledger of "${mine.domain}"`,
    );
  }
}
