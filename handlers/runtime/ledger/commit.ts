import { InvalidEventError } from "../domain/errors";
import { aggregateIdProblem, versionProblem } from "../domain/identity";
import { DYNAMODB_LIMITS, itemSize, unstorable } from "../domain/storable";
import { StoredEventItem } from "./stores";

/**
 * Checks a commit before anything is written: ids and versions well formed, each aggregate's
 * versions contiguous, payloads DynamoDB stores unchanged, items within 400 KB. Returns each
 * aggregate's first version.
 */
export function checkCommit(events: readonly StoredEventItem[]): Map<string, number> {
  const next = new Map<string, number>();
  const firsts = new Map<string, number>();
  for (const event of events) {
    const { aggregateId, version } = event;
    const idProblem = aggregateIdProblem(aggregateId);
    if (idProblem)
      throw new InvalidEventError(
        idProblem,
        typeof aggregateId === "string" && aggregateId.trim() !== "" ? aggregateId.slice(0, 64) + "…" : undefined,
        version,
      );
    const problem = versionProblem(version);
    if (problem) throw new InvalidEventError(problem, aggregateId);
    const expected = next.get(aggregateId);
    if (expected === undefined) {
      if (firsts.has(aggregateId))
        throw new InvalidEventError("the events of one aggregate must be contiguous in a commit", aggregateId, version);
      firsts.set(aggregateId, version);
    } else if (version !== expected) {
      throw new InvalidEventError(`commit versions must be contiguous: expected ${expected}`, aggregateId, version);
    }
    next.clear();
    next.set(aggregateId, version + 1);
    for (const [field, value] of [
      ["payload", event.payload],
      ["metadata", event.metadata],
    ] as const) {
      const problem = value === undefined ? undefined : unstorable(value, field);
      if (problem) throw new InvalidEventError(`${event.type}: ${problem}`, aggregateId, version);
    }
    const size = itemSize({ ...event, commitId: "00000000-0000-0000-0000-000000000000" });
    if (size > DYNAMODB_LIMITS.itemBytes) {
      throw new InvalidEventError(
        `${event.type} is ${size} bytes, over DynamoDB's ${DYNAMODB_LIMITS.itemBytes}-byte item limit`,
        aggregateId,
        version,
      );
    }
  }
  return firsts;
}
