import * as assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { Page, checkSnippets, tsBlocks } from "./snippetCheck";

const ROOT = path.join(__dirname, "..", "..", "..");

/** README.md and docs/*.md; docs/reference.md is generated from sources that compile already. */
const documentation = (): Page[] =>
  [
    "README.md",
    ...readdirSync(path.join(ROOT, "docs"))
      .filter((file) => file.endsWith(".md") && file !== "reference.md")
      .map((file) => `docs/${file}`),
  ].map((name) => ({ name, text: readFileSync(path.join(ROOT, name), "utf8") }));

const fence = (code: string) => ["```ts", code, "```"].join("\n");

/** Pages that must fail, or pass, in known ways: checked in the same program as the documentation. */
const FIXTURES: Page[] = [
  {
    name: "fixture/broken.md",
    text: [
      "# A page",
      fence('import { reject } from "serverless-event-ledger/runtime";\nexport const refusal = reject("no", "never");'),
      "Later, a block using a helper nobody defined:",
      fence("export const state = helper(refusal);"),
    ].join("\n"),
  },
  {
    name: "fixture/blocks.md",
    text: [
      fence('import { defineProjection } from "serverless-event-ledger/runtime";'),
      "The second block uses the first one's import, and the third what the second declared:",
      fence(
        'export const rows = defineProjection<{ n: number }>({ name: "rows", eventTypes: ["Added"], schemaVersion: 1, project: ({ state }) => state });',
      ),
      fence("export const name: string = rows.name;"),
    ].join("\n"),
  },
  {
    name: "fixture/isolated.md",
    text: fence("export const name: string = rows.name;"),
  },
  {
    name: "fixture/files.md",
    text: [
      fence(
        '// file: src/domain.ts\nimport { defineDomain } from "serverless-event-ledger/runtime";\nexport const counters = defineDomain<number, { kind: "Add" }, { type: "Added"; payload: Record<string, never> }>({\n  name: "Counter",\n  schemaVersion: 1,\n  initialState: () => 0,\n  eventTypes: { Added: () => undefined },\n  reduce: (count) => count + 1,\n  decide: () => [{ type: "Added", payload: {} }],\n});',
      ),
      fence(
        '// file: index.ts\nimport { EventLedger } from "serverless-event-ledger";\nimport { counters } from "./src/domain";\nexport const ledger = new EventLedger(counters.name.toLowerCase());',
      ),
    ].join("\n"),
  },
  {
    name: "fixture/skipped.md",
    text: [
      fence("// not compiled: a fragment of an object literal\npayloadVersions: { Read: 3 },"),
      fence("// not compiled:\nnot typescript at all"),
    ].join("\n"),
  },
];

describe("the documentation's TypeScript snippets", () => {
  let problems: string[];
  before(() => {
    problems = checkSnippets([...documentation(), ...FIXTURES]);
  });
  const of = (page: string) => problems.filter((problem) => problem.startsWith(`${page}:`));

  it("type-check against the package's public entry points, in README.md and every docs/*.md page", () => {
    const documented = problems.filter((problem) => !problem.startsWith("fixture/"));
    assert.deepEqual(documented, [], `fix the snippet, or start it with "// not compiled: <reason>":\n${documented.join("\n")}`);
  });

  it("report an error with the page and the page's line of the code that fails", () => {
    assert.deepEqual(of("fixture/broken.md"), ["fixture/broken.md:8: TS2304 Cannot find name 'helper'."]);
  });

  it("make a page one module: a block uses an earlier block's imports and names, and no page sees another's", () => {
    assert.deepEqual(of("fixture/blocks.md"), []);
    assert.deepEqual(of("fixture/isolated.md"), ["fixture/isolated.md:2: TS2304 Cannot find name 'rows'."]);
  });

  it("make a block starting `// file: <path>` a file of its own, importable by relative path", () => {
    assert.deepEqual(of("fixture/files.md"), []);
  });

  it("skip a block starting `// not compiled: <reason>`, and refuse the marker without a reason", () => {
    assert.deepEqual(of("fixture/skipped.md"), ["fixture/skipped.md:6: `// not compiled:` needs its reason"]);
  });

  it("find each ```ts block with the line its code starts on", () => {
    assert.deepEqual(tsBlocks("text\n```ts\nconst a = 1;\n```\n```bash\nls\n```\n```typescript\nconst b = 2;\nconst c = 3;\n```"), [
      { code: "const a = 1;", line: 3 },
      { code: "const b = 2;\nconst c = 3;", line: 9 },
    ]);
  });
});
