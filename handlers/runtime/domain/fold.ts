import { Aggregate, Domain, LedgerEvent, isReplay } from "./domain";
import { InvalidEventError } from "./errors";

/** The aggregate before its first event: version 0, the domain's initial state. */
export const emptyAggregate = <S>(domain: Domain<S, unknown>, aggregateId: string): Aggregate<S> => ({
  aggregateId,
  version: 0,
  state: domain.initialState(),
});

/**
 * Applies events in order on top of `from`. Events must continue `from` without gap or
 * repeat; replay events advance the version but are never passed to the reducer.
 * `visit` sees the aggregate after each event (the dispatcher keeps the ones it publishes).
 */
export function fold<S>(
  domain: Domain<S, unknown>,
  from: Aggregate<S>,
  events: readonly LedgerEvent[],
  visit?: (aggregate: Aggregate<S>, event: LedgerEvent) => void,
): Aggregate<S> {
  let current = from;
  for (const event of events) {
    if (event.aggregateId !== current.aggregateId) {
      throw new InvalidEventError(`belongs to aggregate "${event.aggregateId}", not "${current.aggregateId}"`);
    }
    if (event.version !== current.version + 1) {
      throw new InvalidEventError(`expected version ${current.version + 1} to follow ${current.version}`, event.aggregateId, event.version);
    }
    const state = isReplay(event) ? current.state : domain.reduce(current.state, event);
    current = { aggregateId: current.aggregateId, version: event.version, state };
    visit?.(current, event);
  }
  return current;
}
