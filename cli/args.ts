/**
 * The command line of `event-ledger`: every option declared once (name, kind, whether required, its
 * default, what it is for and how its value is checked), and from that one declaration both the
 * parser, which refuses unknown flags and bad values with a line naming the flag and what it takes,
 * and the `--help` of each command.
 */
import { UsageError } from "./errors";

/** One option of a command. `T` is the type of its value once parsed (undefined when optional and not given). */
export interface Option<T> {
  readonly kind: "text" | "integer" | "number" | "flag" | "list";
  /** The value's placeholder in help and messages, e.g. "<table>". */
  readonly value?: string;
  readonly description: string;
  readonly required: boolean;
  /** The value when the flag is not given (shown in help). */
  readonly default?: T;
  /** A one-letter alias, e.g. "h" for -h. */
  readonly short?: string;
  /** The value from its text, or what it must be (the message says "--name <problem>, got ..."). */
  readonly convert: (raw: string) => { value: unknown } | { problem: string };
  /** The type of the parsed value (never set: it carries T). */
  readonly parsed?: T;
}

export type Options = Readonly<Record<string, Option<unknown>>>;

/** The parsed values of a command's options, typed from their declarations. */
export type Values<O extends Options> = { [K in keyof O]: O[K] extends Option<infer T> ? T : never };

interface Described {
  readonly description: string;
  readonly value?: string;
  readonly short?: string;
}

interface TextSpec extends Described {
  readonly required?: boolean;
  readonly default?: string;
  /** What is wrong with a value, or undefined. */
  readonly check?: (value: string) => string | undefined;
}

const checked =
  (check?: (value: string) => string | undefined) =>
  (raw: string): { value: unknown } | { problem: string } => {
    if (raw === "") return { problem: "takes a value that is not empty" };
    const problem = check?.(raw);
    return problem ? { problem } : { value: raw };
  };

/** A text option. */
export function text(spec: TextSpec & ({ required: true } | { default: string })): Option<string>;
export function text(spec: TextSpec): Option<string | undefined>;
export function text(spec: TextSpec): Option<string | undefined> {
  return { kind: "text", value: spec.value ?? "<text>", required: spec.required ?? false, ...spec, convert: checked(spec.check) };
}

/** A repeatable text option: every occurrence is kept, in order (none: an empty list). */
export function list(spec: Described & { readonly check?: (value: string) => string | undefined }): Option<string[]> {
  return { kind: "list", value: spec.value ?? "<text>", required: false, default: [], ...spec, convert: checked(spec.check) };
}

interface IntegerSpec extends Described {
  readonly min: number;
  readonly required?: boolean;
  readonly default?: number;
}

const integerWord = (min: number) =>
  min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer of at least ${min}`;

/** An integer option of at least `min`. */
export function integer(spec: IntegerSpec & ({ required: true } | { default: number })): Option<number>;
export function integer(spec: IntegerSpec): Option<number | undefined>;
export function integer(spec: IntegerSpec): Option<number | undefined> {
  return {
    kind: "integer",
    value: spec.value ?? "<n>",
    required: spec.required ?? false,
    ...spec,
    convert: (raw) => {
      const value = /^\s*-?[0-9]+\s*$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(value) && value >= spec.min ? { value } : { problem: `takes ${integerWord(spec.min)}` };
    },
  };
}

/** A positive number option (a rate). */
export function positiveNumber(spec: Described & { readonly default: number }): Option<number> {
  return {
    kind: "number",
    value: spec.value ?? "<n>",
    required: false,
    ...spec,
    convert: (raw) => {
      const value = raw.trim() === "" ? Number.NaN : Number(raw);
      return Number.isFinite(value) && value > 0 ? { value } : { problem: "takes a positive number" };
    },
  };
}

/** An on/off flag: false unless given; it takes no value. */
export function flag(spec: Described): Option<boolean> {
  return { kind: "flag", required: false, default: false, ...spec, value: undefined, convert: () => ({ value: true }) };
}

/** A word the command takes after its name (an aggregate id, message ids). */
export interface Positional {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes every remaining word. */
  readonly variadic?: boolean;
}

/** The options every command has. */
export const COMMON_OPTIONS = {
  help: flag({ short: "h", description: "prints this help" }),
  verbose: flag({ description: "on a failure, prints the chain of errors that caused it, with stacks (or set DEBUG=event-ledger)" }),
} satisfies Options;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

/** The closest of `known` to `word`, when it is close enough to be a typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const ranked = known.map((candidate) => ({ candidate, cost: distance(word, candidate) })).sort((a, b) => a.cost - b.cost);
  const best = ranked[0];
  return best && best.cost <= Math.max(1, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

const flagOf = (name: string, option: Option<unknown>) => `--${name}${option.value ? ` ${option.value}` : ""}`;

export interface ParsedLine {
  values: Record<string, unknown>;
  positionals: string[];
}

/**
 * Parses a command's words against its options and positionals. `--name value`, `--name=value`
 * (needed for a value starting with "--"), `-h`; `--` ends the options. A value option takes the
 * next word even when it starts with "-" (so `--rate -3` is refused as a rate, not as a flag).
 * Throws a UsageError naming the flag and what it takes. `--help` stops the checks of the rest.
 */
export function parseLine(argv: readonly string[], options: Options, positionals: readonly Positional[] = []): ParsedLine {
  const values: Record<string, unknown> = {};
  const words: string[] = [];
  const names = Object.keys(options);
  const byShort = new Map(Object.entries(options).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])));
  const problems: UsageError[] = [];
  let index = 0;
  while (index < argv.length) {
    const word = argv[index++];
    if (word === "--") {
      words.push(...argv.slice(index));
      break;
    }
    if (!word.startsWith("-") || word === "-" || /^-[0-9]/.test(word)) {
      words.push(word);
      continue;
    }
    const long = word.startsWith("--");
    const [rawName, ...rest] = (long ? word.slice(2) : word.slice(1)).split("=");
    const inline = rest.length > 0 ? rest.join("=") : undefined;
    const name = long ? rawName : byShort.get(rawName);
    const option = name === undefined ? undefined : options[name];
    if (name === undefined || option === undefined) {
      const suggestion = long ? closest(rawName, names) : undefined;
      problems.push(new UsageError(`unknown option ${word.split("=")[0]}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`));
      continue;
    }
    let raw: string;
    if (option.kind === "flag") {
      if (inline !== undefined) {
        problems.push(new UsageError(`--${name} takes no value, got "${inline}"`));
        continue;
      }
      raw = "";
    } else if (inline !== undefined) raw = inline;
    else if (index < argv.length && !argv[index].startsWith("--")) raw = argv[index++];
    else {
      problems.push(
        new UsageError(`--${name} takes ${option.value}, got none${index < argv.length ? ` (${argv[index]} is an option)` : ""}`),
      );
      continue;
    }
    if (name === "help") return { values: { help: true }, positionals: [] };
    const converted = option.convert(raw);
    if ("problem" in converted) {
      problems.push(new UsageError(`--${name} ${converted.problem}, got ${JSON.stringify(raw)}`));
      continue;
    }
    if (option.kind === "list") values[name] = [...((values[name] as unknown[] | undefined) ?? []), converted.value];
    else if (name in values && option.kind !== "flag") problems.push(new UsageError(`--${name} is given twice`));
    else values[name] = converted.value;
  }
  if (problems.length > 0) throw problems[0];
  const missing = Object.entries(options)
    .filter(([name, option]) => option.required && values[name] === undefined)
    .map(([name, option]) => flagOf(name, option));
  const variadic = positionals.some((positional) => positional.variadic);
  if (!variadic && words.length > positionals.length)
    throw new UsageError(
      `unexpected argument "${words[positionals.length]}"${positionals.length === 0 ? " (this command takes none)" : ""}`,
    );
  const missingWords = positionals
    .filter((positional, at) => positional.required && words.length <= at)
    .map((positional) => `<${positional.name}>`);
  if (missing.length + missingWords.length > 0) throw new UsageError(`missing ${[...missingWords, ...missing].join(", ")}`);
  for (const [name, option] of Object.entries(options))
    if (values[name] === undefined && option.default !== undefined) values[name] = option.default;
  return { values, positionals: words };
}

/** The synopsis of a command: its required options and positionals, then "[options]". */
export function synopsis(path: string, options: Options, positionals: readonly Positional[] = []): string {
  const required = Object.entries(options)
    .filter(([, option]) => option.required)
    .map(([name, option]) => flagOf(name, option));
  const words = positionals.map((positional) =>
    positional.required
      ? `<${positional.name}>${positional.variadic ? "..." : ""}`
      : `[<${positional.name}>${positional.variadic ? "..." : ""}]`,
  );
  return [path, ...words, ...required, "[options]"].join(" ");
}

const defaultText = (option: Option<unknown>): string | undefined => {
  if (option.default === undefined || option.kind === "flag" || option.kind === "list") return undefined;
  return String(option.default);
};

/** The help of a command: what it does, its usage, every option and positional, examples. */
export function helpText(page: {
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly usage?: readonly string[];
  readonly options: Options;
  readonly positionals?: readonly Positional[];
  readonly examples?: readonly string[];
}): string {
  const rows: [string, string][] = [
    ...(page.positionals ?? []).map((positional): [string, string] => [
      `<${positional.name}>${positional.variadic ? "..." : ""}`,
      `${positional.description}${positional.required ? " (required)" : ""}`,
    ]),
    ...Object.entries(page.options).map(([name, option]): [string, string] => {
      const notes = [
        option.required ? "required" : undefined,
        defaultText(option) !== undefined ? `default: ${defaultText(option)}` : undefined,
        option.kind === "list" ? "repeatable" : undefined,
      ].filter(Boolean);
      return [
        `${option.short ? `-${option.short}, ` : ""}${flagOf(name, option)}`,
        `${option.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
      ];
    }),
  ];
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  const table = rows.map(([left, right]) =>
    left.length + 2 > width ? `  ${left}\n  ${" ".repeat(width)}${right}` : `  ${left.padEnd(width)}${right}`,
  );
  const usage = page.usage ?? [synopsis(page.path, page.options, page.positionals)];
  return [
    `${page.path}: ${page.summary}`,
    ...(page.description ? ["", page.description] : []),
    "",
    `usage: ${usage.join(`\n       `)}`,
    "",
    "options:",
    ...table,
    ...(page.examples && page.examples.length > 0 ? ["", "examples:", ...page.examples.map((example) => `  ${example}`)] : []),
    "",
  ].join("\n");
}
