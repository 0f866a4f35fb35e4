/**
 * Structured logs, one JSON object per line (what CloudWatch Logs Insights queries best).
 * LOG_LEVEL = debug | info | warn | error | silent, read at each call so tests can mute it.
 */
import { ENV } from "./conventions";

const LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
type Level = (typeof LEVELS)[number];

const enabled = (level: Level): boolean => {
  const configured = (process.env[ENV.logLevel] ?? "info") as Level;
  const threshold = LEVELS.includes(configured) ? LEVELS.indexOf(configured) : 1;
  return LEVELS.indexOf(level) >= threshold;
};

const write = (level: Level, message: string, fields: Record<string, unknown>): void => {
  if (!enabled(level)) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }, (_key, value) =>
    value instanceof Error ? { name: value.name, message: value.message } : value,
  );
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
};

export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => write("debug", message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => write("info", message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write("warn", message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write("error", message, fields),
};
