import type { Template } from '@forte/protocol';
import { ref } from './function-template.js';
import {
  accessStatements,
  dependencyEnvVar,
  dependencyParameter,
  modelTableEnvVars,
  type AccessibleResource,
  type DependsOn,
  type Permissions,
} from './resource-access.js';

type Json = Record<string, unknown>;

/** A layer of `function-parameters.json lambdaLayers` (Amplify's LambdaLayer union). */
export type LayerRef =
  | { type: 'ProjectLayer'; resourceName: string; version: number | 'Latest'; isLatestVersionSelected: boolean; env: string }
  | { type: 'ExternalLayer'; arn: string };

/** `function-parameters.json`, the keys Forte reads and writes (any others are kept as they are). */
export interface FunctionParameters {
  permissions?: Permissions;
  lambdaLayers: LayerRef[];
  environmentVariableList?: { cloudFormationParameterName: string; environmentVariableName: string }[];
  secretNames?: string[];
  [key: string]: unknown;
}

const resources = (t: Template): Record<string, Json> => t.Resources as unknown as Record<string, Json>;
const lambdaProperties = (t: Template): Json => (resources(t)['LambdaFunction']!['Properties'] ??= {}) as Json;
const variables = (t: Template): Json => {
  const environment = (lambdaProperties(t)['Environment'] ??= {}) as Json;
  return (environment['Variables'] ??= {}) as Json;
};
const params = (t: Template): Json => (t.Parameters ??= {}) as Json;
const outputs = (t: Template): Json => (t.Outputs ??= {}) as Json;

/** Whether anything in the template besides its Parameters section uses `name` (a Ref or `${name}`). */
function referenced(t: Template, name: string): boolean {
  const { Parameters: _unused, ...rest } = t;
  const text = JSON.stringify(rest);
  return text.includes(`{"Ref":"${name}"}`) || text.includes(`\${${name}}`);
}

/** lodash's camelCase, as Amplify names a user env var's parameter (`LOW_STOCK_THRESHOLD` → `lowStockThreshold`). */
export function camelCase(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** The access part of the template: dependency parameters, env vars and `AmplifyResourcesPolicy` (replacing the previous ones). */
export function applyPermissions(
  t: Template,
  previous: (DependsOn & { model?: { api: string; name: string } })[],
  next: { resource: AccessibleResource; operations: string[] }[],
): DependsOn[] {
  const vars = variables(t);
  for (const dep of previous) {
    for (const attribute of dep.attributes) delete vars[dependencyEnvVar(dep.category, dep.resourceName, attribute)];
    for (const key of Object.keys(dep.model ? modelTableEnvVars(dep.model.api, dep.model.name) : {})) delete vars[key];
  }
  delete resources(t)['AmplifyResourcesPolicy'];
  const statements: Json[] = [];
  const deps: DependsOn[] = [];
  for (const { resource, operations } of next) {
    // An @model table is reached through its API's id (Amplify: a dependency on the API, not on storage).
    const dep = resource.model
      ? { category: 'api', resourceName: resource.model.api, attributes: ['GraphQLAPIIdOutput'] }
      : { category: resource.category, resourceName: resource.resourceName, attributes: [...resource.attributes] };
    if (!deps.some((d) => d.category === dep.category && d.resourceName === dep.resourceName)) deps.push(dep);
    if (resource.model) Object.assign(vars, modelTableEnvVars(resource.model.api, resource.model.name));
    for (const attribute of dep.attributes) {
      const name = dependencyParameter(dep.category, dep.resourceName, attribute);
      params(t)[name] = { Type: 'String', Default: name };
      vars[dependencyEnvVar(dep.category, dep.resourceName, attribute)] = ref(name);
    }
    statements.push(...accessStatements(resource, operations));
  }
  if (statements.length > 0) {
    resources(t)['AmplifyResourcesPolicy'] = {
      DependsOn: ['LambdaExecutionRole'],
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'amplify-lambda-execution-policy',
        Roles: [ref('LambdaExecutionRole')],
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
      },
    };
  }
  for (const dep of previous) {
    for (const attribute of dep.attributes) {
      const name = dependencyParameter(dep.category, dep.resourceName, attribute);
      if (!referenced(t, name) && !deps.some((d) => d.category === dep.category && d.resourceName === dep.resourceName)) delete params(t)[name];
    }
  }
  return deps;
}

/** Amplify's recurring schedule: the `CloudWatchEvent` rule and its invoke permission, or neither (`undefined`). */
export function applySchedule(t: Template, expression: string | undefined): void {
  if (expression === undefined || expression === 'NONE') {
    delete resources(t)['CloudWatchEvent'];
    delete resources(t)['PermissionForEventsToInvokeLambda'];
    delete outputs(t)['CloudWatchEventRule'];
    return;
  }
  resources(t)['CloudWatchEvent'] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: 'Schedule rule for Lambda',
      ScheduleExpression: ref('CloudWatchRule'),
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] }, Id: ref('LambdaFunction') }],
    },
  };
  resources(t)['PermissionForEventsToInvokeLambda'] = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: ref('LambdaFunction'),
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['CloudWatchEvent', 'Arn'] },
    },
  };
  outputs(t)['CloudWatchEventRule'] = { Value: ref('CloudWatchEvent') };
}

/** User env vars: a String parameter per key (camelCase) and `KEY: Ref <camelKey>`; previous keys are dropped. */
export function applyEnvironmentVariables(t: Template, previous: string[], next: string[]): FunctionParameters['environmentVariableList'] {
  const vars = variables(t);
  for (const key of previous.filter((k) => !next.includes(k))) {
    delete vars[key];
    delete params(t)[camelCase(key)];
  }
  for (const key of next) {
    params(t)[camelCase(key)] = { Type: 'String' };
    vars[key] = ref(camelCase(key));
  }
  return next.map((key) => ({ cloudFormationParameterName: camelCase(key), environmentVariableName: key }));
}

const secretsPath = (functionName: string): Json => ({
  'Fn::Sub': ['/amplify/${appId}/${env}/AMPLIFY_${functionName}_', { appId: ref('secretsPathAmplifyAppId'), env: ref('env'), functionName }],
});

/** Secrets (Amplify's secretsCfnModifier): each name's env var holds the SSM parameter name, and the role may read them. */
export function applySecrets(t: Template, functionName: string, previous: string[], next: string[]): void {
  const vars = variables(t);
  for (const name of previous.filter((n) => !next.includes(n))) delete vars[name];
  for (const name of next) vars[name] = { 'Fn::Join': ['', [secretsPath(functionName), name]] };
  if (next.length === 0) {
    delete params(t)['secretsPathAmplifyAppId'];
    delete resources(t)['AmplifyFunctionSecretsPolicy'];
    return;
  }
  params(t)['secretsPathAmplifyAppId'] = { Type: 'String' };
  resources(t)['AmplifyFunctionSecretsPolicy'] = {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: 'amplify-function-secrets-policy',
      Roles: [ref('LambdaExecutionRole')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ssm:GetParameter', 'ssm:GetParameters'],
            Resource: { 'Fn::Join': ['', ['arn:aws:ssm:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':parameter', secretsPath(functionName), '*']] },
          },
        ],
      },
    },
    DependsOn: ['LambdaExecutionRole'],
  };
}

/** Layers (Amplify's layerArnConverter): the latest version of a project layer by its Arn output, a pinned one by ARN, external ARNs as given. */
export function applyLayers(t: Template, previous: LayerRef[], next: LayerRef[]): DependsOn[] {
  for (const layer of previous) {
    if (layer.type === 'ProjectLayer' && !next.some((n) => n.type === 'ProjectLayer' && n.resourceName === layer.resourceName)) {
      delete params(t)[`function${layer.resourceName}Arn`];
    }
  }
  const deps: DependsOn[] = [];
  lambdaProperties(t)['Layers'] = next.map((layer) => {
    if (layer.type === 'ExternalLayer') return layer.arn;
    if (layer.isLatestVersionSelected) {
      const name = `function${layer.resourceName}Arn`;
      params(t)[name] = { Type: 'String', Default: name };
      deps.push({ category: 'function', resourceName: layer.resourceName, attributes: ['Arn'] });
      return ref(name);
    }
    return { 'Fn::Sub': `arn:aws:lambda:\${AWS::Region}:\${AWS::AccountId}:layer:${layer.resourceName}-\${env}:${String(layer.version)}` };
  });
  return deps;
}
