import * as pulumi from "@pulumi/pulumi";

/** One IAM statement: explicit actions on explicit resources, never `*`. */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, unknown>;
}

export const policyDocument = (statements: PolicyStatement[]): pulumi.Output<string> =>
  pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
