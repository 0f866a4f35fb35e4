import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./handlerFunction";
import { checkGivenName, daxClusterName } from "./names";
import { kmsStatements, policyDocument } from "./policy";
import type { Projector } from "./projector";
import { nameArgs } from "./stackNames";

/**
 * A DAX cluster in front of the replica: commands and eventual reads take replica rows
 * from its cache; the ledger is still read consistently and written in DynamoDB. The function runs
 * in the VPC; the VPC needs a route to DynamoDB (a gateway endpoint: give `routeTableIds` to have
 * one created), not to CloudWatch Logs (Lambda ships the logs itself).
 */
export interface CommandApiDax {
  /** The VPC of the cluster and the function. */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets, in two or more availability zones, for the cluster's nodes and the function. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Route tables of those subnets: a DynamoDB gateway endpoint is created on them. Default: none created (the VPC has one). */
  readonly routeTableIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The cluster's name (at most 20 characters: letters, digits, hyphens; a letter first, no two
   * hyphens in a row, none at the end). Default: derived from the component's name.
   */
  readonly clusterName?: pulumi.Input<string>;
  /**
   * A production stage: the defaults become 3 nodes, spread over the subnets' zones, so a node's
   * failure or maintenance leaves the cache up. Default false: 1 node (a dev or test stage pays for one).
   */
  readonly production?: boolean;
  /** Node type. Default "dax.t3.small" on every stage (burstable; choose an r-type node for sustained production load). */
  readonly nodeType?: pulumi.Input<string>;
  /** Nodes (1 to 11). Default: 3 when `production`, else 1. */
  readonly replicationFactor?: pulumi.Input<number>;
  /** How long DAX keeps an item it read, in ms. Default 1000: a starting point is only a hint, the ledger decides. */
  readonly itemTtlMillis?: pulumi.Input<number>;
}

/** The cluster, and the security group the function must run in to reach it. */
export interface DaxInFront {
  readonly cluster: aws.dax.Cluster;
  readonly functionSecurityGroup: aws.ec2.SecurityGroup;
}

/**
 * The cluster and what it needs: a security group that admits only the function's, a subnet group,
 * parameters (item TTL), a role DAX reads the replica table with, encryption at rest and in transit,
 * and when asked a DynamoDB gateway endpoint for the function's ledger calls.
 */
export function daxInFront(
  name: string,
  dax: CommandApiDax,
  replica: Projector,
  kmsKeyArn: pulumi.Input<string> | undefined,
  tags: Tags | undefined,
  parent: pulumi.Resource,
): DaxInFront {
  const functionSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-function-sg`,
    {
      vpcId: dax.vpcId,
      description: "CommandApi function: outbound to DAX and DynamoDB",
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      tags,
      ...nameArgs("securityGroup", name, "function-sg"),
    },
    { parent },
  );
  const clusterSecurityGroup = new aws.ec2.SecurityGroup(
    `${name}-dax-sg`,
    {
      vpcId: dax.vpcId,
      description: "DAX: the CommandApi function only (TLS port 9111)",
      ingress: [{ protocol: "tcp", fromPort: 9111, toPort: 9111, securityGroups: [functionSecurityGroup.id] }],
      tags,
      ...nameArgs("securityGroup", name, "dax-sg"),
    },
    { parent },
  );
  const subnetGroup = new aws.dax.SubnetGroup(
    `${name}-dax-subnets`,
    { subnetIds: dax.subnetIds, ...nameArgs("daxSubnetGroup", name, "dax-subnets") },
    { parent },
  );
  const ttl = pulumi.output(dax.itemTtlMillis ?? 1000).apply(String);
  const parameterGroup = new aws.dax.ParameterGroup(
    `${name}-dax-params`,
    {
      parameters: [
        { name: "record-ttl-millis", value: ttl },
        { name: "query-ttl-millis", value: ttl },
      ],
      ...nameArgs("daxParameterGroup", name, "dax-params"),
    },
    { parent },
  );
  const role = new aws.iam.Role(
    `${name}-dax-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "dax.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
      ...nameArgs("iamRole", name, "dax-role"),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-dax-policy`,
    {
      role: role.name,
      policy: policyDocument([
        { Sid: "ReadReplica", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [replica.tableArn] },
        ...kmsStatements(kmsKeyArn),
      ]),
      ...nameArgs("iamRolePolicy", name, "dax-policy"),
    },
    { parent },
  );
  const cluster = new aws.dax.Cluster(
    `${name}-dax`,
    {
      clusterName: givenClusterName(name, dax.clusterName) ?? daxClusterName(name),
      iamRoleArn: role.arn,
      nodeType: dax.nodeType ?? "dax.t3.small",
      replicationFactor: dax.replicationFactor ?? (dax.production ? 3 : 1),
      subnetGroupName: subnetGroup.name,
      parameterGroupName: parameterGroup.name,
      securityGroupIds: [clusterSecurityGroup.id],
      serverSideEncryption: { enabled: true },
      clusterEndpointEncryptionType: "TLS",
      tags,
    },
    { parent, dependsOn: [policy] },
  );
  if (dax.routeTableIds) {
    const region = aws.getRegionOutput({}, { parent });
    new aws.ec2.VpcEndpoint(
      `${name}-dynamodb-endpoint`,
      {
        vpcId: dax.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.dynamodb`,
        vpcEndpointType: "Gateway",
        routeTableIds: dax.routeTableIds,
        tags,
      },
      { parent },
    );
  }
  return { cluster, functionSecurityGroup };
}

/** The cluster name the user gave, refused when DAX would refuse it (an Output once it is known). */
function givenClusterName(component: string, clusterName: pulumi.Input<string> | undefined): pulumi.Input<string> | undefined {
  if (clusterName === undefined) return undefined;
  const check = (value: string) => checkGivenName("daxCluster", value, `CommandApi "${component}"`, "dax.clusterName");
  return typeof clusterName === "string" ? check(clusterName) : pulumi.output(clusterName).apply(check);
}
