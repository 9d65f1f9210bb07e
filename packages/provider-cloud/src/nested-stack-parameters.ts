import { UserError, resourceLogicalId as logicalIdOf, type PushResource, type Template } from '@forte/protocol';
import type { RootNames } from './root-template.js';

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
  return declaredOnly(template, available);
}

function declaredOnly(template: Template, values: Record<string, unknown>): Record<string, unknown> {
  const declared = template.Parameters ?? {};
  return Object.fromEntries(Object.entries(values).filter(([name]) => Object.hasOwn(declared, name)));
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

/** What the root stack passes to one nested stack, the stacks it waits for, and each declared parameter left without a value. */
export interface NestedStackParameters {
  parameters: Record<string, unknown>;
  dependsOn: string[];
  /** One line per parameter with neither a value nor a Default, naming it, the resource and where to set it. */
  missing: string[];
}

/**
 * The parameters of a resource's nested stack, as Amplify's root stack fills them (formNestedStack): the
 * environment's values from team-provider-info.json (declared ones only: they also hold values for other
 * tools), then parameters.json / the build's values, then what the provider owns (`env`, `AppId`, the
 * deployment bucket and the app id of the secrets path where declared, the roles), then each dependsOn
 * attribute `<category><resource><Attr>` as the other nested stack's output. The environment's own bucket
 * replaces a `deploymentBucketName` a cloned project still names from its AWS account.
 */
export function nestedStackParameters(args: {
  resource: PushResource;
  names: RootNames;
  appId: string;
  envName: string;
  known: ReadonlySet<string>;
}): NestedStackParameters {
  const { resource, names, appId, envName, known } = args;
  const template = resource.template;
  const parameters: Record<string, unknown> = {
    ...declaredOnly(template, resource.environmentParameters ?? {}),
    ...fileParameters(resource, known),
    env: envName,
    AppId: appId,
    ...declaredOnly(template, { deploymentBucketName: names.deploymentBucketName, secretsPathAmplifyAppId: appId }),
    ...roleParameters(template, names),
  };
  const dependsOn: string[] = [];
  for (const dep of resource.dependsOn ?? []) {
    const depId = logicalIdOf(dep.category, dep.resourceName);
    // A dependency on a resource that is not pushed would leave the stack unresolvable; the CLI reports it earlier.
    if (!known.has(depId)) continue;
    if (!dependsOn.includes(depId)) dependsOn.push(depId);
    for (const attr of dep.attributes) parameters[`${dep.category}${dep.resourceName}${attr}`] = { 'Fn::GetAtt': [depId, `Outputs.${attr}`] };
  }
  // The file users edit when there is one (a function's template); a generated template is named by its folder.
  const where = resource.sourceFile ?? `the template of amplify/backend/${resource.category}/${resource.resourceName}/`;
  const missing = Object.entries(template.Parameters ?? {})
    .filter(([name, declared]) => declared.Default === undefined && parameters[name] === undefined)
    .map(([name]) => `${name} of ${resource.category} ${resource.resourceName} (declared in ${where})`);
  return { parameters, dependsOn, missing };
}
