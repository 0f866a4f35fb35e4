/**
 * Which table a stream's records came from: Lambda names the stream in each record it delivers
 * (`eventSourceARN`) and in each failed batch it writes (`DDBStreamBatchInfo.streamArn`), so an
 * operator's tool can tell a ledger's records from another table's before replaying them.
 */

/** The table a DynamoDB stream ARN belongs to (`arn:…:table/<name>/stream/<label>`), or undefined for another form. */
export const tableOfStreamArn = (arn: unknown): string | undefined =>
  typeof arn === "string" ? /:table\/([^/]+)\/stream\//.exec(arn)?.[1] : undefined;

/** A table's name, given as its name or its ARN (`arn:…:table/<name>`). */
export const tableNameOf = (table: string): string => /:table\/([^/]+)$/.exec(table)?.[1] ?? table;

/** The tables other than `ledgerTable` whose streams the records (one, or a list) name; records naming none are taken as the ledger's. */
export function otherTablesOfRecords(records: unknown, ledgerTable: string): string[] {
  const ledger = tableNameOf(ledgerTable);
  const others = new Set<string>();
  for (const record of Array.isArray(records) ? records : [records]) {
    const table = tableOfStreamArn((record as { eventSourceARN?: unknown } | null)?.eventSourceARN);
    if (table !== undefined && table !== ledger) others.add(table);
  }
  return [...others].sort();
}
