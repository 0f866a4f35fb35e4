import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  arn: string;
}

/** Mocked resources return computed fields (ARNs, stream ARN, queue URL, names) as AWS would. */
function recordingMocks(registered: Registered[]): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const arn = `arn:aws:mock:${args.type}:${args.name}`;
      const state: Record<string, unknown> = { ...args.inputs, arn, name: args.inputs.name ?? `${args.name}-physical` };
      if (args.type === "aws:dynamodb/table:Table" && args.inputs.streamEnabled) state.streamArn = `${arn}/stream/2026`;
      if (args.type === "aws:sqs/queue:Queue") state.url = `https://sqs.local/${args.name}`;
      if (args.type === "aws:s3/bucket:Bucket") state.bucket = `${args.name}-physical`;
      if (args.type === "aws:lambda/functionUrl:FunctionUrl") state.functionUrl = `https://${args.name}.lambda-url.local/`;
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, arn });
      return { id: `${args.name}-id`, state };
    },
    // The one data source the components call: the region (for a VPC endpoint's service name), without
    // its deprecated `name` so that nothing reads it.
    call: (args) => (args.token === "aws:index/getRegion:getRegion" ? { region: "us-east-1", id: "us-east-1" } : args.inputs),
  };
}

/**
 * Runs `program` under fresh mocks and resolves once every resource it created is registered,
 * with those resources. Settled means no registration for a while: Pulumi's public API has no
 * "all registrations done" signal, and under mocks each one follows its inputs within a few ticks.
 */
export async function compose<T>(program: () => T | Promise<T>, project = "test-project"): Promise<{ result: T; resources: Registered[] }> {
  const resources: Registered[] = [];
  await pulumi.runtime.setMocks(recordingMocks(resources), project, "test", false);
  const result = await program();
  let seen = -1;
  while (seen !== resources.length) {
    seen = resources.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { result, resources };
}

/** The value of an Output, for assertions. */
export const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

/** Lookups over one composition's resources. */
export function lookup(resources: readonly Registered[]) {
  const ofType = (type: string): Registered[] => resources.filter((resource) => resource.type === type);
  const named = (type: string, name: string): Registered => {
    const found = resources.find((resource) => resource.type === type && resource.name === name);
    if (!found)
      throw new Error(
        `no ${type} named ${name} (have: ${
          ofType(type)
            .map((resource) => resource.name)
            .join(", ") || "none"
        })`,
      );
    return found;
  };
  return { ofType, named };
}
