/**
 * npm run diagram: composes the example service under Pulumi mocks and writes the Mermaid diagram
 * of what it creates into the README (between the diagram markers). `--check` only says whether
 * the README's diagram is current (exit 1 when stale).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compose } from "../local/pulumiMocks";
import { stackDiagram, withDiagram } from "../local/stackDiagram";

export async function exampleStackDiagram(): Promise<string> {
  const { resources } = await compose(async () => {
    const { accountsService, stageConfig } = await import("../examples/accounts/stack");
    accountsService("accounts", stageConfig());
  }, "accounts-service");
  return stackDiagram(resources);
}

async function main(): Promise<void> {
  const readmePath = path.join(__dirname, "..", "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const updated = withDiagram(readme, await exampleStackDiagram());
  if (process.argv.includes("--check")) {
    console.log(updated === readme ? "README diagram is current" : "README diagram is stale: run npm run diagram");
    process.exit(updated === readme ? 0 : 1);
  }
  writeFileSync(readmePath, updated);
  console.log(updated === readme ? "README diagram was already current" : "README diagram updated");
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
