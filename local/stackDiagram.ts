import { Registered } from "./pulumiMocks";

/**
 * A Mermaid flowchart of what a composed stack creates, drawn from the resources a Pulumi program
 * registered under mocks: one box per component with its resources, and the data flow read from
 * the resources' own inputs (stream and queue mappings, IAM statements, rules and targets, redrive
 * policies, function URLs). Generated, so it changes when the components do.
 */

/** Resources drawn as nodes; every other child is counted in its component's "also" line. */
const DRAWN: Record<string, (name: string) => string> = {
  "aws:dynamodb/table:Table": (label) => `[("${label}")]`,
  "aws:lambda/function:Function": (label) => `("${label}")`,
  "aws:sqs/queue:Queue": (label) => `[["${label}"]]`,
  "aws:cloudwatch/eventBus:EventBus": (label) => `{{"${label}"}}`,
  "aws:cloudwatch/eventRule:EventRule": (label) => `>"${label}"]`,
  "aws:s3/bucket:Bucket": (label) => `[/"${label}"/]`,
  "aws:lambda/functionUrl:FunctionUrl": (label) => `(["${label}"])`,
  "aws:cloudwatch/eventArchive:EventArchive": (label) => `[("${label}")]`,
};

/** How a resource kind reads in the "also" line. */
const KINDS: Record<string, string> = {
  "aws:iam/role:Role": "IAM role",
  "aws:iam/rolePolicy:RolePolicy": "inline policy",
  "aws:cloudwatch/logGroup:LogGroup": "log group",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "alarm",
  "aws:lambda/eventSourceMapping:EventSourceMapping": "event source mapping",
  "aws:sqs/queuePolicy:QueuePolicy": "queue policy",
  "aws:cloudwatch/eventTarget:EventTarget": "rule target",
  "aws:lambda/permission:Permission": "invoke permission",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "public access block",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "bucket encryption",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket lifecycle",
};

const WRITES = new Set(["dynamodb:PutItem", "dynamodb:ConditionCheckItem"]);
const READS = new Set(["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"]);

export function stackDiagram(resources: readonly Registered[]): string {
  const components = resources.filter((resource) => !resource.type.startsWith("aws:") && !resource.type.startsWith("pulumi:"));
  // Children are named after their component: the longest component name that prefixes theirs is the parent.
  const parentOf = (resource: Registered) =>
    components.filter((component) => resource.name.startsWith(`${component.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
  const ids = new Map<Registered, string>();
  const idOf = (resource: Registered) => {
    if (!ids.has(resource)) ids.set(resource, `r${ids.size}`);
    return ids.get(resource)!;
  };
  // Every way an input can name a resource: ARN, stream ARN, physical name, queue URL.
  const byReference = new Map<string, Registered>();
  for (const resource of resources) {
    byReference.set(resource.arn, resource);
    byReference.set(`${resource.arn}/stream/2026`, resource);
    byReference.set(`${resource.name}-physical`, resource);
    byReference.set(`https://sqs.local/${resource.name}`, resource);
  }
  const find = (reference: unknown) => (typeof reference === "string" ? byReference.get(reference) : undefined);
  const labelOf = (resource: Registered, parent?: Registered) => {
    const short = parent ? resource.name.slice(parent.name.length + 1) : resource.name;
    return `${short}`;
  };

  const lines = ["flowchart LR", '  client(["HTTPS client (SigV4)"])'];
  for (const component of components) {
    const children = resources.filter((resource) => resource !== component && parentOf(resource) === component);
    lines.push(`  subgraph ${idOf(component)}["${component.type.split(":").at(-1)} ${component.name}"]`);
    const counts = new Map<string, number>();
    for (const child of children) {
      const shape = DRAWN[child.type];
      if (shape) lines.push(`    ${idOf(child)}${shape(labelOf(child, component))}`);
      else counts.set(KINDS[child.type] ?? child.type, (counts.get(KINDS[child.type] ?? child.type) ?? 0) + 1);
    }
    if (counts.size > 0) {
      const also = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => (count > 1 ? `${count} × ${kind}` : kind));
      lines.push(`    ${idOf(component)}also["also: ${also.join(", ")}"]`);
    }
    lines.push("  end");
  }

  const edges = new Set<string>();
  const edge = (from: Registered | undefined, to: Registered | undefined, label: string, dashed = false) => {
    if (from && to && DRAWN[from.type] && DRAWN[to.type]) edges.add(`  ${idOf(from)} ${dashed ? "-.->" : "-->"}|"${label}"| ${idOf(to)}`);
  };
  for (const resource of resources) {
    const inputs = resource.inputs;
    switch (resource.type) {
      case "aws:lambda/eventSourceMapping:EventSourceMapping": {
        const source = find(inputs.eventSourceArn);
        const fn = find(inputs.functionName);
        edge(source, fn, source?.type === "aws:dynamodb/table:Table" ? "stream" : "batches");
        edge(fn, find(inputs.destinationConfig?.onFailure?.destinationArn), "failed batches");
        break;
      }
      case "aws:iam/rolePolicy:RolePolicy": {
        const fn = resources.find(
          (candidate) =>
            candidate.type === "aws:lambda/function:Function" && candidate.name === resource.name.replace(/-policy$/, "-function"),
        );
        for (const statement of JSON.parse(inputs.policy).Statement as { Action: string[]; Resource: string[] }[]) {
          for (const reference of statement.Resource) {
            const target = find(reference);
            if (!target || target.type === "aws:lambda/function:Function") continue;
            if (statement.Action.some((action) => WRITES.has(action))) edge(fn, target, "writes");
            else if (statement.Action.some((action) => READS.has(action))) edge(target, fn, "reads", true);
            if (statement.Action.includes("events:PutEvents")) edge(fn, target, "state-carried events");
            if (statement.Action.includes("sqs:SendMessage") && !target.name.endsWith("-queue")) edge(fn, target, "dead letters");
          }
        }
        break;
      }
      case "aws:cloudwatch/eventRule:EventRule":
        edge(find(inputs.eventBusName), resource, "matches");
        break;
      case "aws:cloudwatch/eventTarget:EventTarget": {
        const rule = resources.find(
          (candidate) => candidate.type === "aws:cloudwatch/eventRule:EventRule" && `${candidate.name}-physical` === inputs.rule,
        );
        edge(rule, find(inputs.arn), "delivers");
        edge(rule, find(inputs.deadLetterConfig?.arn), "undeliverable");
        break;
      }
      case "aws:sqs/queue:Queue":
        if (inputs.redrivePolicy) edge(resource, find(JSON.parse(inputs.redrivePolicy).deadLetterTargetArn), "after max receives");
        break;
      case "aws:lambda/functionUrl:FunctionUrl":
        edges.add(`  client -->|"POST commands, GET aggregates"| ${idOf(resource)}`);
        edge(resource, find(inputs.functionName), "invokes");
        break;
      case "aws:cloudwatch/eventArchive:EventArchive":
        edge(find(inputs.eventSourceArn), resource, "archives");
        break;
    }
  }
  return [...lines, ...[...edges].sort(), ""].join("\n");
}

const START = "<!-- diagram:start (npm run diagram) -->";
const END = "<!-- diagram:end -->";

/** The README with its diagram section replaced by this one. */
export function withDiagram(readme: string, diagram: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the README has no ${START} … ${END} section`);
  return `${readme.slice(0, start)}${START}\n\`\`\`mermaid\n${diagram}\`\`\`\n${readme.slice(end)}`;
}
