/** Grants by the action the code calls, where CDK's grant methods would add more. */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';

/**
 * `secretsmanager:GetSecretValue` of one secret: all that Powertools' getSecret calls (CDK's grantRead adds
 * DescribeSecret). The secrets use Secrets Manager's own key, so no KMS grant is needed.
 */
export function grantSecretValue(f: lambda.IFunction, secret: secrets.ISecret): void {
  f.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}
