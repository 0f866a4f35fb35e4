import { isPlainObject } from "../domain/domain";
import { Contract, contractLabel } from "./contract";
import { JsonSchema, JsonType, JsonValue, jsonEqual, member, resolveRef, typesOf } from "./schema";

/**
 * What a subscriber written against `previous` would break on if the producer published `next` under
 * the same contract version; empty when `next` is a compatible change. Two things must hold:
 * - every payload valid under `previous` stays valid under `next`: events already published (in a bus
 *   archive, a queue, a dead-letter queue, or from a dispatcher still running the previous release)
 *   pass the new schema's check where subscribers receive them. Breaking: an event type removed, a
 *   property newly required, a type narrowed, an enum value removed, a const changed or added, a
 *   constraint tightened (a higher minimum or minLength, a lower maximum or maxLength, a format added),
 *   additionalProperties closed;
 * - nothing a subscriber reads disappears: a property removed, or one that was required made optional.
 * Compatible: a new optional property, a new event type, a widened type, an enum value added, a
 * constraint loosened, additionalProperties opened. A widened type is compatible by this rule, yet a
 * subscriber that reads the property must then handle the new type: widen with care.
 *
 * Given two contracts, compares every event type (problems prefixed with it) and the service;
 * given two schemas, compares them (paths start at `payload`).
 */
export function compatibilityProblems(previous: Contract, next: Contract): string[];
export function compatibilityProblems(previous: JsonSchema, next: JsonSchema): string[];
export function compatibilityProblems(previous: Contract | JsonSchema, next: Contract | JsonSchema): string[] {
  if (isContract(previous) !== isContract(next))
    throw new TypeError("compatibilityProblems compares two contracts or two schemas, not one of each");
  if (!isContract(previous) || !isContract(next)) return schemaChanges(previous as JsonSchema, next as JsonSchema);
  const problems: string[] = [];
  if (previous.service !== next.service)
    problems.push(`service changed from "${previous.service}" to "${next.service}": subscribers' rules match the events' source`);
  if (previous.name !== next.name) problems.push(`contract name changed from "${previous.name}" to "${next.name}": it is another contract`);
  const before = previous.eventTypes as Record<string, JsonSchema>;
  const after = next.eventTypes as Record<string, JsonSchema>;
  for (const [type, schema] of Object.entries(before)) {
    if (!(type in after)) problems.push(`${type}: event type removed from ${contractLabel(previous)}`);
    else problems.push(...schemaChanges(schema, after[type]).map((problem) => `${type}: ${problem}`));
  }
  return problems;
}

const isContract = (value: unknown): value is Contract => isPlainObject(value) && "eventTypes" in value;

/** A schema with the root its `$ref`s resolve against. */
interface Rooted {
  readonly root: JsonSchema;
  readonly schema: JsonSchema;
}

function schemaChanges(previous: JsonSchema, next: JsonSchema): string[] {
  const problems: string[] = [];
  compare({ root: previous, schema: previous }, { root: next, schema: next }, "payload", problems, new Set());
  return problems;
}

/** The schema with its `$ref` (and the `$ref`s it leads to) replaced by what they refer to, merged under its own keywords. */
function dereferenced({ root, schema }: Rooted): JsonSchema {
  let node = schema;
  for (let hops = 0; node.$ref !== undefined && hops < 64; hops += 1) {
    const { $ref, ...rest } = node;
    node = { ...(resolveRef(root, $ref) ?? {}), ...rest };
  }
  return node;
}

function compare(before: Rooted, after: Rooted, path: string, problems: string[], seen: Set<string>): void {
  const previous = dereferenced(before);
  const next = dereferenced(after);
  // A recursive schema ($defs referring to themselves) compares each pair of nodes once per path shape.
  const key = `${path.replace(/\[\d+\]|\[\]/g, "[]")}|${JSON.stringify(previous)}|${JSON.stringify(next)}`;
  if (seen.has(key) || seen.size > 10_000) return;
  seen.add(key);

  const lost = typesOf(previous).filter((type) => !accepts(typesOf(next), type));
  if (lost.length > 0) problems.push(`${path}: type narrowed (no longer accepts ${lost.join(", ")})`);
  valueChanges(previous, next, path, problems);
  constraintChanges(previous, next, path, problems);

  if (previous.properties || next.properties || previous.required || next.required) {
    const required = new Set(previous.required ?? []);
    const nowRequired = new Set(next.required ?? []);
    for (const name of nowRequired) if (!required.has(name)) problems.push(`${path}${member(name)}: newly required`);
    for (const [name, schema] of Object.entries(previous.properties ?? {})) {
      const kept = next.properties?.[name];
      if (!kept) problems.push(`${path}${member(name)}: property removed`);
      else {
        if (required.has(name) && !nowRequired.has(name))
          problems.push(`${path}${member(name)}: no longer required (subscribers may rely on it)`);
        compare({ root: before.root, schema }, { root: after.root, schema: kept }, `${path}${member(name)}`, problems, seen);
      }
    }
  }
  const extraBefore = previous.additionalProperties ?? true;
  const extraAfter = next.additionalProperties ?? true;
  if (extraBefore !== false) {
    if (extraAfter === false) problems.push(`${path}: additionalProperties closed (undeclared properties are now refused)`);
    else if (extraAfter !== true)
      compare(
        { root: before.root, schema: extraBefore === true ? {} : extraBefore },
        { root: after.root, schema: extraAfter },
        `${path}[*]`,
        problems,
        seen,
      );
  }
  if (previous.items || next.items)
    compare(
      { root: before.root, schema: previous.items ?? {} },
      { root: after.root, schema: next.items ?? {} },
      `${path}[]`,
      problems,
      seen,
    );
}

const accepts = (types: readonly JsonType[], type: JsonType): boolean =>
  types.includes(type) || (type === "integer" && types.includes("number"));

/** `const` and `enum`: the values allowed before must all be allowed after. */
function valueChanges(previous: JsonSchema, next: JsonSchema, path: string, problems: string[]): void {
  if (previous.const !== undefined && next.const !== undefined) {
    if (!jsonEqual(previous.const, next.const))
      problems.push(`${path}: const changed from ${JSON.stringify(previous.const)} to ${JSON.stringify(next.const)}`);
    return;
  }
  if (next.const !== undefined) {
    problems.push(`${path}: const ${JSON.stringify(next.const)} added (any other value is now refused)`);
    return;
  }
  if (next.enum === undefined) return;
  const allowed: readonly JsonValue[] | undefined = previous.const !== undefined ? [previous.const] : previous.enum;
  if (allowed === undefined) {
    problems.push(`${path}: enum added (only ${next.enum.map((value) => JSON.stringify(value)).join(", ")} now allowed)`);
    return;
  }
  for (const value of allowed)
    if (!next.enum.some((kept) => jsonEqual(kept, value))) problems.push(`${path}: enum value ${JSON.stringify(value)} removed`);
}

/** minimum, maximum, minLength, maxLength and format: none may be added or tightened. */
function constraintChanges(previous: JsonSchema, next: JsonSchema, path: string, problems: string[]): void {
  const lower = [
    ["minimum", previous.minimum, next.minimum],
    ["minLength", previous.minLength, next.minLength],
  ] as const;
  for (const [keyword, before, after] of lower)
    if (after !== undefined && (before === undefined || after > before))
      problems.push(`${path}: ${keyword} tightened (${before ?? "none"} to ${after})`);
  const upper = [
    ["maximum", previous.maximum, next.maximum],
    ["maxLength", previous.maxLength, next.maxLength],
  ] as const;
  for (const [keyword, before, after] of upper)
    if (after !== undefined && (before === undefined || after < before))
      problems.push(`${path}: ${keyword} tightened (${before ?? "none"} to ${after})`);
  if (next.format !== undefined && previous.format !== next.format) problems.push(`${path}: format "${next.format}" added`);
}
