/**
 * The replay targets a stack has: every Projector subscribes with `projectorEventPattern`, whose
 * pattern names the projector as a replay target, so the targets are read from the bus's rules
 * (deployed: EventBridge's ListRules) or from the rules a Pulumi program declares (under mocks).
 */
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { REPLAY_EVENT_TYPE, isPlainObject } from "../handlers/runtime/domain/domain";
import { ModuleLoadError, loadModule } from "./modules";
import { onResource } from "./errors";

/** A projector's rule: the replay target its pattern names, the service it listens to. */
export interface ProjectorRule {
  /** The rule's name (logical name under --program). */
  readonly rule: string;
  /** The projector name a replay event aims at. */
  readonly target: string;
  /** The service whose events it takes (the pattern's source). */
  readonly source?: string;
  /** False for a rule that is disabled: a replay aimed at it reaches nothing. */
  readonly enabled: boolean;
}

/**
 * The replay targets an event pattern names (the projector's own name in the branch that takes
 * replay events aimed at one target), and its source; undefined for a pattern that is not a
 * projector's. Takes the JSON text EventBridge holds or the object.
 */
export function replayTargetsOfPattern(pattern: unknown): { targets: string[]; source?: string } | undefined {
  let parsed = pattern;
  if (typeof pattern === "string") {
    try {
      parsed = JSON.parse(pattern);
    } catch {
      return undefined;
    }
  }
  if (!isPlainObject(parsed) || !Array.isArray(parsed.$or)) return undefined;
  const targets = new Set<string>();
  for (const branch of parsed.$or) {
    if (!isPlainObject(branch) || !Array.isArray(branch["detail-type"]) || !branch["detail-type"].includes(REPLAY_EVENT_TYPE)) continue;
    const event = isPlainObject(branch.detail) ? branch.detail.event : undefined;
    const payload = isPlainObject(event) ? event.payload : undefined;
    const target = isPlainObject(payload) ? payload.target : undefined;
    if (Array.isArray(target)) for (const name of target) if (typeof name === "string") targets.add(name);
  }
  if (targets.size === 0) return undefined;
  const source = Array.isArray(parsed.source) && typeof parsed.source[0] === "string" ? parsed.source[0] : undefined;
  return { targets: [...targets], ...(source ? { source } : {}) };
}

const rulesOf = (rule: string, pattern: unknown, enabled: boolean): ProjectorRule[] => {
  const found = replayTargetsOfPattern(pattern);
  return found ? found.targets.map((target) => ({ rule, target, enabled, ...(found.source ? { source: found.source } : {}) })) : [];
};

/** The projectors' rules on a deployed bus: ListRules, every page. */
export async function projectorRulesOnBus(eventBridge: EventBridgeClient, bus: string): Promise<ProjectorRule[]> {
  const rules: ProjectorRule[] = [];
  let nextToken: string | undefined;
  do {
    const page = await onResource({ kind: "event bus", name: bus, flag: "--bus" }, () =>
      eventBridge.send(new ListRulesCommand({ EventBusName: bus, NextToken: nextToken, Limit: 100 })),
    );
    for (const rule of page.Rules ?? []) rules.push(...rulesOf(rule.Name ?? "?", rule.EventPattern, rule.State !== "DISABLED"));
    nextToken = page.NextToken;
  } while (nextToken);
  return rules;
}

const RULE_TYPE = "aws:cloudwatch/eventRule:EventRule";

/**
 * The projectors' rules a Pulumi program declares, read from the EventRule inputs it registers when
 * composed under Pulumi's mocks (nothing deployed, nothing read from a cloud). Needs @pulumi/pulumi.
 */
export async function projectorRulesInProgram(program: string): Promise<ProjectorRule[]> {
  let mocks: typeof import("../local/pulumiMocks");
  try {
    mocks = await import("../local/pulumiMocks");
  } catch (error) {
    if ((error as { code?: string })?.code === "MODULE_NOT_FOUND" && /@pulumi\/pulumi/.test(String((error as Error).message)))
      throw new ModuleLoadError(
        "--program needs @pulumi/pulumi and @pulumi/aws installed (npm install --save-dev @pulumi/pulumi @pulumi/aws), or give --bus <the stack's bus name>",
        { cause: error },
      );
    throw error;
  }
  const { resources } = await mocks.compose(() => loadModule("--program", program));
  return resources
    .filter((resource) => resource.type === RULE_TYPE)
    .flatMap((resource) => rulesOf(resource.name, resource.inputs.eventPattern, resource.inputs.state !== "DISABLED"));
}
