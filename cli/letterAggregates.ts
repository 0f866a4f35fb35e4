/**
 * Whether a dead letter's body names an aggregate, whatever its shape: a state-carried event's
 * `aggregateId` (an EventBridge envelope, moved by SQS or by EventBridge), a projector's letter whose
 * input holds such a body as JSON text, a dispatcher's letter holding stream records (`{ S: id }`),
 * a claim check's `aggregateRef`.
 */
export function letterNamesAggregate(body: string, aggregateId: string): boolean {
  const visit = (value: unknown, depth: number): boolean => {
    if (depth > 12) return false;
    if (typeof value === "string") {
      const text = value.trim();
      if (!text.startsWith("{") && !text.startsWith("[")) return false;
      try {
        return visit(JSON.parse(text), depth + 1);
      } catch {
        return false;
      }
    }
    if (Array.isArray(value)) return value.some((item) => visit(item, depth + 1));
    if (typeof value !== "object" || value === null) return false;
    for (const [key, field] of Object.entries(value)) {
      if (key === "aggregateId" && (field === aggregateId || (field as { S?: unknown } | null)?.S === aggregateId)) return true;
      if (visit(field, depth + 1)) return true;
    }
    return false;
  };
  return visit(body, 0);
}
