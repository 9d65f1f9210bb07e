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
 * The environment's roles for a nested stack that declares them as parameters (auth's identity pool binds
 * them, the api attaches its role policies to them). Only declared ones are passed, as CloudFormation refuses parameters a template does not declare.
 */
function roleParameters(template: Template, names: RootNames): Record<string, unknown> {
  // The ARNs are spelled out rather than read from the roles: the roles' trust names the identity pool
  // these parameters build, and reading the roles here would make that a cycle.
  const available: Record<string, unknown> = {
    AuthRoleArn: { 'Fn::Sub': `arn:aws:iam::\${AWS::AccountId}:role/${names.authRoleName}` },
    UnauthRoleArn: { 'Fn::Sub': `arn:aws:iam::\${AWS::AccountId}:role/${names.unauthRoleName}` },
    AuthRoleName: names.authRoleName,
    UnauthRoleName: names.unauthRoleName,
    // The api's names (Amplify's root stack passes them to AppSync stacks). A Ref, so the role policies the
    // api attaches are applied after the roles exist and removed before them.
    authRoleName: { Ref: 'AuthRole' },
    unauthRoleName: { Ref: 'UnauthRole' },
  };
  const declared = template.Parameters ?? {};
  return Object.fromEntries(Object.entries(available).filter(([name]) => Object.hasOwn(declared, name)));
}

/**
 * A resource's parameters.json values as root-stack expressions, as Amplify's root stack passes them: lists
 * become comma-joined strings, and intrinsics stay, so `{"Fn::GetAtt": ["auth<name>", "Outputs.UserPoolId"]}`
 * (the api's AuthCognitoUserPoolId) reads the auth stack's output. A reference to a nested stack that is not
 * in this push would fail in the cloud, so it is refused here, naming the file and the parameter.
 */
function fileParameters(resource: PushResource, known: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource.parameters ?? {})) {
    const target = stackReference(value);
    if (target !== undefined && !known.has(target)) {
      throw new UserError(
        `Parameter ${name} of ${resource.category} ${resource.resourceName} (parameters.json) reads an output of ${target}, which this push does not deploy.`,
        `Add or push that resource too, or fix amplify/backend/${resource.category}/${resource.resourceName}/parameters.json.`,
      );
    }
    out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/** The nested stack that `{"Fn::GetAtt": [<stack>, "Outputs.<name>"]}` names, if the value is one. */
function stackReference(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string' || typeof getAtt[1] !== 'string') return undefined;
  return getAtt[1].startsWith('Outputs.') ? getAtt[0] : undefined;
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
  for (const resource of args.resources) {
    const logicalId = logicalIdOf(resource.category, resource.resourceName);
    const parameters: Record<string, unknown> = { ...fileParameters(resource, known), env: envName, AppId: appId, ...roleParameters(resource.template, names) };
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
