/**
 * What the runtime logs through: a message and the fields that let a query find it. Every class
 * of the core takes one (`logger` in its options); the Lambda entries give Powertools' Logger
 * (JSON with the request id and cold start), anything with these four methods will do.
 */
export interface RuntimeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;

/** An error as a log field: its name, message and code (a stack is for the debugger, not the log line). */
const plain = (value: unknown): unknown =>
  value instanceof Error
    ? { name: value.name, message: value.message, ...("code" in value ? { code: (value as { code: unknown }).code } : {}) }
    : value;

/**
 * The logger of a core class given none: one JSON line per entry on standard error, at the level
 * POWERTOOLS_LOG_LEVEL or LOG_LEVEL names when it logs (default INFO; SILENT for none).
 */
export const defaultLogger: RuntimeLogger = Object.fromEntries(
  LEVELS.map((level, rank) => [
    level.toLowerCase(),
    (message: string, fields: Record<string, unknown> = {}) => {
      const named = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO").toUpperCase();
      const threshold = named === "SILENT" ? LEVELS.length : Math.max(0, LEVELS.indexOf(named as (typeof LEVELS)[number]));
      if (rank < threshold) return;
      const entry = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, plain(value)]));
      process.stderr.write(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...entry })}\n`);
    },
  ]),
) as unknown as RuntimeLogger;
