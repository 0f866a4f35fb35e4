/**
 * The invariants a run must keep whatever faults were injected, checked from the outside: what
 * every caller was told (the history), the ledger, the read models and the dead letters.
 */
import { canonicalJson } from "../../handlers/runtime/support/checksum";
import { Aggregate, Domain, LedgerEvent, isRejection, isReplay, replayTarget } from "../../handlers/runtime/domain/domain";
import { CommandRejectedError } from "../../handlers/runtime/command/errors";
import { CommitOutcomeUnknownError } from "../../handlers/runtime/ledger/errors";
import { emptyAggregate, fold } from "../../handlers/runtime/domain/fold";
import { Projection } from "../../handlers/runtime/projection/projection";

/** What one caller was told. */
export type Outcome =
  | { kind: "applied"; commitId: string; events: LedgerEvent[]; aggregates: Aggregate<unknown>[] }
  | { kind: "rejected"; aggregateId: string; version: number; code: string }
  | { kind: "unknown"; commitId: string }
  | { kind: "failed"; error: string };

export interface CommandRecord {
  aggregateIds: string[];
  command: unknown;
  outcome: Outcome;
}

/** Runs a command and records what its caller was told; never throws. */
export async function recorded<R extends { commitId: string; events: LedgerEvent[] }>(
  history: CommandRecord[],
  aggregateIds: string[],
  command: unknown,
  run: () => Promise<R & ({ aggregate: Aggregate<unknown> } | { aggregates: Map<string, Aggregate<unknown>> })>,
): Promise<Outcome> {
  let outcome: Outcome;
  try {
    const result = await run();
    const aggregates = "aggregate" in result ? [result.aggregate] : [...result.aggregates.values()];
    outcome = { kind: "applied", commitId: result.commitId, events: result.events, aggregates };
  } catch (error) {
    if (error instanceof CommandRejectedError)
      outcome = { kind: "rejected", aggregateId: error.aggregateId, version: error.version, code: error.reason };
    else if (error instanceof CommitOutcomeUnknownError) outcome = { kind: "unknown", commitId: error.commitId };
    else outcome = { kind: "failed", error: `${(error as Error)?.name}: ${(error as Error)?.message}` };
  }
  history.push({ aggregateIds, command, outcome });
  return outcome;
}

export interface RunEvidence<S> {
  domain: Domain<S, unknown>;
  history: readonly CommandRecord[];
  /** Every aggregate's events, read consistently after the run. */
  ledger: ReadonlyMap<string, LedgerEvent[]>;
  /** Per projection, the row of each aggregate (undefined when absent). */
  readModels: { projection: Projection<S>; rows: ReadonlyMap<string, Record<string, unknown> | undefined> }[];
  deadLetters: readonly { reason: string; origin: string }[];
  queued: number;
}

/** Every broken invariant, in words; empty when the run kept them all. */
export function checkRun<S>(evidence: RunEvidence<S>): string[] {
  const { domain, history, ledger } = evidence;
  const problems: string[] = [];
  const told = new Map<string, Outcome>();
  for (const record of history) if ("commitId" in record.outcome) told.set(record.outcome.commitId, record.outcome);

  // 1. Gap-free ledgers whose every event belongs to a command reported applied or unknown.
  const byCommit = new Map<string, LedgerEvent[]>();
  for (const [id, events] of ledger) {
    events.forEach((event, index) => {
      if (event.version !== index + 1) problems.push(`${id}: version ${event.version} at position ${index + 1} (gap or repeat)`);
      if (!event.commitId) problems.push(`${id}@${event.version}: no commit id`);
      else byCommit.set(event.commitId, [...(byCommit.get(event.commitId) ?? []), event]);
    });
  }
  for (const [commitId, events] of byCommit) {
    if (!told.has(commitId))
      problems.push(
        `events ${events.map((e) => `${e.aggregateId}@${e.version}`).join(", ")} belong to commit ${commitId}, whose caller was told it failed or was rejected`,
      );
  }
  // 2. Every applied command's events are in the ledger exactly once, as reported.
  for (const record of history) {
    const { outcome } = record;
    if (outcome.kind !== "applied") continue;
    const stored = byCommit.get(outcome.commitId) ?? [];
    const reported = outcome.events.map((event) => `${event.aggregateId}@${event.version}`).sort();
    const found = stored.map((event) => `${event.aggregateId}@${event.version}`).sort();
    if (reported.join() !== found.join())
      problems.push(`commit ${outcome.commitId} reported [${reported}] but the ledger holds [${found}]`);
  }
  // 3. One serial order explains every answer: the ledger's. Applied results are the fold at their
  // version; rejections were right at the version they were decided on; every state is sound.
  const foldAt = (id: string, version: number) => fold(domain, emptyAggregate(domain, id), (ledger.get(id) ?? []).slice(0, version));
  for (const [id, events] of ledger) {
    fold(domain, emptyAggregate(domain, id), events, (aggregate) => {
      const problem = domain.checkState?.(aggregate.state);
      if (problem) problems.push(`${id}@${aggregate.version}: unsound state (${problem})`);
    });
  }
  for (const record of history) {
    const { outcome } = record;
    if (outcome.kind === "applied") {
      for (const aggregate of outcome.aggregates) {
        const expected = foldAt(aggregate.aggregateId, aggregate.version);
        if (canonicalJson(expected) !== canonicalJson(aggregate))
          problems.push(
            `${aggregate.aggregateId}: caller got ${JSON.stringify(aggregate)} but the ledger folds to ${JSON.stringify(expected)}`,
          );
      }
    } else if (outcome.kind === "rejected" && record.aggregateIds.length === 1) {
      const at = foldAt(outcome.aggregateId, outcome.version);
      const decision = domain.decide(at.state, record.command, at);
      if (!isRejection(decision) || decision.code !== outcome.code)
        problems.push(
          `${outcome.aggregateId}: rejected (${outcome.code}) at version ${outcome.version}, where the ledger's state accepts it`,
        );
    }
  }
  // 4. Read models equal the fold of the ledger.
  for (const { projection, rows } of evidence.readModels) {
    for (const [id, events] of ledger) {
      const expected = expectedRow(domain, projection, id, events);
      const actual = rows.get(id);
      if (canonicalJson(expected ?? null) !== canonicalJson(actual ?? null))
        problems.push(`${projection.name}/${id}: row ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  }
  // 5. Nothing left behind, nothing dead-lettered for a transient fault (this run injects no poison).
  if (evidence.queued > 0) problems.push(`${evidence.queued} messages left in queues`);
  for (const letter of evidence.deadLetters) problems.push(`dead letter from ${letter.origin} (no poison was injected): ${letter.reason}`);
  return problems;
}

/** The row a projector keeps for an aggregate: from the last event it subscribes to (or a replay aimed at it). */
function expectedRow<S>(domain: Domain<S, unknown>, projection: Projection<S>, id: string, events: LedgerEvent[]) {
  let row: Record<string, unknown> | undefined;
  fold(domain, emptyAggregate(domain, id), events, (aggregate, event) => {
    const target = replayTarget(event);
    const wanted = isReplay(event) ? target === undefined || target === projection.name : projection.eventTypes.includes(event.type);
    if (wanted) row = { ...projection.project(aggregate, event), id, version: aggregate.version };
  });
  return row;
}
