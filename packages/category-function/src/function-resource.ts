import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendConfig, type BackendResource, type PluginContext, type Project, type Template } from '@forte/protocol';
import { CATEGORY, PROVIDER_PLUGIN, SERVICE, functionPaths, readJsonFile, writeEnvParameters, writeJsonFile } from './function-files.js';
import {
  applyEnvironmentVariables,
  applyLayers,
  applyPermissions,
  applySchedule,
  applySecrets,
  type FunctionParameters,
  type LayerRef,
} from './function-settings.js';
import { functionTemplate } from './function-template.js';
import { accessibleResources, type AccessibleResource, type DependsOn, type Permissions } from './resource-access.js';
import { deleteSecrets, putSecrets } from './function-secrets.js';
import { sourceFiles, withParamsComment, type FunctionTemplateName } from './source-templates.js';
import { applyTrigger, crudStatement, type TriggerSource } from './trigger-template.js';

/** Package managers of Amplify's question, and the build command each stores in amplify.state. */
export const BUILD_COMMANDS = { npm: 'npm install --no-bin-links --production', yarn: 'yarn --no-bin-links --production', pnpm: 'pnpm install' } as const;
export type PackageManager = keyof typeof BUILD_COMMANDS | { custom: string };

/** The advanced settings of a function: what `add` asks after the template, and what `update` changes. */
export interface FunctionSettings {
  permissions: Permissions;
  /** A `cron(...)` / `rate(...)` expression; undefined = not scheduled. */
  schedule?: string;
  layers: LayerRef[];
  /** Values for the current environment. */
  environmentVariables: Record<string, string>;
  /** Names, with the value to set now (undefined keeps the value the cloud holds). */
  secrets: Record<string, string | undefined>;
  packageManager?: PackageManager;
}

export interface FunctionSpec extends FunctionSettings {
  name: string;
  template: FunctionTemplateName;
  /** The storage DynamoDB resource of the CRUD template. */
  crudTable?: string;
  trigger?: TriggerSource;
  /** The REST API path (Express form) the function's template routes, when the api category creates it. */
  expressPath?: string;
}

export const FUNCTION_NAME = /^[a-zA-Z0-9]+$/;
const alnumLower = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
/** Amplify's defaults: the project name (letters and digits, lower case) and eight hex digits. */
export const defaultFunctionName = (project: Project): string => `${alnumLower(project.config.projectName)}${randomBytes(4).toString('hex')}`;
const roleName = (project: Project): string => `${alnumLower(project.config.projectName)}LambdaRole${randomBytes(4).toString('hex')}`;

export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Merges dependency lists (same resource: attributes united, first order kept). */
export function mergeDependsOn(...lists: DependsOn[][]): DependsOn[] {
  const out: DependsOn[] = [];
  for (const dep of lists.flat()) {
    const same = out.find((d) => d.category === dep.category && d.resourceName === dep.resourceName);
    if (same) same.attributes = [...new Set([...same.attributes, ...dep.attributes])];
    else out.push({ ...dep, attributes: [...dep.attributes] });
  }
  return out;
}

/**
 * The access settings as resources of the project, refusing one that is not there or an operation it has not
 * (`lenient`: skipping them, for settings written before a resource was removed).
 */
export function resolveAccess(
  project: Project,
  self: string,
  permissions: Permissions,
  lenient = false,
): { resource: AccessibleResource; operations: string[] }[] {
  const resources = accessibleResources(project, self);
  return Object.entries(permissions).flatMap(([category, byResource]) =>
    Object.entries(byResource).flatMap(([resourceName, operations]) => {
      const resource = resources.find((r) => r.category === category && r.resourceName === resourceName);
      if (!resource) {
        if (lenient) return [];
        throw new UserError(
          `The function cannot be given access to ${category} ${resourceName}: the project has no such resource a function can use.`,
          `Choose one of: ${resources.map((r) => `${r.category} ${r.resourceName}`).join(', ') || 'none yet'}.`,
        );
      }
      const bad = operations.filter((op) => !(resource.operations as readonly string[]).includes(op));
      if (bad.length > 0 && !lenient)
        throw new UserError(`${category} ${resourceName} has no operation ${bad.join(', ')}.`, `Use ${resource.operations.join(', ')}.`);
      return [{ resource, operations }];
    }),
  );
}

/** What an access setting makes the function depend on (an `@model` table: its API's id). */
export function accessDependency(resource: AccessibleResource): DependsOn & { model?: { api: string; name: string } } {
  return resource.model
    ? { category: 'api', resourceName: resource.model.api, attributes: ['GraphQLAPIIdOutput'], model: resource.model }
    : { category: resource.category, resourceName: resource.resourceName, attributes: resource.attributes };
}

export interface StoredFunction {
  template: Template;
  functionParameters: FunctionParameters;
  parameters: Record<string, unknown>;
  state: Record<string, unknown>;
}

export function readFunction(project: Project, name: string): StoredFunction {
  const paths = functionPaths(project.resourceDir(CATEGORY, name), name);
  if (!existsSync(paths.template)) throw new UserError(`The project has no function ${name}.`, 'See the functions with `forte status`.');
  const template = readJsonFile<Template>(paths.template);
  if ((template.Resources as Record<string, { Type?: string } | undefined> | undefined)?.['LambdaFunction']?.Type !== 'AWS::Lambda::Function') {
    throw new UserError(
      `${paths.template} has no LambdaFunction resource of type AWS::Lambda::Function, which Forte (as Amplify) edits.`,
      'Restore that resource in the template (its logical id must stay LambdaFunction), then run the command again.',
    );
  }
  return {
    template,
    functionParameters: readJsonFile<FunctionParameters>(paths.functionParameters, { lambdaLayers: [] }),
    parameters: readJsonFile<Record<string, unknown>>(paths.parameters, {}),
    state: readJsonFile<Record<string, unknown>>(paths.state, {}),
  };
}

/** Applies advanced settings to a stored function (new or existing) and writes every file and entry they touch. */
export async function writeSettings(
  ctx: PluginContext,
  name: string,
  stored: StoredFunction,
  settings: FunctionSettings,
  ownDependsOn: DependsOn[],
): Promise<void> {
  const project = ctx.project();
  const paths = functionPaths(project.resourceDir(CATEGORY, name), name);
  const { template, functionParameters: fp } = stored;
  const access = resolveAccess(project, name, settings.permissions);
  const previousAccess = resolveAccess(project, name, fp.permissions ?? {}, true).map(({ resource }) => accessDependency(resource));
  const accessDeps = applyPermissions(template, previousAccess, access);
  applySchedule(template, settings.schedule);
  const layerDeps = applyLayers(template, fp.lambdaLayers, settings.layers);
  const previousKeys = (fp.environmentVariableList ?? []).map((v) => v.environmentVariableName);
  const envList = applyEnvironmentVariables(template, previousKeys, Object.keys(settings.environmentVariables));
  const secretNames = Object.keys(settings.secrets);
  applySecrets(template, name, fp.secretNames ?? [], secretNames);

  const nextFp: FunctionParameters = { ...fp, lambdaLayers: settings.layers };
  if (Object.keys(settings.permissions).length > 0) nextFp.permissions = settings.permissions;
  else delete nextFp.permissions;
  if (envList && envList.length > 0) nextFp.environmentVariableList = envList;
  else delete nextFp.environmentVariableList;
  if (secretNames.length > 0) nextFp.secretNames = secretNames;
  else delete nextFp.secretNames;
  delete nextFp['mutableParametersState'];
  const parameters = { ...stored.parameters };
  if (settings.schedule) parameters['CloudWatchRule'] = settings.schedule;
  else delete parameters['CloudWatchRule'];
  const state = { ...stored.state };
  if (settings.packageManager !== undefined) {
    const build = typeof settings.packageManager === 'string' ? BUILD_COMMANDS[settings.packageManager] : settings.packageManager.custom;
    state['scripts'] = { ...(state['scripts'] as object | undefined), build };
  }

  // Secrets first: a value the cloud refuses leaves the files as they were.
  const values = Object.fromEntries(Object.entries(settings.secrets).filter((e): e is [string, string] => e[1] !== undefined));
  if (Object.keys(values).length > 0) await putSecrets(ctx, name, values);

  const removedSecrets = (fp.secretNames ?? []).filter((n) => !secretNames.includes(n));
  writeJsonFile(paths.template, template);
  writeJsonFile(paths.functionParameters, nextFp);
  writeJsonFile(paths.parameters, parameters);
  writeJsonFile(paths.state, state);
  updateParamsComment(paths.src, template);

  const removed = (fp.environmentVariableList ?? []).filter((v) => !(v.environmentVariableName in settings.environmentVariables));
  writeEnvParameters(project, project.envName, CATEGORY, name, {
    ...Object.fromEntries(removed.map((v) => [v.cloudFormationParameterName, undefined])),
    ...Object.fromEntries((envList ?? []).map((v) => [v.cloudFormationParameterName, settings.environmentVariables[v.environmentVariableName]])),
    secretsPathAmplifyAppId: secretNames.length > 0 ? appIdOrUndefined(project) : undefined,
  });
  const dependsOn = mergeDependsOn(ownDependsOn, accessDeps, layerDeps);
  const envParameters = (envList ?? []).map((v) => v.cloudFormationParameterName);
  const removedParameters = removed.map((v) => v.cloudFormationParameterName);
  (secretNames.length > 0 ? envParameters : removedParameters).push('secretsPathAmplifyAppId');
  writeBackendEntries(project, name, dependsOn, envParameters, removedParameters);
  await deleteSecrets(ctx, name, removedSecrets);
}

function appIdOrUndefined(project: Project): string | undefined {
  const id = project.readMeta().providers?.awscloudformation?.AmplifyAppId;
  return typeof id === 'string' ? id : undefined;
}

function updateParamsComment(srcDir: string, template: Template): void {
  const file = existsSync(join(srcDir, 'app.js')) ? join(srcDir, 'app.js') : join(srcDir, 'index.js');
  if (!existsSync(file)) return;
  const lambda = template.Resources['LambdaFunction']?.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined;
  writeFileSync(file, withParamsComment(readFileSync(file, 'utf8'), Object.keys(lambda?.Environment?.Variables ?? {})));
}

/** backend-config.json and amplify-meta.json: the function entry and its `AMPLIFY_function_<fn>_*` parameters. */
function writeBackendEntries(project: Project, name: string, dependsOn: DependsOn[], envParameters: string[], removed: string[]): void {
  // Amplify leaves dependsOn out of a function that depends on nothing.
  const entry: BackendResource = {
    build: true,
    providerPlugin: PROVIDER_PLUGIN,
    service: SERVICE,
    ...(dependsOn.length > 0 ? { dependsOn: dependsOn.map((d) => ({ ...d })) } : {}),
  };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [name]: entry };
  const parameters = { ...(backend['parameters'] ?? {}) } as Record<string, unknown>;
  const usedBy = { usedBy: [{ category: CATEGORY, resourceName: name }] };
  for (const p of ['deploymentBucketName', 's3Key', ...envParameters]) parameters[`AMPLIFY_${CATEGORY}_${name}_${p}`] = usedBy;
  for (const p of removed) delete parameters[`AMPLIFY_${CATEGORY}_${name}_${p}`];
  backend['parameters'] = parameters as BackendConfig[string];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = meta[CATEGORY]?.[name] ?? {};
  const { dependsOn: _previousDeps, ...kept } = previous as Record<string, unknown>;
  meta[CATEGORY] = { ...meta[CATEGORY], [name]: { ...kept, ...entry } };
  project.writeMeta(meta);
}

/** Writes a new function folder (template, parameters, state, policies, src) and its settings. */
export async function createFunction(
  ctx: PluginContext,
  spec: FunctionSpec,
  crudTableInfo?: { name: string; partitionKey: string; sortKey?: string },
): Promise<void> {
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, spec.name);
  if (existsSync(dir) || project.readBackendConfig()[CATEGORY]?.[spec.name]) {
    throw new UserError(`A function or layer named ${spec.name} already exists.`, 'Choose another name, or change it with `forte update function`.');
  }
  const paths = functionPaths(dir, spec.name);
  const ownDeps: DependsOn[] = [];
  const template = functionTemplate({
    functionName: spec.name,
    roleName: roleName(project),
    version: cliVersion(),
    ...(spec.crudTable
      ? { executionStatements: [crudStatement(spec.crudTable)], dependencyParameters: [`storage${spec.crudTable}Name`, `storage${spec.crudTable}Arn`] }
      : {}),
  });
  if (spec.crudTable) ownDeps.push({ category: 'storage', resourceName: spec.crudTable, attributes: ['Name', 'Arn'] });
  if (spec.trigger) ownDeps.push(...applyTrigger(template, spec.trigger));
  mkdirSync(paths.src, { recursive: true });
  const files = sourceFiles({
    functionName: spec.name,
    template: spec.template,
    ...(crudTableInfo ? { crudTable: crudTableInfo } : {}),
    ...(spec.trigger ? { triggerSource: spec.trigger.type.startsWith('kinesis') ? 'kinesis' : 'dynamodb' } : {}),
    ...(spec.expressPath ? { expressPath: spec.expressPath } : {}),
  });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(paths.src, file), content);
  writeJsonFile(paths.customPolicies, [{ Action: [], Resource: [] }]);
  const state = {
    pluginId: 'amplify-nodejs-function-runtime-provider',
    functionRuntime: 'nodejs',
    useLegacyBuild: true,
    defaultEditorFile: files['app.js'] ? 'src/app.js' : 'src/index.js',
  };
  await writeSettings(ctx, spec.name, { template, functionParameters: { lambdaLayers: [] }, parameters: {}, state }, spec, ownDeps);
}
