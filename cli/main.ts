#!/usr/bin/env node
/**
 * `event-ledger`: the operator's command for a deployed stack (or the local stage with --endpoint).
 * Exit codes: 0 done, 1 a failure (one line saying what to set or fix; --verbose or
 * DEBUG=event-ledger prints the errors behind it), 2 a usage error (the line and the usage).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Positional, helpText, parseLine, synopsis } from "./args";
import { AwsClients } from "./awsClients";
import { CliDependencies, CliIo, Command, CommandContext } from "./command";
import { COMMANDS } from "./commands";
import { UsageError } from "./errors";
import { describeChain, explain } from "./failures";

const NAME = "event-ledger";

/** Seconds between progress lines of long runs (replay, recover). */
const PROGRESS_EVERY_MS = 5_000;

const debugging = (argv: readonly string[]) =>
  argv.includes("--verbose") || (process.env.DEBUG ?? "").split(/[\s,]+/).some((name) => name === NAME || name === "*");

/** The package's version, from the package.json above this file (cli/ in the repository, lib/cli/ once built). */
function version(): string {
  for (let folder = __dirname; folder !== path.dirname(folder); folder = path.dirname(folder)) {
    const file = path.join(folder, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
  }
  return "unknown";
}

/** The help of a group of commands (the top level, or `dlq`): each with its summary. */
function groupHelp(pathName: string, summary: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 3;
  return [
    `${pathName}: ${summary}`,
    "",
    `usage: ${pathName} <command> [options]`,
    "",
    "commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    `${pathName} <command> --help lists a command's options.${pathName === NAME ? " --version prints the version." : ""}`,
    "exit codes: 0 done, 1 failed (a line says what to set or fix; --verbose or DEBUG=event-ledger for the cause), 2 usage error",
    "",
  ].join("\n");
}

const TOP_SUMMARY = "operates an event ledger stack: replay, recover failed batches, redrive dead letters, inspect an aggregate";

function commandHelp(pathName: string, command: Command): string {
  return helpText({ ...command, path: pathName });
}

/** The command line run without the process: the exit code it ends with. */
export async function runCli(argv: readonly string[], io: CliIo, dependencies: CliDependencies = {}): Promise<number> {
  let pathName = NAME;
  let usage = `${NAME} <command> [options]`;
  const connections: AwsClients[] = [];
  const context: CommandContext = {
    io,
    clients: (connection) => {
      const clients = new AwsClients(connection, dependencies.clients);
      connections.push(clients);
      return clients;
    },
    signal: dependencies.signal,
    progressEveryMs: dependencies.progressEveryMs ?? PROGRESS_EVERY_MS,
  };
  try {
    let words = [...argv];
    let choices: readonly Command[] = COMMANDS;
    let summary = TOP_SUMMARY;
    let command: Command | undefined;
    for (;;) {
      const [word, ...rest] = words;
      if (word === undefined) {
        io.err(groupHelp(pathName, summary, choices));
        return 2;
      }
      if (word === "--help" || word === "-h" || word === "help") {
        io.out(groupHelp(pathName, summary, choices));
        return 0;
      }
      if (word === "--version" && pathName === NAME) {
        io.out(`${version()}\n`);
        return 0;
      }
      const chosen = choices.find((candidate) => candidate.name === word);
      if (!chosen)
        throw new UsageError(
          word.startsWith("-")
            ? `say which command first, then its options (got ${word}): ${choices.map((candidate) => candidate.name).join(", ")}`
            : `unknown command "${word}" (${choices.map((candidate) => candidate.name).join(", ")})`,
        );
      pathName = `${pathName} ${chosen.name}`;
      words = rest;
      if (!chosen.subcommands) {
        command = chosen;
        break;
      }
      choices = chosen.subcommands;
      summary = chosen.summary;
      usage = `${pathName} <command> [options]`;
    }
    usage = (command.usage ?? [synopsis(pathName, command.options, command.positionals as Positional[] | undefined)]).join("\n       ");
    const { values, positionals } = parseLine(words, command.options, command.positionals);
    if (values.help) {
      io.out(commandHelp(pathName, command));
      return 0;
    }
    return await command.run!(values, positionals, context);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${pathName}: ${error.message}\nusage: ${usage}\nsee \`${pathName} --help\` for every option\n`);
      return 2;
    }
    const where = connections[connections.length - 1]?.where ?? "AWS";
    io.err(`${pathName}: ${explain(error, where)}\n`);
    if (debugging(argv)) io.err(`${describeChain(error)}\n`);
    return 1;
  } finally {
    for (const clients of connections) clients.destroy();
  }
}

if (require.main === module) {
  // The SDK is pinned to a release that supports Node 20 (see local/prerequisites.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const stop = new AbortController();
  process.on("SIGINT", () => {
    // The first Ctrl-C lets a run save where it stands; a second one ends the process at once.
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write("stopping (Ctrl-C again to end at once)\n");
    stop.abort();
  });
  runCli(
    process.argv.slice(2),
    { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    { signal: stop.signal },
  ).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${NAME}: ${(error as Error)?.message ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
