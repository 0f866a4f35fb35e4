/**
 * For sections that measure how a command starts: a handler remembering its aggregates would start
 * every repeated command from its memory instead (the contention and local-stage sections measure that).
 */
export const NOTHING_REMEMBERED = { rememberedAggregates: 0 } as const;
