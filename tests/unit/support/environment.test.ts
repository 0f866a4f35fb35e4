import * as assert from "node:assert/strict";
import { accounts } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { createCommandApiHandler } from "../../../handlers/commandApiHandler";
import { createDispatcherHandler } from "../../../handlers/dispatcherHandler";
import { createProjectorHandler } from "../../../handlers/projectorHandler";
import { ENV } from "../../../handlers/runtime/ledger/conventions";
import { integerEnv, settingProblem } from "../../../handlers/runtime/support/environment";
import { ConfigurationError } from "../../../handlers/runtime/support/errors";

/** Runs `run` with exactly these variables of the component's set (others unset), restoring them after. */
async function withVariables<T>(variables: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const names = Object.values(ENV) as string[];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  for (const [name, value] of Object.entries(variables)) if (value !== undefined) process.env[name] = value;
  try {
    return await run();
  } finally {
    for (const name of names)
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
  }
}

/** A function as each component configures it: its variables, and a first invocation that builds it. */
const FUNCTIONS: Record<string, { variables: Record<string, string>; invoke: () => Promise<unknown> }> = {
  "command API": {
    variables: {
      [ENV.ledgerTable]: "ledger",
      [ENV.idempotencyTable]: "keys",
      [ENV.replicaTable]: "replica",
      [ENV.startPolicy]: "read-first",
      [ENV.rememberedAggregates]: "1000",
      [ENV.maxBodyBytes]: "262144",
    },
    invoke: () => createCommandApiHandler(accounts)({ rawPath: "/nowhere", requestContext: { http: { method: "GET" } } }),
  },
  dispatcher: {
    variables: {
      [ENV.ledgerTable]: "ledger",
      [ENV.snapshotTable]: "snapshots",
      [ENV.eventBusName]: "bus",
      [ENV.serviceName]: "svc",
      [ENV.deadLetterQueueUrl]: "https://sqs.local/dlq",
      [ENV.snapshotEvery]: "100",
    },
    invoke: () => createDispatcherHandler(accounts)({ Records: [] }),
  },
  projector: {
    variables: { [ENV.readModelTable]: "rows", [ENV.deadLetterQueueUrl]: "https://sqs.local/dlq", [ENV.snapshotTable]: "snapshots" },
    invoke: () => createProjectorHandler(balances)({ Records: [] }),
  },
};

const BAD_VALUES: Record<string, string[]> = {
  [ENV.startPolicy]: ["decide", "replica-and-tail", "Read-First"],
  [ENV.rememberedAggregates]: ["many", "1.5", "-1", "1e3"],
  [ENV.maxBodyBytes]: ["0", "lots", "NaN"],
  [ENV.snapshotEvery]: ["-1", "every", "10.5"],
};

describe("configuration from the environment: every variable a component sets is checked the same way at cold start", () => {
  for (const [label, fn] of Object.entries(FUNCTIONS)) {
    it(`${label}: starts with the variables its component sets`, async () => {
      await withVariables(fn.variables, () => fn.invoke());
    });

    for (const name of Object.keys(fn.variables)) {
      it(`${label}: an empty ${name} fails the cold start naming the variable`, async () => {
        await assert.rejects(
          withVariables({ ...fn.variables, [name]: "" }, () => fn.invoke()),
          (error: unknown) => {
            assert.ok(error instanceof ConfigurationError, String(error));
            assert.match(error.message, new RegExp(`environment variable ${name} is set but empty`));
            return true;
          },
        );
      });
      for (const bad of BAD_VALUES[name] ?? []) {
        it(`${label}: ${name}=${JSON.stringify(bad)} fails the cold start naming the variable and the rule`, async () => {
          await assert.rejects(
            withVariables({ ...fn.variables, [name]: bad }, () => fn.invoke()),
            (error: unknown) => {
              assert.ok(error instanceof ConfigurationError, String(error));
              assert.match(error.message, new RegExp(`environment variable ${name} must be`));
              return true;
            },
          );
        });
      }
    }
  }

  it("reads an integer variable strictly, and settingProblem states the rule the components check at program time", async () => {
    await withVariables({ [ENV.snapshotEvery]: " 25 " }, async () => assert.equal(integerEnv(ENV.snapshotEvery, 0), 25));
    assert.equal(settingProblem(5, { kind: "integer", min: 0 }), undefined);
    assert.match(settingProblem(-1, { kind: "integer", min: 0 }) ?? "", /at least 0, got -1/);
    assert.match(
      settingProblem("fast", { kind: "choice", choices: ["catch-up", "decide"] }) ?? "",
      /one of "catch-up", "decide", got "fast"/,
    );
  });
});
