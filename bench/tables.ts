import { LEDGER_TABLE, TableSchema } from "../handlers/runtime/tableSchemas";

/**
 * The ledger's schema without its stream, for tables the bench reads directly: DynamoDB Local
 * describes the stream on every write to a streamed table, a cost that grows with the stream's
 * length (measured: it dominates after tens of thousands of events), so a streamed table would
 * measure the emulator, not the code.
 */
export const BENCH_LEDGER_TABLE: TableSchema = { ...LEDGER_TABLE, stream: undefined };
