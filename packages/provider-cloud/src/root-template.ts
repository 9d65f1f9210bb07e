import { RESOURCE_TYPES, TEMPLATE_FORMAT_VERSION, nestedTemplateKey, resourceLogicalId as logicalIdOf, type ProviderEnvInfo, type PushResource, type Template, type TemplateResource } from '@forte/protocol';

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

const assumeRole = (kind: 'authenticated' | 'unauthenticated') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind } } }],
});

/**
 * The environment's roles for a nested stack that declares them as parameters (auth's identity pool binds
 * them). Only declared ones are passed, as CloudFormation refuses parameters a template does not declare.
 */
function roleParameters(template: Template, names: RootNames): Record<string, unknown> {
  const available: Record<string, unknown> = {
    AuthRoleArn: { 'Fn::GetAtt': ['AuthRole', 'Arn'] },
    UnauthRoleArn: { 'Fn::GetAtt': ['UnauthRole', 'Arn'] },
    AuthRoleName: names.authRoleName,
    UnauthRoleName: names.unauthRoleName,
  };
  const declared = template.Parameters ?? {};
  return Object.fromEntries(Object.entries(available).filter(([name]) => Object.hasOwn(declared, name)));
}

/**
 * The root stack: DeploymentBucket, AuthRole, UnauthRole, one `Forte::Stack` per resource (logical id
 * `<category><resourceName>`, dependsOn attributes wired as `Fn::GetAtt [<dep>, Outputs.<Attr>]`), and the
 * providers.awscloudformation block as Outputs.
 */
export function buildRootTemplate(args: { names: RootNames; appId: string; envName: string; resources: PushResource[] }): Template {
  const { names, appId, envName } = args;
  const resources: Record<string, TemplateResource> = {
    DeploymentBucket: { Type: RESOURCE_TYPES.bucket, Properties: { BucketName: names.deploymentBucketName }, DeletionPolicy: 'Delete' },
    AuthRole: { Type: RESOURCE_TYPES.role, Properties: { RoleName: names.authRoleName, AssumeRolePolicyDocument: assumeRole('authenticated') } },
    UnauthRole: { Type: RESOURCE_TYPES.role, Properties: { RoleName: names.unauthRoleName, AssumeRolePolicyDocument: assumeRole('unauthenticated') } },
  };
  const known = new Set(args.resources.map((r) => logicalIdOf(r.category, r.resourceName)));
  for (const resource of args.resources) {
    const logicalId = logicalIdOf(resource.category, resource.resourceName);
    const parameters: Record<string, unknown> = { ...resource.parameters, env: envName, AppId: appId, ...roleParameters(resource.template, names) };
    const dependsOn: string[] = [];
    for (const dep of resource.dependsOn ?? []) {
      const depId = logicalIdOf(dep.category, dep.resourceName);
      // A dependency on a resource that is not pushed would leave the stack unresolvable; the CLI reports it earlier.
      if (!known.has(depId)) continue;
      dependsOn.push(depId);
      for (const attr of dep.attributes) parameters[`${dep.category}${dep.resourceName}${attr}`] = { 'Fn::GetAtt': [depId, `Outputs.${attr}`] };
    }
    resources[logicalId] = {
      Type: RESOURCE_TYPES.stack,
      Properties: { TemplateURL: nestedTemplateKey(resource.category, resource.resourceName), Parameters: parameters },
      ...(dependsOn.length > 0 ? { DependsOn: [...new Set(dependsOn)] } : {}),
    };
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
