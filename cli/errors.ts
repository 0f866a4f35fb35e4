import { LedgerError } from "../handlers/runtime/support/errors";

/**
 * A mistake in the command line (an unknown, missing or bad flag, a value the stack refutes): said
 * in one line with the command's usage, and exit code 2. Nothing was read or written because of it.
 */
export class UsageError extends LedgerError {
  readonly code = "usage";
}

/** Something the command reads or writes, named by the flag that gave it, for messages that say what to check. */
export interface Resource {
  /** What it is: "table", "queue", "bucket", "event bus", ... */
  readonly kind: string;
  readonly name: string;
  /** The flag that named it, e.g. "--ledger-table". */
  readonly flag: string;
}

/** A call on a resource failed: the resource, with the SDK's error as `cause`, so the message can name the flag to check. */
export class ResourceError extends LedgerError {
  readonly code = "resource";
  constructor(
    readonly resource: Resource,
    options: ErrorOptions,
  ) {
    const cause = options.cause as { name?: string; message?: string } | undefined;
    super(
      `${resource.kind} ${resource.name} (${resource.flag}): ${cause?.name ?? "error"}: ${cause?.message ?? String(options.cause)}`,
      options,
    );
  }
}

/** Runs `work` on `resource`; a failure comes back as a ResourceError naming it, unless it already names one. */
export async function onResource<T>(resource: Resource, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ResourceError || error instanceof UsageError) throw error;
    throw new ResourceError(resource, { cause: error });
  }
}
