import * as assert from "node:assert/strict";
import { Command } from "../../../cli/command";
import { COMMANDS } from "../../../cli/commands";
import { runInProcess } from "./cliRun";

/** Every command that runs, with the words that name it. */
const leaves = (commands: readonly Command[], path: string[] = []): { path: string[]; command: Command }[] =>
  commands.flatMap((command) =>
    command.subcommands ? leaves(command.subcommands, [...path, command.name]) : [{ path: [...path, command.name], command }],
  );

describe("event-ledger --help", () => {
  it("lists every command with its summary", async () => {
    const { code, stdout } = await runInProcess(["--help"]);
    assert.equal(code, 0);
    for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command.name} +${command.summary.slice(0, 20)}`, "m"));
  });

  it("has replay, recover, dlq list/show/redrive, inspect and dev", () => {
    assert.deepEqual(
      leaves(COMMANDS).map(({ path }) => path.join(" ")),
      ["replay", "recover", "dlq list", "dlq show", "dlq redrive", "inspect", "dev"],
    );
  });

  for (const { path, command } of leaves(COMMANDS)) {
    it(`${path.join(" ")} --help lists every option and argument it takes`, async () => {
      const { code, stdout } = await runInProcess([...path, "--help"]);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^event-ledger ${path.join(" ")}: `));
      for (const name of Object.keys(command.options)) assert.match(stdout, new RegExp(`^  (-\\w, )?--${name}\\b`, "m"), `--${name}`);
      for (const positional of command.positionals ?? []) assert.match(stdout, new RegExp(`^  <${positional.name}>`, "m"));
    });
  }

  it("dlq --help lists its subcommands; a command's group without a subcommand prints them and exits 2", async () => {
    const help = await runInProcess(["dlq", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^ {2}list +lists/m);
    assert.match(help.stdout, /^ {2}redrive +sends/m);
    const bare = await runInProcess(["dlq"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /^ {2}show +shows/m);
  });

  it("refuses an unknown command, naming the ones there are", async () => {
    const { code, stderr } = await runInProcess(["replya"]);
    assert.equal(code, 2);
    assert.match(stderr, /^event-ledger: unknown command "replya" \(replay, recover, dlq, inspect, dev\)\n/);
  });
});
