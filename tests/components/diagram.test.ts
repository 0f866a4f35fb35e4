import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { withDiagram } from "../../local/stackDiagram";
import { exampleStackDiagram } from "../../tools/diagram";

describe("the README's architecture diagram", () => {
  it("is the one the example stack generates today (run npm run diagram after changing a component)", async () => {
    const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const diagram = await exampleStackDiagram();
    assert.ok(withDiagram(readme, diagram) === readme, "README diagram is stale: run npm run diagram");
    // It shows the data flow, not only boxes: the stream into the dispatcher, and what it publishes to.
    assert.match(diagram, /-->\|"stream"\|/);
    assert.match(diagram, /-->\|"state-carried events"\|/);
    assert.match(diagram, /-->\|"after max receives"\|/);
  });
});
