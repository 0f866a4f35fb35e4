import * as assert from "node:assert/strict";
import { ResourceError } from "../../../cli/errors";
import { describeChain, explain } from "../../../cli/failures";
import { CheckpointError } from "../../../handlers/runtime/operations/replayRun";
import { StoreUnavailableError } from "../../../handlers/runtime/support/errors";
import { serviceError } from "../../support/stubClient";

const ledger = { kind: "table", name: "accounts-ledger-1a2b", flag: "--ledger-table" };
const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, ...extra });

describe("cli/failures: a failure in one line naming what to set or fix", () => {
  it("a missing region names AWS_REGION and --region", () => {
    assert.equal(
      explain(new ResourceError(ledger, { cause: new Error("Region is missing") }), "the AWS profile's region"),
      "no AWS region: set AWS_REGION or --region",
    );
  });

  it("missing credentials name AWS_PROFILE and the access key variables; expired ones say to renew them", () => {
    assert.match(
      explain(named("CredentialsProviderError", "Could not load credentials from any providers"), "region eu-west-1"),
      /^no AWS credentials: set AWS_PROFILE .*AWS_ACCESS_KEY_ID/,
    );
    assert.match(
      explain(serviceError("ExpiredTokenException", 400, "The security token included in the request is expired")(), "region eu-west-1"),
      /^the AWS credentials have expired: renew them/,
    );
    assert.match(
      explain(serviceError("UnrecognizedClientException", 400)(), "region eu-west-1"),
      /not valid in region eu-west-1 .*check AWS_PROFILE/,
    );
  });

  it("a table that does not exist is named with where it was looked for and the flag that named it, through the library's own wrappers", () => {
    const missing = serviceError("ResourceNotFoundException", 400, "Requested resource not found")();
    const wrapped = new ResourceError(ledger, { cause: new StoreUnavailableError("Query", ledger.name, { cause: missing }) });
    assert.equal(
      explain(wrapped, "region eu-west-1"),
      "table accounts-ledger-1a2b does not exist in region eu-west-1: check --ledger-table",
    );
    assert.equal(
      explain(
        new ResourceError(
          { kind: "queue", name: "https://sqs/q", flag: "--queue-url" },
          { cause: named("QueueDoesNotExist", "The specified queue does not exist.") },
        ),
        "http://127.0.0.1:8000",
      ),
      "queue https://sqs/q does not exist in http://127.0.0.1:8000: check --queue-url",
    );
  });

  it("an endpoint that does not answer says to start the local stage or check --endpoint", () => {
    const refused = new ResourceError(ledger, {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED" }),
    });
    assert.match(
      explain(refused, "http://127.0.0.1:8000"),
      /^nothing answers at http:\/\/127\.0\.0\.1:8000 on table .* \(--ledger-table\): start the local stage .* or check --endpoint$/,
    );
  });

  it("access denied names the resource; the library's own errors keep their message; every answer is one line", () => {
    assert.match(
      explain(
        new ResourceError(ledger, { cause: serviceError("AccessDeniedException", 400, "not authorized to perform: dynamodb:Query")() }),
        "region eu-west-1",
      ),
      /^access denied on table accounts-ledger-1a2b \(--ledger-table\) in region eu-west-1: not authorized to perform: dynamodb:Query/,
    );
    const checkpoint = new CheckpointError(".replay-x.json", "belongs to another run");
    assert.equal(explain(checkpoint, "region eu-west-1"), "the checkpoint .replay-x.json belongs to another run");
    assert.doesNotMatch(explain(new Error("first\n  second"), "x"), /\n/);
  });

  it("--verbose's chain lists every cause with its stack", () => {
    const chain = describeChain(new ResourceError(ledger, { cause: new Error("Region is missing") }));
    assert.match(chain, /^ResourceError: table accounts-ledger-1a2b/);
    assert.match(chain, /\ncaused by: Error: Region is missing\n\s+at /);
  });
});
