import * as pulumi from "@pulumi/pulumi";
import { SettingRule, settingProblem } from "../handlers/runtime/support/environment";
import { ConfigurationError } from "../handlers/runtime/support/errors";

/**
 * A component argument as the environment variable its function reads, checked against the rule
 * the function checks at cold start: a plain value when the component is constructed, a value
 * only known at deploy time when it resolves (the preview or `pulumi up` fails, naming it).
 */
export function settingVariable(component: string, argument: string, value: pulumi.Input<number | string>, rule: SettingRule): pulumi.Output<string> {
  const checked = (resolved: unknown): string => {
    const problem = settingProblem(resolved, rule);
    if (problem) throw new ConfigurationError(`${component}: ${argument}`, problem);
    return String(resolved);
  };
  if (!pulumi.Output.isInstance(value) && !(value instanceof Promise)) checked(value);
  return pulumi.output(value).apply(checked);
}
