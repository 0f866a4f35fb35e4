import { Aggregate, LedgerEvent } from "../domain";

/** A read model: which events it needs and how one row is computed from the carried aggregate. */
export interface Projection<S = Record<string, unknown>> {
  /** Projector name: replay events may target it by this name. */
  name: string;
  /** Event types that change this read model; replay events are always accepted. */
  eventTypes: readonly string[];
  /** Aggregate schema version `project` expects. */
  schemaVersion: number;
  /** Turns a state of an older schema into the current shape; without it, other schemas are dead-lettered. */
  upcast?(state: unknown, fromSchemaVersion: number): S;
  /** The row's attributes (the key and version are added by the projector). */
  project(aggregate: Aggregate<S>, event: LedgerEvent): Record<string, unknown>;
}

export const defineProjection = <S>(projection: Projection<S>): Projection<S> => projection;
