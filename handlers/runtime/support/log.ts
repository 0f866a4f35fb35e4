/**
 * Structured logs through Powertools' Logger: one JSON object per line with the service, the
 * request id and cold start once a Lambda adapter adds its context. The level comes from the
 * environment (POWERTOOLS_LOG_LEVEL, else LOG_LEVEL), read at every call.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";

let instance: Logger | undefined;
const LEVELS = new Set(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"]);

/** The logger, at the level the environment names now (tests and the local stage change it between runs). */
export function logger(): Logger {
  const named = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO").toUpperCase();
  const level = (LEVELS.has(named) ? named : "INFO") as LogLevel;
  instance ??= new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? process.env.SERVICE_NAME ?? "event-ledger", logLevel: level });
  if (instance.getLevelName() !== level) instance.setLogLevel(level);
  return instance;
}

type Fields = Record<string, unknown>;

/** The runtime's log calls: a message and the fields that let a query find it. */
export const log = {
  debug: (message: string, fields: Fields = {}) => logger().debug(message, fields),
  info: (message: string, fields: Fields = {}) => logger().info(message, fields),
  warn: (message: string, fields: Fields = {}) => logger().warn(message, fields),
  error: (message: string, fields: Fields = {}) => logger().error(message, fields),
};
