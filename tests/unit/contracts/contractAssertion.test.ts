import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { assertContractCompatible, contractDocument, defineContract } from "../../../handlers/runtime";
import { accountsContract } from "./fixtures";

describe("assertContractCompatible: a producer's test of its published contract", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "contracts-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = () => path.join(dir, "contracts", "accounts.v1.json");

  it("writes the document when the file is missing, then passes on it unchanged (formatting and key order aside)", () => {
    assert.equal(assertContractCompatible(accountsContract, file()), "written");
    const written = JSON.parse(readFileSync(file(), "utf8"));
    assert.deepEqual(written, JSON.parse(JSON.stringify(contractDocument(accountsContract))));
    assert.equal(written.eventTypes.BalanceChanged.detailType, "accounts.v1.BalanceChanged");
    assert.deepEqual(written.envelope.required, ["contract", "contractVersion", "service", "aggregateId", "version", "timestamp"]);
    writeFileSync(file(), JSON.stringify({ ...written, name: written.name }));
    assert.equal(assertContractCompatible(accountsContract, file()), "unchanged");
  });

  it("fails on an incompatible change, listing each problem and leaving the file as it was", () => {
    assertContractCompatible(accountsContract, file());
    const before = readFileSync(file(), "utf8");
    const { BalanceChanged, AccountOpened } = accountsContract.eventTypes;
    const broken = defineContract({
      ...accountsContract,
      eventTypes: { AccountOpened: { ...AccountOpened, required: [...AccountOpened.required!, "email"] } },
    });
    assert.ok(BalanceChanged);
    assert.throws(
      () => assertContractCompatible(broken, file()),
      (error: Error) => {
        assert.match(
          error.message,
          /accounts\.v1 is not compatible with .*accounts\.v1\.json; a subscriber written against it would break on:/,
        );
        assert.match(error.message, /- AccountOpened: payload\.email: newly required/);
        assert.match(error.message, /- BalanceChanged: event type removed from accounts\.v1/);
        assert.match(error.message, /publish the change as version 2 beside this one/);
        return true;
      },
    );
    assert.equal(readFileSync(file(), "utf8"), before);
  });

  it("on a compatible change, writes the regenerated document and fails saying to commit it; passes once it is the file", () => {
    assertContractCompatible(accountsContract, file());
    const grown = defineContract({
      ...accountsContract,
      eventTypes: { ...accountsContract.eventTypes, AccountClosed: { type: "object" } },
    });
    assert.throws(
      () => assertContractCompatible(grown, file()),
      /changed compatibly since .* was committed: the regenerated document was written there; commit it/,
    );
    assert.ok(JSON.parse(readFileSync(file(), "utf8")).eventTypes.AccountClosed);
    assert.equal(assertContractCompatible(grown, file()), "unchanged");
  });

  it("refuses a file named for another version, and a file that is not JSON", () => {
    assert.throws(
      () => assertContractCompatible({ ...accountsContract, version: 2 }, file()),
      /cannot hold accounts\.v2: its file is named accounts\.v2\.json/,
    );
    assert.ok(!existsSync(file()));
    assertContractCompatible(accountsContract, file());
    writeFileSync(file(), "{ not json");
    assert.throws(() => assertContractCompatible(accountsContract, file()), /accounts\.v1\.json is not JSON/);
  });
});
