import { randomUUID } from "node:crypto";
import { IncomingMessage, createServer } from "node:http";
import { AddressInfo } from "node:net";
import { HttpApiEvent } from "../handlers/commandApiHandler";
import { HttpResponse } from "../handlers/runtime/command/httpRoutes";
import { PortInUseError, onExit } from "./lifecycle";

/** Bytes read from a request body at most; beyond, the rest is not buffered (the handler answers 413 long before). */
const MAX_BUFFERED_BODY = 16 * 1024 * 1024;

export interface LocalEndpoint {
  url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BUFFERED_BODY) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks as unknown as Uint8Array[]).toString("utf8");
}

/** The event a Lambda function URL delivers (payload format 2.0) for an HTTP request. */
export function functionUrlEvent(
  method: string,
  target: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): HttpApiEvent {
  const url = new URL(target, "http://localhost");
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  return {
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    headers: flat,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    body: body === "" ? undefined : body,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID(), http: { method, path: url.pathname } },
  };
}

/**
 * Serves a CommandApi Lambda handler on localhost: each HTTP request becomes the function URL event
 * the deployed function receives, and its answer the HTTP response. Port 0 picks a free one; a port
 * taken rejects with PortInUseError. `close` runs once, and on every exit path (local/lifecycle.ts).
 */
export async function serveLambda(handler: (event: HttpApiEvent) => Promise<HttpResponse>, port = 0): Promise<LocalEndpoint> {
  const server = createServer(async (request, response) => {
    try {
      const event = functionUrlEvent(request.method ?? "GET", request.url ?? "/", request.headers, await readBody(request));
      const answer = await handler(event);
      response.writeHead(answer.statusCode, answer.headers).end(answer.body);
    } catch (error) {
      // What Lambda answers when the function itself throws.
      response.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "Internal Server Error" }));
      process.stderr.write(`command API handler threw: ${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port, { cause: error }) : error);
    server.once("error", refused);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", refused);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${bound}`;
  return {
    url,
    // Connections still open are ended, not waited for: a client sending on a kept-alive connection would hold the close.
    close: onExit(`the HTTP server on ${url}`, async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    }),
  };
}
