import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, cognitoAuthResource, type BackendResource, type Project } from '@forte/protocol';
import { CATEGORY, CLI_INPUTS_FILE, PROVIDER_PLUGIN, SERVICE, authModes, parseApiConfig, type ApiConfig } from './api-config.js';
import { appSyncAuthConfig, authModeOf, type AppSyncAuthConfiguration } from './auth-config.js';

export const SCHEMA_FILE = 'schema.graphql';
export const SCHEMA_DIR = 'schema';
export const TRANSFORM_CONF_FILE = 'transform.conf.json';
export const PARAMETERS_FILE = 'parameters.json';

/** The project's GraphQL API resource (a project has at most one), from backend-config.json. */
export function findApiResource(project: Project): string | undefined {
  const api = project.readBackendConfig()[CATEGORY] ?? {};
  return Object.entries(api).find(([, entry]) => entry.service === SERVICE)?.[0];
}

/** The project's Cognito auth resource, which user-pool authorization needs. */
export const findAuthResource = (project: Project): string | undefined => cognitoAuthResource(project);

function readJson(file: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file} is missing.`, fix, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, fix, { cause: error });
  }
}

export function readApiConfig(dir: string): ApiConfig {
  const file = join(dir, CLI_INPUTS_FILE);
  if (!existsSync(file)) {
    const legacy = legacyApiConfig(dir);
    if (legacy) return parseApiConfig(legacy.serviceConfiguration, legacy.source);
  }
  const raw = readJson(file, 'Fix the file, or remove the API (`forte remove api`) and add it again.') as { serviceConfiguration?: unknown } | undefined;
  return parseApiConfig(raw?.serviceConfiguration, file);
}

/**
 * The settings of a GraphQL API made before Amplify CLI 7 (no cli-inputs.json), as Amplify's migration to
 * cli-inputs.json reads them: the authorization modes from backend-config.json's `output.authConfig` of the API
 * (the folder's `../../backend-config.json`), conflict resolution from transform.conf.json's `ResolverConfig`.
 * Nothing is written: `forte update api` writes cli-inputs.json, read from then on. Undefined when backend-config
 * has no authConfig for the API.
 */
function legacyApiConfig(dir: string): { serviceConfiguration: unknown; source: string } | undefined {
  const apiName = basename(dir);
  const backendConfigFile = join(dir, '..', '..', 'backend-config.json');
  if (!existsSync(backendConfigFile)) return undefined;
  const backendConfig = readJson(backendConfigFile, 'Fix the file.') as { api?: Record<string, { output?: { authConfig?: AppSyncAuthConfiguration } }> };
  const authConfig = backendConfig.api?.[apiName]?.output?.authConfig;
  if (!authConfig?.defaultAuthentication) return undefined;
  const conflictResolution = conflictResolutionOf(readTransformConf(dir).ResolverConfig);
  return {
    source: `${backendConfigFile} (api.${apiName}.output.authConfig: an API made before Amplify CLI 7, without cli-inputs.json)`,
    serviceConfiguration: {
      serviceName: 'AppSync',
      apiName,
      defaultAuthType: authModeOf(authConfig.defaultAuthentication),
      additionalAuthTypes: (authConfig.additionalAuthenticationProviders ?? []).map(authModeOf),
      ...(conflictResolution ? { conflictResolution } : {}),
    },
  };
}

/** cli-inputs.json's conflict resolution for transform.conf.json's `ResolverConfig` (the reverse of `resolverConfig`). */
function conflictResolutionOf(config: unknown): ApiConfig['conflictResolution'] {
  type Sync = { ConflictHandler?: string; LambdaConflictHandler?: { name?: string; lambdaArn?: string } };
  const { project, models } = (config ?? {}) as { project?: Sync; models?: Record<string, Sync> };
  const strategyOf = (sync: Sync): { type: 'AUTOMERGE' | 'OPTIMISTIC_CONCURRENCY' | 'LAMBDA' | 'NONE'; resolver?: unknown } => {
    const type = sync.ConflictHandler === 'LAMBDA' || sync.ConflictHandler === 'OPTIMISTIC_CONCURRENCY' ? sync.ConflictHandler : 'AUTOMERGE';
    if (type !== 'LAMBDA') return { type };
    const handler = sync.LambdaConflictHandler ?? {};
    return { type, resolver: { type: 'EXISTING', name: handler.name, ...(handler.lambdaArn ? { arn: handler.lambdaArn } : {}) } };
  };
  if (!project && !models) return undefined;
  return {
    ...(project ? { defaultResolutionStrategy: strategyOf(project) } : {}),
    ...(models
      ? { perModelResolutionStrategy: Object.entries(models).map(([entityName, sync]) => ({ entityName, resolutionStrategy: strategyOf(sync) })) }
      : {}),
  };
}

/**
 * The API's schema: `schema.graphql`, or every `*.graphql` file of `schema/` (sorted by path, Amplify's
 * rule), joined with a newline. Returns the text, the files it came from and their line counts (to name the
 * file of a line).
 */
export function readApiSchema(dir: string): { schema: string; files: string[]; lineCounts: number[] } {
  const single = join(dir, SCHEMA_FILE);
  const folder = join(dir, SCHEMA_DIR);
  const hasFolder = existsSync(folder) && statSync(folder).isDirectory();
  if (existsSync(single) && hasFolder) {
    throw new UserError(
      `${dir} has both ${SCHEMA_FILE} and a ${SCHEMA_DIR}/ folder.`,
      `Keep one: Amplify reads ${SCHEMA_FILE} or the files of ${SCHEMA_DIR}/, not both.`,
    );
  }
  if (existsSync(single)) {
    const schema = readFileSync(single, 'utf8');
    return { schema, files: [single], lineCounts: [schema.split('\n').length] };
  }
  if (hasFolder) {
    const files = listGraphqlFiles(folder);
    if (files.length === 0) throw new UserError(`${folder} has no .graphql files.`, 'Put the schema in schema/*.graphql or schema.graphql.');
    const bodies = files.map((f) => readFileSync(f, 'utf8'));
    // Joined with a newline, so a file's first line follows the last line of the one before.
    return { schema: bodies.join('\n'), files, lineCounts: bodies.map((b) => b.split('\n').length) };
  }
  throw new UserError(`The API in ${dir} has no schema.`, `Write ${SCHEMA_FILE} (or schema/*.graphql), or run \`forte update api\`.`);
}

function listGraphqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listGraphqlFiles(path));
    else if (name.endsWith('.graphql')) out.push(path);
  }
  return out;
}

/** transform.conf.json (Amplify's `Version: 5`), with the conflict-resolution `ResolverConfig` when set. */
export function readTransformConf(dir: string): { Version?: number; ResolverConfig?: unknown; [key: string]: unknown } {
  const file = join(dir, TRANSFORM_CONF_FILE);
  if (!existsSync(file)) return { Version: 5 };
  return readJson(file, `Fix ${TRANSFORM_CONF_FILE} (it is JSON: {"Version": 5, …}).`) as { Version?: number; ResolverConfig?: unknown };
}

/**
 * transform.conf.json's `LambdaConflictHandler` for a LAMBDA strategy's `resolver`: `EXISTING` with a project function's
 * name is that function in each environment (`<name>-${env}`, as the function category names it), or with an `arn`
 * the function as named; `NEW` (Amplify would add a function from its template) is refused, naming the fix.
 */
function lambdaConflictHandler(resolver: unknown): Record<string, unknown> {
  const r = (resolver ?? {}) as { type?: unknown; name?: unknown; arn?: unknown; region?: unknown };
  if (r.type === 'EXISTING' && typeof r.name === 'string' && r.name !== '') {
    if (typeof r.arn === 'string') return { name: r.name, lambdaArn: r.arn, ...(typeof r.region === 'string' ? { region: r.region } : {}) };
    return { name: r.name.includes('${env}') ? r.name : `${r.name}-\${env}` };
  }
  throw new UserError(
    'A LAMBDA conflict resolution strategy names its handler: resolver {"type": "EXISTING", "name": "<function>"}.',
    'Add the handler with `forte add function`, then name it as an EXISTING resolver (Forte does not add a new function from here).',
  );
}

/** Amplify's `ResolverConfig` from the cli-inputs conflict-resolution answers (undefined when off). */
export function resolverConfig(config: ApiConfig): Record<string, unknown> | undefined {
  const cr = config.conflictResolution;
  const toSync = (strategy: { type: string; resolver?: unknown }): Record<string, unknown> =>
    strategy.type === 'LAMBDA'
      ? { ConflictHandler: 'LAMBDA', ConflictDetection: 'VERSION', LambdaConflictHandler: lambdaConflictHandler(strategy.resolver) }
      : { ConflictHandler: strategy.type, ConflictDetection: 'VERSION' };
  if (!cr?.defaultResolutionStrategy || cr.defaultResolutionStrategy.type === 'NONE') {
    if (!cr?.perModelResolutionStrategy?.length) return undefined;
  }
  const out: Record<string, unknown> = {};
  if (cr?.defaultResolutionStrategy && cr.defaultResolutionStrategy.type !== 'NONE') out.project = toSync(cr.defaultResolutionStrategy);
  if (cr?.perModelResolutionStrategy?.length) {
    out.models = Object.fromEntries(cr.perModelResolutionStrategy.map((m) => [m.entityName, toSync(m.resolutionStrategy)]));
  }
  return out;
}

/**
 * Writes the API folder as Amplify lays it out (cli-inputs.json, parameters.json, transform.conf.json,
 * resolvers/README.md, and the schema when given) and the backend-config / amplify-meta entries.
 */
export function saveApiResource(project: Project, config: ApiConfig, schema?: string): void {
  const authResource = findAuthResource(project);
  const usesUserPools = authModes(config).some((m) => m.mode === 'AMAZON_COGNITO_USER_POOLS');
  if (usesUserPools && !authResource) {
    throw new UserError(
      'Amazon Cognito User Pool authorization needs an auth resource, and this project has none.',
      'Add one with `forte add auth`, then add or update the API.',
    );
  }
  const dir = project.resourceDir(CATEGORY, config.apiName);
  mkdirSync(join(dir, 'resolvers'), { recursive: true });
  writeFileSync(join(dir, CLI_INPUTS_FILE), `${JSON.stringify({ version: 1, serviceConfiguration: config }, null, 2)}\n`);
  if (schema !== undefined) writeFileSync(join(dir, SCHEMA_FILE), schema);
  const parameters: Record<string, unknown> = {
    AppSyncApiName: config.apiName,
    DynamoDBBillingMode: 'PAY_PER_REQUEST',
    DynamoDBEnableServerSideEncryption: false,
  };
  if (usesUserPools) parameters.AuthCognitoUserPoolId = { 'Fn::GetAtt': [`auth${authResource}`, 'Outputs.UserPoolId'] };
  if (!authModes(config).some((m) => m.mode === 'API_KEY')) parameters.CreateAPIKey = 0;
  writeFileSync(join(dir, PARAMETERS_FILE), `${JSON.stringify(parameters, null, 2)}\n`);
  const conf = { ...readTransformConf(dir), Version: 5, ElasticsearchWarning: true } as Record<string, unknown>;
  const resolvers = resolverConfig(config);
  if (resolvers) conf.ResolverConfig = resolvers;
  else delete conf.ResolverConfig;
  writeFileSync(join(dir, TRANSFORM_CONF_FILE), `${JSON.stringify(conf, null, 2)}\n`);
  const readme = join(dir, 'resolvers', 'README.md');
  if (!existsSync(readme))
    writeFileSync(
      readme,
      'Any resolvers that you add in this directory will override the ones automatically generated by Amplify CLI and will be directly copied to the cloud.\nFor more information, visit [https://docs.amplify.aws/cli/graphql/custom-business-logic/#override-amplify-generated-resolvers](https://docs.amplify.aws/cli/graphql/custom-business-logic/#override-amplify-generated-resolvers)\n',
    );

  const entry: BackendResource = {
    service: SERVICE,
    providerPlugin: PROVIDER_PLUGIN,
    dependsOn: usesUserPools && authResource ? [{ category: 'auth', resourceName: authResource, attributes: ['UserPoolId'] }] : [],
    output: { authConfig: appSyncAuthConfig(config, authResource) },
  };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [config.apiName]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = (meta[CATEGORY]?.[config.apiName] ?? {}) as Record<string, unknown> & { output?: Record<string, unknown> };
  const previousOutput = previous.output ?? {};
  meta[CATEGORY] = {
    ...meta[CATEGORY],
    [config.apiName]: { ...previous, ...entry, output: { ...previousOutput, ...(entry.output as Record<string, unknown>) } },
  };
  project.writeMeta(meta);
}
