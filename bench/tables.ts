import { LEDGER_TABLE, TableSchema } from "../handlers/runtime/ledger/tableSchemas";

/**
 * The ledger's schema without its stream, for the bench's tables: the bench feeds the dispatcher
 * its records itself, so a stream would only hold records nobody reads. (Measured on DynamoDB
 * Local: writes to a streamed and an unstreamed table cost the same, up to 24,000 records.)
 */
export const BENCH_LEDGER_TABLE: TableSchema = { ...LEDGER_TABLE, stream: undefined };

/**
 * For sections that measure how a command starts: a handler remembering its aggregates would start
 * every repeated command from its memory instead (the contention and local-stage sections measure that).
 */
export const NOTHING_REMEMBERED = { rememberedAggregates: 0 } as const;
