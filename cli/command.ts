import { Options, Positional, Values } from "./args";
import { AwsClients, Connection, GivenClients } from "./awsClients";

/** Where a command writes: results on `out` (stdout), progress and failures on `err` (stderr). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** What a command runs with besides its values: where to write, and its AWS clients. */
export interface CommandContext {
  readonly io: CliIo;
  /** The clients for a connection (region, endpoints), built on first use and closed when the command ends. */
  clients(connection: Connection): AwsClients;
  /** Stops long runs (Ctrl-C): they save where they are and end. */
  readonly signal?: AbortSignal;
  /** Milliseconds between progress lines. */
  readonly progressEveryMs: number;
}

/** What the program gives a command run besides the command line (tests give stubbed clients). */
export interface CliDependencies {
  readonly clients?: GivenClients;
  readonly signal?: AbortSignal;
  readonly progressEveryMs?: number;
}

export interface CommandSpec<O extends Options> {
  readonly name: string;
  /** One line, in the command list. */
  readonly summary: string;
  /** What it does, in a paragraph of --help. */
  readonly description?: string;
  /** The synopsis lines after "usage:"; default one built from the required options. */
  readonly usage?: readonly string[];
  readonly positionals?: readonly Positional[];
  readonly options: O;
  readonly examples?: readonly string[];
  /** Runs the command; resolves its exit code (0 done, 1 something failed). Throws a UsageError for a bad line. */
  run(values: Values<O>, positionals: string[], context: CommandContext): Promise<number>;
}

/** A command of the table: one that runs, or a group of commands (`dlq list`, `dlq show`, ...). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly usage?: readonly string[];
  readonly positionals?: readonly Positional[];
  readonly options: Options;
  readonly examples?: readonly string[];
  readonly subcommands?: readonly Command[];
  run?(values: Record<string, unknown>, positionals: string[], context: CommandContext): Promise<number>;
}

/** A command whose run sees its values typed from its options. */
export const defineCommand = <O extends Options>(spec: CommandSpec<O>): Command => ({
  ...spec,
  run: (values, positionals, context) => spec.run(values as Values<O>, positionals, context),
});

/** A command made of subcommands, chosen by the next word. */
export const defineGroup = (group: { name: string; summary: string; description?: string; subcommands: readonly Command[] }): Command => ({
  ...group,
  options: {},
});
