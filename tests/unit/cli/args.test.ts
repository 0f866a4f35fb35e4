import * as assert from "node:assert/strict";
import { COMMON_OPTIONS, flag, helpText, integer, list, parseLine, positiveNumber, text } from "../../../cli/args";
import { UsageError } from "../../../cli/errors";

const OPTIONS = {
  table: text({ required: true, value: "<table>", description: "the table" }),
  export: text({ default: "default", value: "<name>", description: "the export" }),
  rate: positiveNumber({ default: 100, description: "per second" }),
  workers: integer({ min: 1, default: 8, description: "in flight" }),
  "read-model": list({
    value: "<name>=<table>",
    description: "a read model",
    check: (value) => (value.includes("=") ? undefined : "takes <name>=<table>"),
  }),
  "dry-run": flag({ description: "writes nothing" }),
  ...COMMON_OPTIONS,
};

const refused = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseLine(argv, OPTIONS),
    (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes("\n"),
  );

describe("cli/args: options declared once, parsed and described from the declaration", () => {
  it("reads --name value and --name=value, keeps every occurrence of a repeatable option, and applies the defaults", () => {
    const { values, positionals } = parseLine(
      ["acc-1", "--table", "t", "--rate=2.5", "--read-model", "a=x", "--read-model=b=y", "--dry-run"],
      OPTIONS,
      [{ name: "aggregateId", description: "", required: true }],
    );
    assert.deepEqual(positionals, ["acc-1"]);
    assert.deepEqual(values, {
      table: "t",
      rate: 2.5,
      "read-model": ["a=x", "b=y"],
      "dry-run": true,
      export: "default",
      workers: 8,
      help: false,
      verbose: false,
    });
  });

  it("refuses an unknown flag, naming it and the option it is closest to", () => {
    refused(["--table", "t", "--dryrun"], /^unknown option --dryrun \(did you mean --dry-run\?\)$/);
    refused(["--table", "t", "--zzz"], /^unknown option --zzz$/);
    refused(["--table", "t", "-x"], /^unknown option -x$/);
  });

  it("takes the word after a value option as its value even when it starts with '-', so `--rate -3` is refused as a rate", () => {
    refused(["--table", "t", "--rate", "-3"], /^--rate takes a positive number, got "-3"$/);
    refused(["--table", "t", "--workers", "0"], /^--workers takes a positive integer, got "0"$/);
    refused(["--table", "t", "--workers", "2.5"], /^--workers takes a positive integer, got "2.5"$/);
    refused(["--table", "t", "--read-model", "balances"], /^--read-model takes <name>=<table>, got "balances"$/);
  });

  it("says a value is missing when the next word is another option or there is none", () => {
    refused(["--table", "--dry-run"], /^--table takes <table>, got none \(--dry-run is an option\)$/);
    refused(["--table"], /^--table takes <table>, got none$/);
    refused(["--table", ""], /^--table takes a value that is not empty/);
  });

  it("names every missing required option with its value, and refuses a flag given a value or an option given twice", () => {
    refused([], /^missing --table <table>$/);
    refused(["--table", "t", "--dry-run=yes"], /^--dry-run takes no value, got "yes"$/);
    refused(["--table", "t", "--table", "u"], /^--table is given twice$/);
    refused(["--table", "t", "extra"], /^unexpected argument "extra" \(this command takes none\)$/);
  });

  it("stops at --help or -h, whatever else is wrong with the line", () => {
    assert.equal(parseLine(["--bogus", "--rate", "-3", "-h"], OPTIONS).values.help, true);
    assert.equal(parseLine(["--help"], OPTIONS).values.help, true);
  });

  it("lists every option in the help with its value, whether it is required, its default and whether it repeats", () => {
    const help = helpText({ path: "event-ledger x", summary: "does x", options: OPTIONS });
    for (const name of Object.keys(OPTIONS)) assert.match(help, new RegExp(`--${name}\\b`), `--${name} is in the help`);
    assert.match(help, /--table <table> +the table \(required\)/);
    assert.match(help, /--rate <n> +per second \(default: 100\)/);
    assert.match(help, /--read-model <name>=<table> +a read model \(repeatable\)/);
    assert.match(help, /-h, --help/);
    assert.match(help, /^usage: event-ledger x --table <table> \[options\]$/m);
  });
});
