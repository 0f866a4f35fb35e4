import * as pulumi from "@pulumi/pulumi";
import { ServiceBus } from "./serviceBus";

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
