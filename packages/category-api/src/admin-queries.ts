import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendResource, type PluginContext } from '@forte/protocol';
import { CATEGORY, CLI_INPUTS_FILE, PROVIDER_PLUGIN } from './api-config.js';
import { ADMIN_QUERIES_NAME, CRUD_OPERATIONS, REST_SERVICE, type RestInputs } from './rest-config.js';

/** What the auth category passes (Amplify's `addAdminQueriesApi` / `updateAdminQueriesApi` props). */
export interface AdminQueriesApiProps {
  apiName?: string;
  functionName: string;
  authResourceName: string;
  dependsOn?: BackendResource['dependsOn'];
}

/**
 * Writes the `AdminQueries` REST API as Amplify's api category does for the auth category: cli-inputs.json
 * with the single `/{proxy+}` path to the function (private, every operation), an empty parameters.json, and
 * the backend-config / amplify-meta entry (`authorizationType: AMAZON_COGNITO_USER_POOLS`, depending on the
 * user pool id and the function). Called again by `update auth`, it points the API at the function given.
 */
export function addAdminQueriesApi(ctx: PluginContext, props: AdminQueriesApiProps): string {
  const { functionName, authResourceName } = props ?? ({} as AdminQueriesApiProps);
  if (typeof functionName !== 'string' || typeof authResourceName !== 'string')
    throw new UserError('The Admin Queries API needs its function and auth resource names.', 'Pass functionName and authResourceName.');
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, ADMIN_QUERIES_NAME);
  mkdirSync(dir, { recursive: true });
  const inputs: RestInputs = {
    version: 1,
    paths: { '/{proxy+}': { lambdaFunction: functionName, permissions: { setting: 'private', auth: [...CRUD_OPERATIONS] } } },
  };
  writeFileSync(join(dir, CLI_INPUTS_FILE), `${JSON.stringify(inputs, null, 2)}\n`);
  if (!existsSync(join(dir, 'parameters.json'))) writeFileSync(join(dir, 'parameters.json'), '{}\n');
  const dependsOn = props.dependsOn ?? [
    { category: 'auth', resourceName: authResourceName, attributes: ['UserPoolId'] },
    { category: 'function', resourceName: functionName, attributes: ['Arn', 'Name'] },
  ];
  const entry: BackendResource = { service: REST_SERVICE, providerPlugin: PROVIDER_PLUGIN, authorizationType: 'AMAZON_COGNITO_USER_POOLS', dependsOn };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [ADMIN_QUERIES_NAME]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = (meta[CATEGORY]?.[ADMIN_QUERIES_NAME] ?? {}) as Record<string, unknown>;
  meta[CATEGORY] = { ...meta[CATEGORY], [ADMIN_QUERIES_NAME]: { ...previous, ...entry } };
  project.writeMeta(meta);
  return ADMIN_QUERIES_NAME;
}

/** Amplify's second entry point: the same files. */
export const updateAdminQueriesApi = addAdminQueriesApi;
