import { AUTH_RESOURCE_TYPES, TEMPLATE_FORMAT_VERSION, type Template, type TemplateResource } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';
import type { UserPoolGroupEntry } from './user-pool-groups.js';

/**
 * A custom policy's `Resource` naming `${env}` becomes `Fn::Sub` over the env parameter, as Amplify's
 * transformUserPoolGroupSchema rewrites it, so one file serves every environment.
 */
function withEnvSubstituted(policy: unknown): unknown {
  if (policy === null || typeof policy !== 'object') return policy;
  const document = (policy as { PolicyDocument?: { Statement?: unknown } }).PolicyDocument;
  if (!document || !Array.isArray(document.Statement)) return policy;
  const statements = document.Statement.map((statement: unknown) => {
    const resource = (statement as { Resource?: unknown } | null)?.Resource;
    return typeof resource === 'string' && resource.includes('${env}')
      ? { ...(statement as object), Resource: { 'Fn::Sub': [resource, { env: { Ref: 'env' } }] } }
      : statement;
  });
  return { ...policy, PolicyDocument: { ...document, Statement: statements } };
}

/**
 * The nested stack of Amplify's `auth/userPoolGroups` resource, as its AmplifyUserPoolGroupStack builds it:
 * per group `<G>Group` (the group in the user pool, with its precedence) and, when the auth resource has an
 * identity pool, `<G>GroupRole`, the IAM role `<UserPoolId>-<G>GroupRole` trusting the identity pool for
 * signed-in identities, set as the group's `RoleArn` (so members' ID tokens carry it as
 * `cognito:preferred_role`, which the identity pool's Token role mapping hands out) and output as
 * `<G>GroupRole` (its ARN) for the resources that attach policies to it. The auth stack's outputs arrive as
 * the parameters `auth<auth>UserPoolId`... through the resource's dependsOn.
 */
export function userPoolGroupsTemplate(auth: CognitoConfig, groups: readonly UserPoolGroupEntry[]): Template {
  const prefix = `auth${auth.resourceName}`;
  const withIdentityPool = auth.authSelections === 'identityPoolAndUserPool';
  const own = (name: string): [string, { Type: string; Default: string }] => [`${prefix}${name}`, { Type: 'String', Default: `${prefix}${name}` }];
  const parameters: NonNullable<Template['Parameters']> = {
    env: { Type: 'String' },
    AuthRoleArn: { Type: 'String' },
    UnauthRoleArn: { Type: 'String' },
    ...Object.fromEntries([own('UserPoolId'), ...(withIdentityPool ? [own('IdentityPoolId')] : []), own('AppClientID'), own('AppClientIDWeb')]),
  };
  const resources: Record<string, TemplateResource> = {};
  const outputs: NonNullable<Template['Outputs']> = {};
  for (const group of groups) {
    const roleId = `${group.groupName}GroupRole`;
    resources[`${group.groupName}Group`] = {
      Type: AUTH_RESOURCE_TYPES.userPoolGroup,
      Properties: {
        UserPoolId: { Ref: `${prefix}UserPoolId` },
        GroupName: group.groupName,
        Precedence: group.precedence,
        ...(withIdentityPool ? { RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } } : {}),
      },
    };
    if (!withIdentityPool) continue;
    resources[roleId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Join': ['', [{ Ref: `${prefix}UserPoolId` }, `-${group.groupName}GroupRole`]] },
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: '',
              Effect: 'Allow',
              Principal: { Federated: 'cognito-identity.amazonaws.com' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: `${prefix}IdentityPoolId` } },
                'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
              },
            },
          ],
        },
        ...(group.customPolicies && group.customPolicies.length > 0 ? { Policies: group.customPolicies.map(withEnvSubstituted) } : {}),
      },
    };
    outputs[roleId] = { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } };
  }
  return {
    FormatVersion: TEMPLATE_FORMAT_VERSION,
    Description: `Forte auth resource userPoolGroups: the user pool groups of ${auth.resourceName}${withIdentityPool ? ' and their IAM roles' : ''}`,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };
}
