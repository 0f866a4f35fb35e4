import { AssertionError } from "node:assert";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compatibilityProblems } from "../contracts/compatibility";
import { Contract, contractLabel, requireContract } from "../contracts/contract";
import { contractDocument, contractFileName, contractFromDocument } from "../contracts/document";
import { jsonEqual } from "../contracts/schema";

/** What `assertContractCompatible` found: the file was written (it was missing), or it matches. */
export type ContractFileOutcome = "written" | "unchanged";

/**
 * The compatibility test of a published contract, for a producer's test suite (any runner: a failed
 * expectation throws an AssertionError). `publishedFile` is the committed document,
 * `<dir>/<name>.v<version>.json`:
 * - missing: it is written from the contract (commit it), and the assertion passes;
 * - incompatible: it fails, listing what a subscriber written against the file would break on;
 * - compatible but different (a new optional property, a new event type...): the regenerated document
 *   is written over it and the assertion fails, saying to commit it, so the committed file always is
 *   what the producer publishes;
 * - the same (as JSON: formatting and key order aside): it passes.
 *
 * ```ts
 * it("keeps orders.v1 compatible", () => assertContractCompatible(ordersContract, path.join(__dirname, "contracts", "orders.v1.json")));
 * ```
 */
export function assertContractCompatible(contract: Contract, publishedFile: string): ContractFileOutcome {
  requireContract(contract);
  const expectedName = contractFileName(contract);
  if (path.basename(publishedFile) !== expectedName)
    throw new AssertionError({
      message: `${publishedFile} cannot hold ${contractLabel(contract)}: its file is named ${expectedName} (each major version has a file of its own)`,
    });
  const document = contractDocument(contract);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (!existsSync(publishedFile)) {
    mkdirSync(path.dirname(publishedFile), { recursive: true });
    writeFileSync(publishedFile, text);
    return "written";
  }
  let committed: unknown;
  try {
    committed = JSON.parse(readFileSync(publishedFile, "utf8"));
  } catch (error) {
    throw new AssertionError({ message: `${publishedFile} is not JSON: ${(error as Error).message}` });
  }
  const previous = contractFromDocument(committed, publishedFile);
  const problems = compatibilityProblems(previous, contract);
  if (previous.version !== contract.version)
    problems.unshift(`version changed from ${previous.version} to ${contract.version}: a new version is a new file (${expectedName})`);
  if (problems.length > 0)
    throw new AssertionError({
      message: [
        `${contractLabel(contract)} is not compatible with ${publishedFile}; a subscriber written against it would break on:`,
        ...problems.map((problem) => `  - ${problem}`),
        `Keep the published shape, or publish the change as version ${contract.version + 1} beside this one.`,
      ].join("\n"),
    });
  if (jsonEqual(committed, document)) return "unchanged";
  writeFileSync(publishedFile, text);
  throw new AssertionError({
    message: `${contractLabel(contract)} changed compatibly since ${publishedFile} was committed: the regenerated document was written there; commit it`,
  });
}
