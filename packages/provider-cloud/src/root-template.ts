import {
  RESOURCE_TYPES,
  TEMPLATE_FORMAT_VERSION,
  UserError,
  nestedTemplateKey,
  resourceLogicalId as logicalIdOf,
  type ProviderEnvInfo,
  type PushResource,
  type Template,
  type TemplateResource,
} from '@forte/protocol';
import { nestedStackParameters } from './nested-stack-parameters.js';

/** Names of an environment's root resources (`amplify-<project>-<env>-<digits>-…`, as Amplify names them). */
export interface RootNames {
  stackName: string;
  deploymentBucketName: string;
  authRoleName: string;
  unauthRoleName: string;
}

export function rootNames(stackName: string): RootNames {
  return {
    stackName,
    // S3 bucket names are lowercase; project names may not be.
    deploymentBucketName: `${stackName}-deployment`.toLowerCase(),
    authRoleName: `${stackName}-authRole`,
    unauthRoleName: `${stackName}-unauthRole`,
  };
}

export function rootNamesFromEnvInfo(info: ProviderEnvInfo): RootNames {
  return {
    stackName: info.StackName,
    deploymentBucketName: info.DeploymentBucketName,
    authRoleName: info.AuthRoleName ?? `${info.StackName}-authRole`,
    unauthRoleName: info.UnauthRoleName ?? `${info.StackName}-unauthRole`,
  };
}

export { nestedTemplateKey, resourceLogicalId as logicalIdOf } from '@forte/protocol';

/**
 * The trust policy of the environment's AuthRole / UnauthRole: only the environment's own identity pool
 * (`cognito-identity.amazonaws.com:aud`) may hand them out, to signed-in users or guests (`amr`), as the
 * trust Amplify's auth stack sets on these roles. Without an identity pool nobody may assume them: a
 * cloud serves many apps, and another app's identity pool must never be able to name these roles.
 */
function assumeRole(kind: 'authenticated' | 'unauthenticated', identityPoolId: unknown) {
  return {
    Version: '2012-10-17',
    Statement:
      identityPoolId === undefined
        ? []
        : [
            {
              Effect: 'Allow',
              Principal: { Federated: 'cognito-identity.amazonaws.com' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPoolId },
                'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind },
              },
            },
          ],
  };
}

/** The identity pool of the environment: the `IdentityPoolId` output of its auth resource, if it has one. */
function identityPoolReference(resources: readonly PushResource[]): unknown {
  const auth = resources.find((r) => r.category === 'auth' && Object.hasOwn(r.template.Outputs ?? {}, 'IdentityPoolId'));
  return auth ? { 'Fn::GetAtt': [logicalIdOf(auth.category, auth.resourceName), 'Outputs.IdentityPoolId'] } : undefined;
}

/**
 * The root stack: DeploymentBucket, AuthRole, UnauthRole, one `Forte::Stack` per resource (logical id
 * `<category><resourceName>`, dependsOn attributes wired as `Fn::GetAtt [<dep>, Outputs.<Attr>]`), and the
 * providers.awscloudformation block as Outputs.
 */
export function buildRootTemplate(args: { names: RootNames; appId: string; envName: string; resources: PushResource[] }): Template {
  const { names, appId, envName } = args;
  const identityPoolId = identityPoolReference(args.resources);
  const resources: Record<string, TemplateResource> = {
    DeploymentBucket: { Type: RESOURCE_TYPES.bucket, Properties: { BucketName: names.deploymentBucketName }, DeletionPolicy: 'Delete' },
    AuthRole: {
      Type: RESOURCE_TYPES.role,
      Properties: { RoleName: names.authRoleName, AssumeRolePolicyDocument: assumeRole('authenticated', identityPoolId) },
    },
    UnauthRole: {
      Type: RESOURCE_TYPES.role,
      Properties: { RoleName: names.unauthRoleName, AssumeRolePolicyDocument: assumeRole('unauthenticated', identityPoolId) },
    },
  };
  const known = new Set(args.resources.map((r) => logicalIdOf(r.category, r.resourceName)));
  const problems: string[] = [];
  for (const resource of args.resources) {
    const logicalId = logicalIdOf(resource.category, resource.resourceName);
    const { parameters, dependsOn, missing } = nestedStackParameters({ resource, names, appId, envName, known });
    problems.push(...missing);
    resources[logicalId] = {
      Type: RESOURCE_TYPES.stack,
      Properties: { TemplateURL: nestedTemplateKey(resource.category, resource.resourceName), Parameters: parameters },
      ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
    };
  }
  if (problems.length > 0) {
    throw new UserError(
      `The push cannot start: ${problems.length === 1 ? 'a template parameter has' : `${problems.length} template parameters have`} no value and no Default:\n${problems.map((p) => `  ${p}`).join('\n')}\nNothing was deployed.`,
      `Give each a value for environment ${envName} in amplify/team-provider-info.json (${envName}.categories.<category>.<resource>.<parameter>) or in the resource's parameters.json, or a Default in its template.`,
    );
  }
  return {
    FormatVersion: TEMPLATE_FORMAT_VERSION,
    Description: `Root stack of ${names.stackName}`,
    Resources: resources,
    Outputs: {
      Region: { Value: { Ref: 'AWS::Region' } },
      StackName: { Value: names.stackName },
      StackId: { Value: { Ref: 'AWS::StackId' } },
      DeploymentBucketName: { Value: names.deploymentBucketName },
      AuthRoleArn: { Value: { 'Fn::GetAtt': ['AuthRole', 'Arn'] } },
      UnauthRoleArn: { Value: { 'Fn::GetAtt': ['UnauthRole', 'Arn'] } },
      AuthRoleName: { Value: names.authRoleName },
      UnauthRoleName: { Value: names.unauthRoleName },
      AmplifyAppId: { Value: appId },
    },
  };
}
