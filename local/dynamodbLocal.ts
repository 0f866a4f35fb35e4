import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, DynamoDBClientConfig, ListTablesCommand } from "@aws-sdk/client-dynamodb";

/** Connection settings for a DynamoDB Local instance (dummy credentials: the emulator ignores them). */
export interface DynamoDbEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  httpAuthSchemes: NonNullable<DynamoDBClientConfig["httpAuthSchemes"]>;
}

/**
 * The emulator reads the access key and region from the Authorization header (they name its
 * database) but checks no signature: computing SigV4 for every request cost about a tenth of the
 * local stage's time, so requests carry the header with a placeholder signature instead.
 */
const UNSIGNED: DynamoDbEndpoint["httpAuthSchemes"] = [
  {
    schemeId: "aws.auth#sigv4",
    identityProvider: (config) => config.getIdentityProvider("aws.auth#sigv4"),
    signer: {
      sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
        request.headers.authorization =
          "AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0";
        return request;
      },
    },
  },
];

/** DynamoDB Local, AWS's emulator, from the jar inside the amplify-dynamodb-simulator package. */
export class DynamoDbLocal {
  private constructor(
    private readonly process: ChildProcess,
    readonly config: DynamoDbEndpoint,
  ) {}

  /** Starts an in-memory instance on a free loopback port and waits until it answers. */
  static async start(options: { timeoutMs?: number; jvmOptions?: string[] } = {}): Promise<DynamoDbLocal> {
    const emulator = path.join(path.dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
    const port = await freePort();
    const child = spawn(
      "java",
      [
        ...(options.jvmOptions ?? (process.env.DYNAMODB_LOCAL_JVM_OPTIONS ?? "").split(" ").filter(Boolean)),
        `-Djava.library.path=${path.join(emulator, "DynamoDBLocal_lib")}`,
        "-jar",
        path.join(emulator, "DynamoDBLocal.jar"),
        "-inMemory",
        "-disableTelemetry",
        "-port",
        String(port),
      ],
      { cwd: emulator, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const exited = once(child, "exit").then(([code]) => code as number | null);
    const config: DynamoDbEndpoint = {
      endpoint: `http://127.0.0.1:${port}`,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      httpAuthSchemes: UNSIGNED,
    };
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const probe = new DynamoDBClient({ ...config, maxAttempts: 1 });
    try {
      for (;;) {
        const answered = await Promise.race([
          probe.send(new ListTablesCommand({})).then(
            () => true,
            () => false,
          ),
          exited.then((code) => {
            throw new Error(`DynamoDB Local exited with code ${code} before answering:\n${output}`);
          }),
        ]);
        if (answered) break;
        if (Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error(`DynamoDB Local did not answer on port ${port} within ${options.timeoutMs ?? 30_000} ms:\n${output}`);
        }
        await sleep(100);
      }
    } finally {
      probe.destroy();
    }
    return new DynamoDbLocal(child, config);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = once(this.process, "exit");
    this.process.kill("SIGTERM");
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}
