import { ConfigurationError } from "./errors";

/**
 * What each environment variable a component sets on a function may hold. The component checks
 * the value it is given against the same rule at program time (`settingProblem`), and the function
 * checks the variable at cold start, so a bad value fails `pulumi up` where it is known, and a
 * function whose variable was changed by hand fails at once, naming the variable.
 */
export type SettingRule = { kind: "integer"; min: number } | { kind: "choice"; choices: readonly string[] };

/** What is wrong with a value for this rule, or undefined. */
export function settingProblem(value: unknown, rule: SettingRule): string | undefined {
  if (rule.kind === "integer") {
    return typeof value === "number" && Number.isSafeInteger(value) && value >= rule.min
      ? undefined
      : `must be an integer of at least ${rule.min}, got ${JSON.stringify(value)}`;
  }
  return typeof value === "string" && rule.choices.includes(value)
    ? undefined
    : `must be one of ${rule.choices.map((choice) => `"${choice}"`).join(", ")}, got ${JSON.stringify(value)}`;
}

const variable = (name: string) => `environment variable ${name}`;

/** A variable that must be set and not blank (a misconfigured function fails loudly at cold start). */
export function requireEnv(name: string): string {
  const value = optionalEnv(name);
  if (value === undefined) throw new ConfigurationError(variable(name), "is not set; the component sets it on the function");
  return value;
}

/** A variable that may be unset; set, it may not be blank: a component never sets an empty value. */
export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new ConfigurationError(variable(name), "is set but empty; unset it for the default, or give a value");
  return value;
}

/** An integer variable checked against its rule; unset, undefined (the caller's default applies). */
export function integerEnv(name: string, min: number): number | undefined {
  const raw = optionalEnv(name);
  if (raw === undefined) return undefined;
  const value = /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const problem = settingProblem(Number.isNaN(value) ? raw : value, { kind: "integer", min });
  if (problem) throw new ConfigurationError(variable(name), problem);
  return value;
}

/** A variable holding one of a few names; unset, undefined (the caller's default applies). */
export function choiceEnv<T extends string>(name: string, choices: readonly T[]): T | undefined {
  const value = optionalEnv(name);
  if (value === undefined) return undefined;
  const problem = settingProblem(value, { kind: "choice", choices });
  if (problem) throw new ConfigurationError(variable(name), problem);
  return value as T;
}
