import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import { RuntimeLogger } from "./runtime/support/log";

let loggerInstance: Logger | undefined;
const LEVELS = new Set(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"]);

/**
 * Powertools' Logger: one JSON object per line with the service, the request id and cold start
 * once an invocation adds its context; the level from POWERTOOLS_LOG_LEVEL (else LOG_LEVEL), read
 * at every call so the tests and the local stage can change it between runs.
 */
export function logger(): Logger {
  const named = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO").toUpperCase();
  const level = (LEVELS.has(named) ? named : "INFO") as LogLevel;
  loggerInstance ??= new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? process.env.SERVICE_NAME ?? "event-ledger",
    logLevel: level,
  });
  if (loggerInstance.getLevelName() !== level) loggerInstance.setLogLevel(level);
  return loggerInstance;
}

/** The logger the Lambda entries give the core: Powertools', at the level of the moment. */
export const log: RuntimeLogger = {
  debug: (message, fields = {}) => logger().debug(message, fields),
  info: (message, fields = {}) => logger().info(message, fields),
  warn: (message, fields = {}) => logger().warn(message, fields),
  error: (message, fields = {}) => logger().error(message, fields),
};

/**
 * CloudWatch metrics in the embedded metric format (EMF: JSON log lines CloudWatch turns into
 * metrics, no API call), namespace and service from POWERTOOLS_METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME, which the components set. POWERTOOLS_METRICS_DISABLED=true (the tests'
 * default, the local stage) keeps them out of the output.
 */
let instance: Metrics | undefined;
const metrics = (): Metrics =>
  (instance ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "EventLedger",
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? process.env.SERVICE_NAME,
  }));

/**
 * Runs one invocation with the Lambda context on every log line (request id, cold start), then
 * publishes the counts it reports that are not zero, in one EMF line: each counter costs its
 * bytes in CloudWatch Logs on every invocation, so one that counted nothing is left out (graph
 * their Sum; FILL(m, 0) fills the gaps). An invocation that counted nothing writes no line of
 * its own (nor Powertools' warning about an empty one); a cold start adds Powertools' ColdStart line.
 */
export async function instrumented<T>(
  context: Context | undefined,
  work: () => Promise<{ result: T; counts: Record<string, number> }>,
): Promise<T> {
  if (context) logger().addContext(context);
  const { result, counts } = await work();
  // Read at each call, so a test or the local stage can turn metrics on and off.
  if (process.env.POWERTOOLS_METRICS_DISABLED === "true") return result;
  const recorder = metrics();
  recorder.captureColdStartMetric();
  const counted = Object.entries(counts).filter(([, value]) => value !== 0);
  if (counted.length === 0) return result;
  for (const [name, value] of counted) recorder.addMetric(name, MetricUnit.Count, value);
  recorder.publishStoredMetrics();
  return result;
}
