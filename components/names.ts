/**
 * Physical names: what AWS accepts for each kind of resource the components create, checked when
 * the program runs instead of failing a preview far from its cause.
 *
 * A resource is autonamed by Pulumi: its logical name plus "-" and 7 random hex characters. Where
 * that name is valid it is left alone (so nothing already deployed is renamed). Where it would be
 * too long, or hold a character the service refuses, a stable shorter name is derived instead: a
 * readable prefix, a short hash of the stack and the logical name, and the resource's part
 * (`failed-batches`, `dlq`...). Kinds whose provider takes a prefix get it as a prefix (the provider
 * appends 26 unique characters, so replacements still create before they delete); the others get
 * an exact name.
 */

/** Characters Pulumi's autonaming appends: "-" and 7 random hex characters. */
export const AUTONAME_SUFFIX_LENGTH = 8;
/** Characters the provider appends to a `namePrefix`/`bucketPrefix` (a timestamp and a counter). */
export const PREFIX_SUFFIX_LENGTH = 26;
/** Hash characters in a derived name. */
const HASH_LENGTH = 6;

/** How AWS names one kind of resource, and how a component passes a derived name. */
export interface NameRule {
  /** The kind, as errors and docs say it. */
  label: string;
  maxLength: number;
  /** One allowed character. */
  char: RegExp;
  /** The argument a derived name goes to, and whether the provider treats it as a prefix. */
  derived: { argument: string; prefix: boolean };
  /** Pulumi's autonaming lowercases the name first (S3). Derived names are lowercase too. */
  lowercase?: boolean;
  /** Must start with a letter (or, with `startsAlphanumeric`, a letter or digit). */
  startsWithLetter?: boolean;
  startsAlphanumeric?: boolean;
  /** Beginnings the service reserves. */
  reservedPrefixes?: string[];
  /** No two hyphens in a row, no hyphen at the end. */
  noDoubleHyphen?: boolean;
  /** No two periods in a row. */
  noDoublePeriod?: boolean;
  /** Where the rule comes from. */
  source: string;
}

const LAMBDA_LIMITS = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName";

/** Every kind of resource a component names, with its service's rule. */
export const NAME_RULES = {
  lambdaFunction: {
    label: "Lambda function name",
    maxLength: 64,
    char: /[A-Za-z0-9_-]/,
    derived: { argument: "name", prefix: false },
    source: LAMBDA_LIMITS,
  },
  iamRole: {
    label: "IAM role name",
    maxLength: 64,
    char: /[A-Za-z0-9_+=,.@-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  },
  iamRolePolicy: {
    label: "IAM inline policy name",
    maxLength: 128,
    char: /[A-Za-z0-9_+=,.@-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
  },
  sqsQueue: {
    label: "SQS queue name",
    maxLength: 80,
    char: /[A-Za-z0-9_-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
  },
  s3Bucket: {
    label: "S3 bucket name",
    maxLength: 63,
    char: /[a-z0-9.-]/,
    lowercase: true,
    startsAlphanumeric: true,
    noDoublePeriod: true,
    reservedPrefixes: ["xn--", "sthree-", "amzn-s3-demo-"],
    derived: { argument: "bucketPrefix", prefix: true },
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  },
  scheduleGroup: {
    label: "EventBridge Scheduler schedule group name",
    maxLength: 64,
    char: /[0-9a-zA-Z._-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html",
  },
  eventRule: {
    label: "EventBridge rule name",
    maxLength: 64,
    char: /[A-Za-z0-9._-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
  },
  eventArchive: {
    label: "EventBridge archive name",
    maxLength: 48,
    char: /[A-Za-z0-9._-]/,
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html",
  },
  eventBus: {
    label: "EventBridge event bus name",
    maxLength: 256,
    char: /[A-Za-z0-9._-]/,
    reservedPrefixes: ["aws."],
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html",
  },
  logGroup: {
    label: "CloudWatch log group name",
    maxLength: 512,
    char: /[A-Za-z0-9._\/#-]/,
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
  },
  dynamodbTable: {
    label: "DynamoDB table name",
    maxLength: 255,
    char: /[A-Za-z0-9_.-]/,
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
  },
  metricAlarm: {
    label: "CloudWatch alarm name",
    maxLength: 255,
    char: /[^\u0000-\u001f\u007f]/u,
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
  },
  securityGroup: {
    label: "EC2 security group name",
    maxLength: 255,
    char: /[A-Za-z0-9 ._\-:\/()#,@\[\]+=&;{}!$*]/,
    reservedPrefixes: ["sg-"],
    derived: { argument: "namePrefix", prefix: true },
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
  },
  // DAX's API reference states no length for these two; the rule is ElastiCache's for a subnet group.
  daxSubnetGroup: {
    label: "DAX subnet group name",
    maxLength: 255,
    char: /[A-Za-z0-9-]/,
    startsWithLetter: true,
    noDoubleHyphen: true,
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_CreateSubnetGroup.html",
  },
  daxParameterGroup: {
    label: "DAX parameter group name",
    maxLength: 255,
    char: /[A-Za-z0-9-]/,
    startsWithLetter: true,
    noDoubleHyphen: true,
    derived: { argument: "name", prefix: false },
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_CreateParameterGroup.html",
  },
  daxCluster: {
    label: "DAX cluster name",
    maxLength: 20,
    char: /[A-Za-z0-9-]/,
    startsWithLetter: true,
    noDoubleHyphen: true,
    derived: { argument: "clusterName", prefix: false },
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_CreateCluster.html",
  },
} satisfies Record<string, NameRule>;

export type ResourceKind = keyof typeof NAME_RULES;

/** Why `name` is not a valid name of this kind, or undefined when it is. */
export function nameProblem(kind: ResourceKind, name: string): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  const chars = [...name];
  if (chars.length === 0) return "it is empty";
  if (chars.length > rule.maxLength) return `it is ${chars.length} characters, more than ${rule.maxLength}`;
  const refused = chars.find((char) => !rule.char.test(char));
  if (refused !== undefined) return `it holds ${JSON.stringify(refused)}, which a ${rule.label} cannot`;
  if (rule.startsWithLetter && !/^[A-Za-z]/.test(name)) return "it does not start with a letter";
  if (rule.startsAlphanumeric && !/^[a-z0-9]/.test(name)) return "it does not start with a letter or digit";
  if (rule.startsAlphanumeric && !/[a-z0-9]$/.test(name)) return "it does not end with a letter or digit";
  const reserved = reservedStart(rule, name);
  if (reserved !== undefined) return `it starts with "${reserved}", which AWS reserves`;
  if (rule.noDoubleHyphen && (name.includes("--") || name.endsWith("-"))) return "it has two hyphens in a row or ends with one";
  if (rule.noDoublePeriod && name.includes("..")) return "it has two periods in a row";
  return undefined;
}

/** The beginning of `name` the service reserves (case-insensitive), if it has one. */
const reservedStart = (rule: NameRule, name: string): string | undefined =>
  rule.reservedPrefixes?.find((prefix) => name.toLowerCase().startsWith(prefix));

/** FNV-1a over the UTF-16 code units of `text`: the one hash behind every derived name. */
export function fnv1a(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/** The last `length` base-36 digits of the hash of `text`. */
const hashTag = (text: string, length = HASH_LENGTH): string => fnv1a(text).toString(36).padStart(length, "0").slice(-length);

/** `text` with only the kind's characters: others become hyphens, runs of separators one hyphen, no reserved start. */
function sanitized(rule: NameRule, text: string): string {
  let cleaned = [...(rule.lowercase ? text.toLowerCase() : text)].map((char) => (rule.char.test(char) ? char : "-")).join("");
  cleaned = cleaned.replace(/[-.]{2,}/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  for (let prefix = reservedStart(rule, cleaned); prefix !== undefined; prefix = reservedStart(rule, cleaned))
    cleaned = cleaned.slice(prefix.length).replace(/^[-.]+/, "");
  if ((rule.startsWithLetter || rule.startsAlphanumeric) && cleaned !== "")
    cleaned = cleaned.replace(rule.startsWithLetter ? /^[^A-Za-z]+/ : /^[^a-z0-9]+/, "");
  return cleaned;
}

/** What Pulumi would name the resource (a representative random suffix: hex digits). */
export function autoname(kind: ResourceKind, logicalName: string): string {
  const rule: NameRule = NAME_RULES[kind];
  return `${rule.lowercase ? logicalName.toLowerCase() : logicalName}-0a1b2c3`;
}

/**
 * The arguments that name a component's resource: none when Pulumi's autoname of
 * `${component}-${part}` is valid, else a derived name or prefix under the kind's argument.
 * `scope` (project and stack) goes into the hash, so two stacks in one account never collide.
 */
export function physicalName(kind: ResourceKind, component: string, part: string, scope: string): Record<string, string> {
  const logical = `${component}-${part}`;
  if (nameProblem(kind, autoname(kind, logical)) === undefined) return {};
  return { [NAME_RULES[kind].derived.argument]: derivedName(kind, component, part, scope) };
}

/** The derived name (or prefix, ending in "-") for a resource whose autoname would be refused. */
export function derivedName(kind: ResourceKind, component: string, part: string, scope: string): string {
  const rule: NameRule = NAME_RULES[kind];
  const budget = rule.maxLength - (rule.derived.prefix ? PREFIX_SUFFIX_LENGTH + 1 : 0);
  const hash = hashTag(`${scope}/${component}-${part}`);
  const tail = sanitized(rule, part);
  const withTail = tail !== "" && hash.length + tail.length + 3 <= budget;
  const room = budget - hash.length - (withTail ? tail.length + 2 : 1);
  let head = sanitized(rule, component)
    .slice(0, Math.max(0, room))
    .replace(/[-.]+$/, "");
  // A derived name must start as the kind requires: a letter when nothing of the component's name is left.
  if (head === "" && (rule.startsWithLetter || rule.lowercase)) head = "r";
  const join = (first: string): string => [first, hash, ...(withTail ? [tail] : [])].filter((piece) => piece !== "").join("-");
  // The head alone may be clear of a reserved beginning and the joined name not ("sg" + "-" + hash).
  if (reservedStart(rule, join(head)) !== undefined) head = `r${head.slice(0, Math.max(0, room - 1))}`;
  const name = join(head);
  return rule.derived.prefix ? `${name}-` : name;
}

/**
 * A DAX cluster name from a component name: lowercase letters, digits and hyphens, 20 characters at
 * most, unique by a hash of the component's name alone (the name clusters deployed so far have).
 */
export function daxClusterName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+/g, "-");
  const suffix = fnv1a(name).toString(36).slice(0, 5);
  return `${cleaned.slice(0, 14).replace(/-$/, "") || "dax"}-${suffix}`;
}

/** Refuses a name the user gave that AWS would refuse, naming the component, the argument and the rule. */
export function checkGivenName(kind: ResourceKind, name: string, owner: string, argument: string): string {
  const rule: NameRule = NAME_RULES[kind];
  const problem = nameProblem(kind, name);
  if (problem)
    throw new Error(
      `${owner}: ${argument} "${name}" is not a valid ${rule.label} (at most ${rule.maxLength} characters; ${problem}; see ${rule.source})`,
    );
  return name;
}
