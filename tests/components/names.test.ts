import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  NAME_RULES,
  NameRule,
  PREFIX_SUFFIX_LENGTH,
  ResourceKind,
  autoname,
  checkGivenName,
  daxClusterName,
  nameProblem,
  physicalName,
} from "../../components/names";

/** Every (kind, part) a component names: `${component}-${part}`. */
const NAMED: [ResourceKind, string][] = [
  ["lambdaFunction", "function"],
  ["iamRole", "role"],
  ["iamRolePolicy", "policy"],
  ["logGroup", "logs"],
  ["sqsQueue", "dlq"],
  ["sqsQueue", "queue"],
  ["s3Bucket", "failed-batches"],
  ["eventRule", "rule"],
  ["scheduleGroup", "schedules"],
  ["eventBus", "bus"],
  ["eventArchive", "archive"],
  ["dynamodbTable", "events"],
  ["dynamodbTable", "snapshots"],
  ["dynamodbTable", "idempotency"],
  ["dynamodbTable", "table"],
  ["metricAlarm", "errors"],
  ["metricAlarm", "throttles"],
  ["metricAlarm", "iterator-age"],
  ["metricAlarm", "dead-letters"],
  ["metricAlarm", "queue-age"],
  ["securityGroup", "function-sg"],
  ["securityGroup", "dax-sg"],
  ["daxSubnetGroup", "dax-subnets"],
  ["daxParameterGroup", "dax-params"],
  ["iamRole", "dax-role"],
  ["iamRolePolicy", "dax-policy"],
];

/** The services' limits, written out here independently of the module. */
const LIMITS: Record<ResourceKind, number> = {
  lambdaFunction: 64,
  iamRole: 64,
  iamRolePolicy: 128,
  sqsQueue: 80,
  s3Bucket: 63,
  scheduleGroup: 64,
  eventRule: 64,
  eventArchive: 48,
  eventBus: 256,
  logGroup: 512,
  dynamodbTable: 255,
  metricAlarm: 255,
  securityGroup: 255,
  daxSubnetGroup: 255,
  daxParameterGroup: 255,
  daxCluster: 20,
};
const CHARSETS: Partial<Record<ResourceKind, RegExp>> = {
  lambdaFunction: /^[A-Za-z0-9_-]+$/,
  sqsQueue: /^[A-Za-z0-9_-]+$/,
  s3Bucket: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
  eventRule: /^[A-Za-z0-9._-]+$/,
  eventArchive: /^[A-Za-z0-9._-]+$/,
  iamRole: /^[\w+=,.@-]+$/,
  dynamodbTable: /^[A-Za-z0-9_.-]+$/,
};

/** The name AWS ends up with: Pulumi's autoname, the derived name, or the derived prefix and the provider's 26 characters. */
function effectiveName(kind: ResourceKind, component: string, part: string, scope: string): string {
  const args = physicalName(kind, component, part, scope);
  const value = args[NAME_RULES[kind].derived.argument];
  if (value === undefined) return autoname(kind, `${component}-${part}`);
  return NAME_RULES[kind].derived.prefix ? `${value}${"2".repeat(PREFIX_SUFFIX_LENGTH)}` : value;
}

/** Component names as users write them, and as they should not: long, upper case, punctuation, non-ASCII. */
const componentNames = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,99}$/),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,120}$/),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 90 }),
);
const scopes = fc.constantFrom("accounts-service/dev", "accounts-service/prod");

describe("physical names", () => {
  it("are within every service's length limit and charset, whatever the component's name", () => {
    fc.assert(
      fc.property(componentNames, scopes, (component, scope) => {
        for (const [kind, part] of NAMED) {
          const name = effectiveName(kind, component, part, scope);
          assert.ok([...name].length <= LIMITS[kind], `${kind} ${JSON.stringify(name)}: over ${LIMITS[kind]}`);
          assert.equal(nameProblem(kind, name), undefined, `${kind} ${JSON.stringify(name)}`);
          const charset = CHARSETS[kind];
          if (charset) assert.match(name, charset, kind);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("are stable: the same component in the same stack always gets the same name", () => {
    fc.assert(
      fc.property(componentNames, scopes, (component, scope) => {
        for (const [kind, part] of NAMED)
          assert.deepEqual(physicalName(kind, component, part, scope), physicalName(kind, component, part, scope));
      }),
    );
  });

  it("are distinct for distinct components, and for the same component in two stacks, as far as a 6-character hash allows", () => {
    fc.assert(
      fc.property(componentNames, componentNames, (a, b) => {
        fc.pre(a !== b);
        for (const [kind, part] of NAMED) {
          const [x, y] = [physicalName(kind, a, part, "p/dev"), physicalName(kind, b, part, "p/dev")];
          if (Object.keys(x).length > 0 && Object.keys(y).length > 0) assert.notDeepEqual(x, y, `${kind}: ${a} / ${b}`);
        }
      }),
      { numRuns: 300 },
    );
    const long = "x".repeat(70);
    assert.notDeepEqual(
      physicalName("lambdaFunction", long, "function", "p/dev"),
      physicalName("lambdaFunction", long, "function", "p/prod"),
    );
  });

  it("leave a name Pulumi's autonaming already makes valid to it, so nothing deployed is renamed", () => {
    for (const [kind, part] of NAMED) assert.deepEqual(physicalName(kind, "accounts-last-transaction", part, "p/dev"), {}, kind);
    // 64 - 8 = 56: a function's logical name of 56 characters still fits, one more does not.
    assert.deepEqual(physicalName("lambdaFunction", "a".repeat(47), "function", "p/dev"), {});
    assert.ok(physicalName("lambdaFunction", "a".repeat(48), "function", "p/dev").name.length <= 64);
    // S3 lowercases the autoname itself: upper case alone needs nothing; an underscore does (the prefix keeps 36 characters for the 26 the provider adds).
    assert.deepEqual(physicalName("s3Bucket", "Accounts-Dispatcher", "failed-batches", "p/dev"), {});
    assert.match(
      physicalName("s3Bucket", "accounts_dispatcher", "failed-batches", "p/dev").bucketPrefix,
      /^accounts-dispa-[a-z0-9]{6}-failed-batches-$/,
    );
  });

  it("never start with a beginning AWS reserves, even when the component's name is that beginning without its hyphen", () => {
    for (const [kind, part] of NAMED) {
      const rule: NameRule = NAME_RULES[kind];
      for (const prefix of rule.reservedPrefixes ?? []) {
        for (const component of [prefix, prefix.replace(/[-.]+$/, ""), prefix.toUpperCase().replace(/[-.]+$/, "")]) {
          const name = effectiveName(kind, component, part, "p/dev");
          assert.equal(nameProblem(kind, name), undefined, `${kind} from ${JSON.stringify(component)}: ${JSON.stringify(name)}`);
        }
      }
    }
  });

  it("a DAX cluster name from any component name: at most 20 characters, a letter first, no double or trailing hyphen", () => {
    fc.assert(
      fc.property(componentNames, (component) => {
        const name = daxClusterName(component);
        assert.match(name, /^[a-z](?!.*--)[a-z0-9-]{0,18}[a-z0-9]$/, name);
        assert.equal(nameProblem("daxCluster", name), undefined);
      }),
      { numRuns: 300 },
    );
    assert.equal(daxClusterName("svc-commands"), daxClusterName("svc-commands"), "stable");
  });

  it("refuses a name a user gave that the service would refuse, saying who, which argument and the limit", () => {
    assert.throws(
      () => checkGivenName("daxCluster", "my_cache", 'CommandApi "svc"', "dax.clusterName"),
      /CommandApi "svc": dax\.clusterName "my_cache" is not a valid DAX cluster name \(at most 20 characters; it holds "_"/,
    );
    assert.equal(checkGivenName("daxCluster", "my-cache", 'CommandApi "svc"', "dax.clusterName"), "my-cache");
  });
});
