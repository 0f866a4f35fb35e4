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

/** Use of a customer-managed key for tables encrypted with it: none when the tables use an AWS-managed key. */
export const kmsStatements = (kmsKeyArn: pulumi.Input<string> | undefined): PolicyStatement[] =>
  kmsKeyArn === undefined ? [] : [{ Sid: "UseTableKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [kmsKeyArn] }];
