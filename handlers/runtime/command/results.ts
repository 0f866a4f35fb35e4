import { Aggregate, LedgerEvent } from "../domain/domain";

export interface ExecuteOptions {
  /**
   * The client's key for this command: any repeat within the retention window, even from another
   * process and after other commands, gets the first execution's result and appends nothing.
   */
  idempotencyKey?: string;
}

export interface CommandResult<S> {
  /** The aggregate after the appended events. */
  aggregate: Aggregate<S>;
  events: LedgerEvent[];
  /** 1 when the first append won; more after version conflicts; 0 for a repeat answered from its key. */
  attempts: number;
  /** The commit that wrote the events: every event carries it. */
  commitId: string;
  /** True when an idempotency key answered with an earlier execution's result. */
  repeated?: boolean;
}

/** The result of a command spanning several aggregates. */
export interface MultiCommandResult<S> extends Omit<CommandResult<S>, "aggregate"> {
  aggregates: Map<string, Aggregate<S>>;
}
