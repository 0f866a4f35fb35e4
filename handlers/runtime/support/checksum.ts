import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level: equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field) =>
    typeof field === "object" && field !== null && !Array.isArray(field)
      ? Object.fromEntries(
          Object.keys(field)
            .sort()
            .map((key) => [key, field[key]]),
        )
      : field,
  );
}

/** sha-256 (hex) of a value's canonical JSON. */
export const checksumOf = (value: unknown): string => createHash("sha256").update(canonicalJson(value)).digest("hex");
