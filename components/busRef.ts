import * as pulumi from "@pulumi/pulumi";
import { EVENT_PATTERN_MAX_CHARACTERS, checkEventPattern } from "./eventPatternSize";
import type { ServiceBus } from "./serviceBus";

/**
 * A service's bus given by its attributes instead of the component: a bus of another Pulumi stack
 * (its outputs through a `StackReference`), or of another account once its events are forwarded to
 * a bus of this one.
 */
export interface ServiceBusAttributes {
  /** The bus's name (or ARN: EventBridge takes either where a bus is named). */
  readonly busName: pulumi.Input<string>;
  /** The bus's ARN. */
  readonly busArn: pulumi.Input<string>;
  /** The service whose events the bus carries: their `source`. */
  readonly serviceName: pulumi.Input<string>;
}

/** A bus to subscribe to: a `ServiceBus` of this program, or the attributes of one deployed elsewhere. */
export type BusInput = ServiceBus | ServiceBusAttributes;

/** A bus's attributes as Outputs, whichever way it was given. */
export interface ResolvedBus {
  readonly busName: pulumi.Output<string>;
  readonly busArn: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
}

/** The attributes of a bus given either way; `component` names the caller in the error for a missing one. */
export function resolveBus(bus: BusInput | undefined, component: string): ResolvedBus {
  if (!bus) throw new Error(`${component}: \`bus\` is required (a ServiceBus, or { busName, busArn, serviceName })`);
  for (const field of ["busName", "busArn", "serviceName"] as const)
    if (bus[field] === undefined || bus[field] === "")
      throw new Error(`${component}: \`bus.${field}\` is required (a ServiceBus, or { busName, busArn, serviceName })`);
  return {
    busName: pulumi.output(bus.busName),
    busArn: pulumi.output(bus.busArn),
    serviceName: pulumi.output(bus.serviceName),
  };
}

/**
 * The event pattern for a service's events as a rule takes it, its size checked: when the program runs
 * for a service named by a plain string (what the rule would refuse fails `pulumi up` at once, naming
 * it), and once resolved for one given as an Output (a StackReference's), where the error then names it.
 */
export function servicePattern(
  serviceName: pulumi.Input<string>,
  pattern: (serviceName: string) => unknown,
  what: string,
  limit: number = EVENT_PATTERN_MAX_CHARACTERS,
): pulumi.Input<string> {
  if (typeof serviceName === "string") return checkEventPattern(pattern(serviceName), what, limit);
  return pulumi.output(serviceName).apply((name) => checkEventPattern(pattern(name), what, limit));
}
