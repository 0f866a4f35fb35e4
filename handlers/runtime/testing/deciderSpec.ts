import { AssertionError, deepStrictEqual } from "node:assert";
import { Domain, EventShape, LedgerEvent, NewEvent, checkDecision, isRejection, recordDecided, validateEvent } from "../domain/domain";
import { emptyAggregate, fold } from "../domain/fold";

/** An event a spec is given: its type and payload, optionally the payload version it was written with (to test upcasters). */
export type GivenEvent<E extends EventShape> = E | (Omit<E, "payload"> & { payload: Record<string, unknown>; payloadVersion: number });

/** What a spec expects decide to return: events (type and payload, metadata when given), or a rejection. */
export interface Then<E extends EventShape> {
  /** The command is accepted and decides exactly these events, in order. */
  then(expected: readonly E[]): void;
  /** The command is refused with this code (and, when given, a detail matching this). */
  thenRejects(code: string, detail?: string | RegExp): void;
  /** Deciding throws: an invalid command, or events the domain itself would refuse to store. */
  thenThrows(check?: RegExp | ((error: unknown) => boolean)): void;
}

const SPEC_AGGREGATE = "spec-aggregate";
const SPEC_TIME = "2026-01-01T00:00:00.000Z";

/**
 * Given/when/then specifications of a domain's decide function, in the manner of emmett's
 * DeciderSpecification, with any test runner (a failed expectation throws an AssertionError):
 *
 * ```ts
 * const spec = deciderSpec(accounts);
 * spec.given([{ type: "AccountOpened", payload: { owner: "ada" } }]).when({ kind: "Debit", amount: 5 }).thenRejects("insufficient-funds");
 * ```
 *
 * The given events go through what the ledger's readers do (payload checks, upcasting) and are
 * folded with the domain's reduce; the decided events are checked as the command handler checks
 * them before a write (known type, valid payload, a sound state after them).
 */
export function deciderSpec<S, C, E extends EventShape>(domain: Domain<S, C, E>) {
  const untyped = domain as unknown as Domain<S, unknown>;
  return {
    given(events: readonly GivenEvent<E>[]) {
      // A given event is in the current payload shape unless it names the version it was written with.
      const history = events.map((event, index) => {
        const fields = { aggregateId: SPEC_AGGREGATE, version: index + 1, timestamp: SPEC_TIME };
        return "payloadVersion" in event
          ? validateEvent(untyped as Domain<unknown, unknown>, { ...event, ...fields })
          : recordDecided(untyped as Domain<unknown, unknown>, event as unknown as NewEvent, fields);
      });
      return {
        when(command: C): Then<E> {
          const before = fold(untyped, emptyAggregate(untyped, SPEC_AGGREGATE), history);
          const decide = () => {
            const decision = checkDecision(untyped.decide(before.state, command, before), SPEC_AGGREGATE);
            if (isRejection(decision)) return decision;
            const stamped = decision.map((event, index) =>
              recordDecided(untyped as Domain<unknown, unknown>, event, {
                aggregateId: SPEC_AGGREGATE,
                version: before.version + index + 1,
                timestamp: SPEC_TIME,
              }),
            );
            fold(untyped, before, stamped, (next) => {
              const problem = untyped.checkState?.(next.state);
              if (problem)
                throw new AssertionError({ message: `the state after version ${next.version} fails the domain's check: ${problem}` });
            });
            return stamped;
          };
          return {
            then(expected) {
              const decided = decide();
              if (isRejection(decided))
                throw new AssertionError({
                  message: `expected events, but the command was rejected (${decided.code}): ${decided.detail}`,
                  expected,
                  actual: decided,
                });
              deepStrictEqual(
                decided.map((event) => comparable(event, expected)),
                expected.map((event) => ({ ...event })),
                "decided events",
              );
            },
            thenRejects(code, detail) {
              const decided = decide();
              if (!isRejection(decided))
                throw new AssertionError({
                  message: `expected a rejection "${code}", but the command decided ${decided.map((event) => event.type).join(", ") || "no events"}`,
                  expected: code,
                  actual: decided,
                });
              if (decided.code !== code)
                throw new AssertionError({
                  message: `expected rejection "${code}", got "${decided.code}": ${decided.detail}`,
                  expected: code,
                  actual: decided.code,
                });
              if (detail !== undefined && !(typeof detail === "string" ? decided.detail === detail : detail.test(decided.detail))) {
                throw new AssertionError({
                  message: `rejection "${code}" has detail "${decided.detail}"`,
                  expected: detail,
                  actual: decided.detail,
                });
              }
            },
            thenThrows(check) {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              if (thrown === undefined) throw new AssertionError({ message: "expected deciding to throw, but it did not" });
              const ok =
                check === undefined || (check instanceof RegExp ? check.test((thrown as Error)?.message ?? String(thrown)) : check(thrown));
              if (!ok)
                throw new AssertionError({
                  message: `deciding threw something else: ${(thrown as Error)?.message ?? String(thrown)}`,
                  actual: thrown,
                });
            },
          };
        },
      };
    },
  };
}

/** The part of a decided event a spec compares: type and payload, and metadata when the spec names it. */
function comparable<E extends EventShape>(event: LedgerEvent, expected: readonly E[]): Record<string, unknown> {
  const wantsMetadata = expected.some((candidate) => "metadata" in candidate);
  return { type: event.type, payload: event.payload, ...(wantsMetadata && event.metadata ? { metadata: event.metadata } : {}) };
}
