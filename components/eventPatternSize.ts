/** Characters an EventBridge event pattern may have: the default quota, adjustable up to 4,096. */
export const EVENT_PATTERN_MAX_CHARACTERS = 2048;

/**
 * The pattern as the JSON EventBridge receives, refused when the program runs if it is longer than
 * `limit` (which EventBridge would refuse only at deploy), saying what it is, its size and the limit.
 */
export function checkEventPattern(pattern: unknown, what: string, limit: number = EVENT_PATTERN_MAX_CHARACTERS): string {
  const json = JSON.stringify(pattern);
  if (json.length > limit) {
    throw new Error(
      `${what} is ${json.length} characters, more than the ${limit} an EventBridge event pattern may have (a quota: raise it, up to 4,096, with Service Quotas, then pass the new limit)`,
    );
  }
  return json;
}
