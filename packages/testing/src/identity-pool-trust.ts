/**
 * A role trust policy (`AssumeRolePolicyDocument`) that lets identity pools hand out the role: to signed-in
 * users and guests of any identity pool unless `identityPoolId` / `amr` narrow it, as Amplify's roles do.
 */
export function identityPoolTrust(options: { identityPoolId?: string; amr?: 'authenticated' | 'unauthenticated' } = {}): Record<string, unknown> {
  const condition: Record<string, unknown> = {
    'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': options.amr ?? ['authenticated', 'unauthenticated'] },
  };
  if (options.identityPoolId !== undefined) condition.StringEquals = { 'cognito-identity.amazonaws.com:aud': options.identityPoolId };
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
  };
}
