import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, DynamoDBClientConfig, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { onExit } from "./lifecycle";

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

/**
 * The watchdog between this process and the JVM, run by `node -e` (plain JavaScript, so it starts the
 * same from the TypeScript sources and from a build). Its arguments: the grace in ms, then the command.
 * It starts the command in a process group of its own and, when its standard input closes (this
 * process stopping the emulator, or dying in any way, SIGKILL included), sends that group SIGTERM and,
 * after the grace, SIGKILL. When the command exits, whatever it left in its group is killed and the
 * watchdog exits with the command's code. Interrupts and hangups are this process's to handle.
 */
const WATCHDOG = `
const { spawn } = require("node:child_process");
const { constants } = require("node:os");
const [grace, command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { detached: true, stdio: ["ignore", "inherit", "inherit"] });
const group = (signal) => { try { process.kill(-child.pid, signal); } catch {} };
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  group("SIGTERM");
  setTimeout(() => group("SIGKILL"), Number(grace)).unref();
};
process.stdin.on("end", stop).on("error", stop).resume();
process.on("SIGTERM", stop).on("SIGINT", () => {}).on("SIGHUP", () => {});
child.on("error", (error) => { process.stderr.write(command + ": " + error.message + "\\n"); process.exit(127); });
child.on("exit", (code, signal) => { group("SIGKILL"); process.exit(code ?? 128 + (constants.signals[signal] ?? 0)); });
`;

/** How long the JVM has to exit on SIGTERM before its group is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * DynamoDB Local, AWS's emulator, from the jar inside the amplify-dynamodb-simulator package, with the
 * flags that package passes. The JVM runs under a watchdog (above) that holds a pipe from this process,
 * so the JVM and anything it spawns die with this process however it ends; `stop` closes that pipe,
 * and every exit path of a process run by local/lifecycle.ts calls `stop`.
 */
export class DynamoDbLocal {
  private constructor(
    private readonly stopOnce: () => Promise<void>,
    readonly config: DynamoDbEndpoint,
  ) {}

  /** Starts an in-memory instance on a free loopback port and waits until it answers. */
  static async start(options: { timeoutMs?: number; jvmOptions?: string[] } = {}): Promise<DynamoDbLocal> {
    const emulator = path.join(path.dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
    const port = await freePort();
    const java = [
      "java",
      ...(options.jvmOptions ?? (process.env.DYNAMODB_LOCAL_JVM_OPTIONS ?? "").split(" ").filter(Boolean)),
      `-Djava.library.path=${path.join(emulator, "DynamoDBLocal_lib")}`,
      "-jar",
      path.join(emulator, "DynamoDBLocal.jar"),
      "-inMemory",
      "-disableTelemetry",
      "-port",
      String(port),
    ];
    // Detached: a signal to this process's group (Ctrl-C, a runner killing the group) reaches neither the
    // watchdog nor the JVM; this process stops them, or the watchdog does when this process is gone.
    // NODE_OPTIONS is this process's (a loader, an inspector port), not the watchdog's.
    const child = spawn(process.execPath, ["-e", WATCHDOG, "--", String(STOP_GRACE_MS), ...java], {
      cwd: emulator,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    // The watchdog gone (its command exited) leaves nothing to stop: closing its pipe then may fail with EPIPE.
    child.stdin?.on("error", () => undefined);
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const exited = once(child, "exit").then(([code]) => code as number | null);
    const stop = onExit(`DynamoDB Local on port ${port}`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      await exited;
    });
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
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on port ${port} within ${options.timeoutMs ?? 30_000} ms:\n${output}`);
        await sleep(100);
      }
    } catch (error) {
      await stop();
      throw error;
    } finally {
      probe.destroy();
    }
    return new DynamoDbLocal(stop, config);
  }

  /** Stops the JVM and its group and waits until the watchdog has exited; later calls wait for the same stop. */
  stop(): Promise<void> {
    return this.stopOnce();
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
