/**
 * A failure as an operator reads it: one line saying what to set or fix (the AWS SDK's errors
 * mapped to the setting that causes them), and on request the chain of errors behind it.
 */
import { LedgerError } from "../handlers/runtime/support/errors";
import { Resource, ResourceError } from "./errors";

type Failure = { name?: string; message?: string; code?: string; cause?: unknown; stack?: string; $metadata?: unknown };

/** The error and every `cause` under it, outermost first. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current: unknown = error; current !== undefined && current !== null && chain.length < 20; current = (current as Failure).cause) {
    if (chain.includes(current)) break;
    chain.push(current);
  }
  return chain;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

const NOT_FOUND = new Set([
  "ResourceNotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NoSuchBucket",
  "NoSuchKey",
]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired"]);
const INVALID_CREDENTIALS = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
]);
const ACCESS_DENIED = new Set(["AccessDeniedException", "AccessDenied", "AccessDeniedFault"]);
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"]);

const on = (resource: Resource | undefined) => (resource ? ` on ${resource.kind} ${resource.name} (${resource.flag})` : "");

/**
 * One line for a failure, naming what to set or check: the region, the credentials, the flag of a
 * resource that does not exist, the endpoint that does not answer. `where` says where the calls
 * went (an endpoint, or a region). Errors of this library keep their own message.
 */
export function explain(error: unknown, where: string): string {
  const chain = causeChain(error) as Failure[];
  const resource = chain.find((link): link is ResourceError => link instanceof ResourceError)?.resource;
  const innermost = chain[chain.length - 1] ?? {};
  const names = chain.map((link) => link?.name ?? "");
  const has = (set: Set<string>) => chain.find((link) => set.has(link?.name ?? "") || set.has(link?.code ?? ""));
  const messages = chain.map((link) => link?.message ?? "");

  if (messages.some((message) => /Region is missing/i.test(message))) return "no AWS region: set AWS_REGION or --region";
  if (names.includes("CredentialsProviderError") || messages.some((message) => /Could not load credentials/i.test(message)))
    return "no AWS credentials: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local stage give --endpoint";
  const expired = has(EXPIRED) ?? chain.find((link) => /security token .* expired|token has expired/i.test(link?.message ?? ""));
  if (expired)
    return `the AWS credentials have expired: renew them (\`aws sso login\` for AWS_PROFILE, or new AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN)`;
  const invalid = has(INVALID_CREDENTIALS);
  if (invalid)
    return `the AWS credentials are not valid in ${where} (${invalid.name}): check AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  const missing = has(NOT_FOUND);
  if (missing) {
    if (resource) return `${resource.kind} ${resource.name} does not exist in ${where}: check ${resource.flag}`;
    return `${oneLine(missing.message ?? missing.name ?? "not found")} (${missing.name}, in ${where})`;
  }
  const denied = has(ACCESS_DENIED);
  if (denied) return `access denied${on(resource)} in ${where}: ${oneLine(denied.message ?? "")} (the credentials need that permission)`;
  const unreachable = has(UNREACHABLE) ?? chain.find((link) => /ECONNREFUSED|getaddrinfo|connect ETIMEDOUT/.test(link?.message ?? ""));
  if (unreachable)
    return where.startsWith("http")
      ? `nothing answers at ${where}${on(resource)}: start the local stage (npm start -- --serve) or check --endpoint`
      : `cannot reach AWS in ${where}${on(resource)} (${oneLine(unreachable.message ?? unreachable.name ?? "")}): check the network and --region`;
  // The library's own errors say what is wrong with the value or the data already.
  const ours = chain.find((link): link is LedgerError => link instanceof LedgerError && !(link instanceof ResourceError));
  if (ours) return oneLine(ours.message);
  const named = resource ? innermost : chain[0];
  const label = named?.name && named.name !== "Error" ? `${named.name}: ` : "";
  return `${label}${oneLine(named?.message ?? String(named))}${on(resource)}`;
}

/** The chain of errors behind a failure, each with its stack, for --verbose. */
export function describeChain(error: unknown): string {
  return causeChain(error)
    .map((link, depth) => {
      const failure = link as Failure;
      const head = depth === 0 ? "" : "caused by: ";
      return `${head}${failure?.stack ?? `${failure?.name ?? "Error"}: ${failure?.message ?? String(link)}`}`;
    })
    .join("\n");
}
