import * as pulumi from "@pulumi/pulumi";

/** One IAM statement: explicit actions on explicit resources, never `*`. */
export interface PolicyStatement {
  /** The statement's id, unique in its policy (tests and docs name statements by it). */
  readonly Sid: string;
  /** Always "Allow": the statements grant what a function needs, and deny nothing. */
  readonly Effect: "Allow";
  /** The actions allowed, each named in full (`dynamodb:Query`), no wildcard. */
  readonly Action: string[];
  /** The ARNs the actions are allowed on. */
  readonly Resource: pulumi.Input<string>[];
  /** Conditions, as IAM writes them. Default none. */
  readonly Condition?: Record<string, unknown>;
}

/** The policy document, each statement naming a resource once (two tables may share one key). */
export const policyDocument = (statements: PolicyStatement[]): pulumi.Output<string> =>
  pulumi.output(statements).apply((resolved) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: resolved.map((statement) => ({ ...statement, Resource: [...new Set(statement.Resource)] })),
    }),
  );

/**
 * Use of the customer-managed keys of the tables a function reads or writes, in one statement:
 * none when every table uses a key AWS owns or manages.
 */
export const kmsStatements = (...kmsKeyArns: (pulumi.Input<string> | undefined)[]): PolicyStatement[] => {
  const keys = kmsKeyArns.filter((key): key is pulumi.Input<string> => key !== undefined);
  return keys.length === 0 ? [] : [{ Sid: "UseTableKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: keys }];
};
