import { PayloadCheck, isPlainObject } from "../domain/domain";
import { ownValue } from "../support/ownValue";

/** A JSON value, as a payload holds it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The JSON types a schema names; "integer" is a number without a fraction. */
export type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

/**
 * The subset of JSON Schema (2020-12) a contract's payloads are declared in, checked by `validate`:
 * - `type`: one type or a list of them (`["string", "null"]` makes a value nullable); absent: any type;
 * - objects: `properties`, `required`, `additionalProperties` (false, or a schema every other property meets; absent: any);
 * - arrays: `items` (a schema every item meets);
 * - values: `enum`, `const`; numbers: `minimum`, `maximum` (inclusive); strings: `minLength`, `maxLength`
 *   (in characters), `format: "date-time"` (RFC 3339, as `new Date().toISOString()` writes);
 * - `$defs` at the root and `$ref: "#/$defs/<name>"` anywhere; `title`, `description` and `$comment` as notes.
 * Any other keyword is refused when the contract is defined, so nothing a schema says is silently ignored.
 */
export interface JsonSchema {
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: { readonly [name: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: "date-time";
  readonly $defs?: { readonly [name: string]: JsonSchema };
  readonly $ref?: string;
  readonly title?: string;
  readonly description?: string;
  readonly $comment?: string;
}

const TYPES: readonly JsonType[] = ["string", "number", "integer", "boolean", "object", "array", "null"];
const KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "format",
  "$defs",
  "$ref",
  "title",
  "description",
  "$comment",
]);
const REF = /^#\/\$defs\/([^/]+)$/;
/** RFC 3339's date-time: a date, "T", a time with optional fraction, and "Z" or an offset. */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** The schema at the end of a `$ref` (one of the root's `$defs`), or undefined when there is none. */
export function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  const name = REF.exec(ref)?.[1];
  return name === undefined ? undefined : root.$defs?.[name];
}

/** The types a schema allows (all of them when it names none). */
export const typesOf = (schema: JsonSchema): readonly JsonType[] =>
  schema.type === undefined ? TYPES : typeof schema.type === "string" ? [schema.type] : schema.type;

/**
 * What is wrong with a value given as a schema (a keyword outside the supported subset, a `$ref` to no
 * definition, a minimum above its maximum...), or undefined when it is one. `at` names it in the message.
 */
export function schemaProblem(schema: unknown, at = "schema"): string | undefined {
  if (!isPlainObject(schema)) return `${at} is not a schema object`;
  return nodeProblem(schema as JsonSchema, schema as JsonSchema, at);
}

function nodeProblem(node: unknown, root: JsonSchema, at: string): string | undefined {
  if (!isPlainObject(node)) return `${at} is not a schema object`;
  const schema = node as JsonSchema & Record<string, unknown>;
  for (const keyword of Object.keys(schema))
    if (!KEYWORDS.has(keyword)) return `${at} uses "${keyword}", which the contract schemas do not support (see JsonSchema)`;
  if (schema.$defs !== undefined && schema !== root) return `${at}: $defs belong at the root of an event type's schema`;
  if (schema.type !== undefined) {
    const types = typeof schema.type === "string" ? [schema.type] : schema.type;
    if (!Array.isArray(types) || types.length === 0) return `${at}.type must be a type name or a non-empty list of them`;
    const unknown = types.find((type) => !TYPES.includes(type));
    if (unknown !== undefined) return `${at}.type "${String(unknown)}" is not one of ${TYPES.join(", ")}`;
  }
  if (schema.required !== undefined && (!Array.isArray(schema.required) || schema.required.some((name) => typeof name !== "string")))
    return `${at}.required must be a list of property names`;
  for (const keyword of ["minimum", "maximum", "minLength", "maxLength"] as const) {
    const value = schema[keyword];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) return `${at}.${keyword} must be a finite number`;
    if (keyword.endsWith("Length") && (!Number.isSafeInteger(value) || value < 0))
      return `${at}.${keyword} must be an integer of at least 0`;
  }
  if (schema.minimum !== undefined && schema.maximum !== undefined && schema.minimum > schema.maximum)
    return `${at}: minimum ${schema.minimum} is above maximum ${schema.maximum}`;
  if (schema.minLength !== undefined && schema.maxLength !== undefined && schema.minLength > schema.maxLength)
    return `${at}: minLength ${schema.minLength} is above maxLength ${schema.maxLength}`;
  if (schema.format !== undefined && schema.format !== "date-time")
    return `${at}.format "${String(schema.format)}" is not supported (only "date-time")`;
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) return `${at}.enum must be a non-empty list`;
  if (schema.$ref !== undefined && (typeof schema.$ref !== "string" || resolveRef(root, schema.$ref) === undefined))
    return `${at}.$ref ${JSON.stringify(schema.$ref)} names no definition (write "#/$defs/<name>" with the name under the root's $defs)`;
  if (schema.$ref !== undefined && refersToItself(root, schema))
    return `${at}.$ref ${JSON.stringify(schema.$ref)} only leads back to itself`;
  if (schema.properties !== undefined && !isPlainObject(schema.properties)) return `${at}.properties must be an object of schemas`;
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const problem = nodeProblem(child, root, `${at}.properties${member(name)}`);
    if (problem) return problem;
  }
  if (isPlainObject(schema.additionalProperties)) {
    const problem = nodeProblem(schema.additionalProperties, root, `${at}.additionalProperties`);
    if (problem) return problem;
  } else if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== "boolean")
    return `${at}.additionalProperties must be a boolean or a schema`;
  if (schema.items !== undefined) {
    const problem = nodeProblem(schema.items, root, `${at}.items`);
    if (problem) return problem;
  }
  if (schema.$defs !== undefined && !isPlainObject(schema.$defs)) return `${at}.$defs must be an object of schemas`;
  for (const [name, definition] of Object.entries(schema.$defs ?? {})) {
    const problem = nodeProblem(definition, root, `${at}.$defs${member(name)}`);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether following `$ref`s from a schema comes back to one already passed without reaching any other keyword. */
function refersToItself(root: JsonSchema, schema: JsonSchema): boolean {
  const seen = new Set<JsonSchema>();
  for (let node: JsonSchema | undefined = schema; node?.$ref !== undefined; node = resolveRef(root, node.$ref)) {
    if (seen.has(node)) return true;
    seen.add(node);
  }
  return false;
}

/**
 * Every way `value` fails `schema`, each message naming the path that is wrong (`payload.lines[2].sku:
 * must be a string, got 5`); empty when it is valid. The schema is assumed checked (`schemaProblem`).
 */
export function validate(schema: JsonSchema, value: unknown, path = "payload"): string[] {
  const problems: string[] = [];
  check(schema, schema, value, path, problems);
  return problems;
}

/** A payload check (what a domain's and a contract's event types hold) that reports the schema's problems. */
export function payloadCheck(schema: JsonSchema): PayloadCheck {
  return (payload) => {
    const problems = validate(schema, payload);
    return problems.length === 0 ? undefined : problems.join("; ");
  };
}

function check(root: JsonSchema, schema: JsonSchema, value: unknown, path: string, problems: string[]): void {
  if (schema.$ref !== undefined) {
    const target = resolveRef(root, schema.$ref);
    if (target) check(root, target, value, path, problems);
  }
  const kind = jsonTypeOf(value);
  if (kind === undefined) {
    problems.push(`${path}: ${describe(value)} is not a JSON value`);
    return;
  }
  const types = typesOf(schema);
  if (!types.some((type) => type === kind || (type === "number" && kind === "integer"))) {
    problems.push(`${path}: must be ${types.map(article).join(" or ")}, got ${describe(value)}`);
    return;
  }
  if (schema.const !== undefined && !jsonEqual(schema.const, value))
    problems.push(`${path}: must be ${JSON.stringify(schema.const)}, got ${describe(value)}`);
  if (schema.enum !== undefined && !schema.enum.some((allowed) => jsonEqual(allowed, value)))
    problems.push(`${path}: must be one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(", ")}, got ${describe(value)}`);
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: must be at least ${schema.minimum}, got ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: must be at most ${schema.maximum}, got ${value}`);
  } else if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      problems.push(`${path}: must be at least ${schema.minLength} characters, got ${length}`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      problems.push(`${path}: must be at most ${schema.maxLength} characters, got ${length}`);
    if (schema.format === "date-time" && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))))
      problems.push(`${path}: must be a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z), got ${describe(value)}`);
  } else if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => check(root, schema.items!, item, `${path}[${index}]`, problems));
  } else if (isPlainObject(value)) {
    for (const name of schema.required ?? []) if (value[name] === undefined) problems.push(`${path}${member(name)}: is required`);
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const declared = ownValue(schema.properties, name);
      if (declared) check(root, declared, item, `${path}${member(name)}`, problems);
      else if (schema.additionalProperties === false)
        problems.push(`${path}${member(name)}: is not a declared property (additionalProperties is false)`);
      else if (isPlainObject(schema.additionalProperties))
        check(root, schema.additionalProperties, item, `${path}${member(name)}`, problems);
    }
  }
}

/** The JSON type of a value ("integer" for a whole number), or undefined when JSON has no such value. */
function jsonTypeOf(value: unknown): JsonType | undefined {
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isFinite(value) ? (Number.isInteger(value) ? "integer" : "number") : undefined;
  if (Array.isArray(value)) return "array";
  if (isPlainObject(value)) return "object";
  return undefined;
}

/** Two JSON values are equal: the same type, and the same members (objects in any key order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    return keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length && keys.every((key) => jsonEqual(a[key], b[key]));
  }
  return false;
}

/** How a path names a property: `.name`, or `["odd name"]` when it is not an identifier. */
export const member = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);

const article = (type: JsonType): string =>
  type === "null" ? "null" : type === "array" || type === "integer" || type === "object" ? `an ${type}` : `a ${type}`;

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") return `a ${typeof value}`;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
