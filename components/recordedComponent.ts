import type * as pulumi from "@pulumi/pulumi";
import type { StartPolicy } from "../handlers/runtime/ledger/conventions";

/** A user module's export a component bundles: a domain, projection, publication or reaction. */
export interface ModuleExport {
  readonly module: string;
  readonly exportName: string;
}

/**
 * What a component of this package told the program about itself when it was created: enough for
 * the local stage to run the same pieces (their handler code, their modules, how they connect) on
 * this machine, and for the program to refuse what cannot work (two services of one name).
 */
export type RecordedComponent =
  | { readonly kind: "EventLedger"; readonly name: string; readonly component: object }
  | { readonly kind: "ServiceBus"; readonly name: string; readonly component: object; readonly serviceName: string }
  | {
      readonly kind: "AggregateDispatcher";
      readonly name: string;
      readonly ledger: object;
      readonly bus: object;
      readonly domain: ModuleExport;
      /** The name of the domain it folds, as its bundle loaded it. */
      readonly domainName?: string;
      readonly publications?: ModuleExport;
    }
  | {
      readonly kind: "Projector";
      readonly name: string;
      readonly component: object;
      readonly bus: BusReference;
      readonly ledger?: object;
      readonly projection: ModuleExport;
    }
  | {
      readonly kind: "CommandApi";
      readonly name: string;
      readonly ledger: object;
      readonly domain: ModuleExport;
      /** The name of the domain it decides with, as its bundle loaded it. */
      readonly domainName?: string;
      readonly replica?: object;
      readonly start?: StartPolicy;
    }
  | {
      readonly kind: "Reactor";
      readonly name: string;
      readonly bus: BusReference;
      readonly ledger: object;
      readonly reaction: ModuleExport;
      /** The reaction's own name: its checkpoints and command keys are named by it. */
      readonly reactionName: string;
      /** The name of the domain its reaction's commands are for (the reaction's target). */
      readonly domainName?: string;
    };

/** A bus as a consumer names it: the component of this program, or the service it carries (a bus of another stack). */
export type BusReference = { readonly component: object } | { readonly serviceName: pulumi.Input<string> };
