import * as pulumi from "@pulumi/pulumi";
import { ResourceKind, physicalName } from "./names";

/**
 * The arguments naming a component's resource `${component}-${part}` in this stack: none while
 * Pulumi's autoname of it is valid, else a derived name or prefix (see names.ts).
 */
export const nameArgs = (kind: ResourceKind, component: string, part: string): Record<string, string> =>
  physicalName(kind, component, part, `${pulumi.getProject()}/${pulumi.getStack()}`);
