import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  UserError,
  cognitoAuthResource,
  readIdentityPoolSettings,
  userPoolGroupNames,
  type BackendResource,
  type PluginContext,
  type Project,
} from '@forte/protocol';
import { CATEGORY, CLI_INPUTS_FILE, PROVIDER_PLUGIN } from './api-config.js';
import { REST_SERVICE, convertLegacyParams, parseRestInputs, type RestInputs } from './rest-config.js';

/** Amplify's older file for REST APIs, read when there is no cli-inputs.json. */
export const LEGACY_PARAMS_FILE = 'api-params.json';

/** The project's REST API resources (backend-config.json, service `API Gateway`). */
export function restApis(project: Project): string[] {
  return Object.entries(project.readBackendConfig()[CATEGORY] ?? {})
    .filter(([, entry]) => entry.service === REST_SERVICE)
    .map(([name]) => name);
}

/** The project's Lambda functions (not layers), which a path may invoke. */
export function projectFunctions(project: Project): string[] {
  return Object.entries(project.readBackendConfig()['function'] ?? {})
    .filter(([, entry]) => entry.service === 'Lambda')
    .map(([name]) => name);
}

/** Amplify's resource of the user pool groups' IAM roles (`<UserPoolId>-<Group>GroupRole`), which group permissions attach to. */
export { USER_POOL_GROUPS_RESOURCE } from '@forte/protocol';

/**
 * The project's Cognito auth resource, and the user pool groups a path may grant to: those of Amplify's
 * `auth/userPoolGroups` resource (`user-pool-group-precedence.json`), whose roles the group policies attach to.
 * Groups without that resource (a pool whose groups predate it, or were made outside the project) are not offered.
 */
export function authWithGroups(project: Project): { authResource?: string; groups: string[] } {
  const authResource = cognitoAuthResource(project);
  return authResource ? { authResource, groups: userPoolGroupNames(project) } : { groups: [] };
}

/**
 * Refuses group permissions the project cannot deploy: a group's permission is a policy on the group's IAM
 * role, which only Amplify's `auth/userPoolGroups` resource creates.
 */
export function assertGroupsDeployable(project: Project, inputs: RestInputs, source: string): void {
  const { groups } = authWithGroups(project);
  for (const [path, entry] of Object.entries(inputs.paths)) {
    const named = Object.keys(entry.permissions.groups ?? {});
    const missing = named.filter((g) => !groups.includes(g));
    if (missing.length === 0) continue;
    throw new UserError(
      `${source}: path ${path} grants the user pool group${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, whose permission is a policy on the group's IAM role (auth/userPoolGroups), and this project has ${groups.length === 0 ? 'no group roles' : `group roles for ${groups.join(', ')} only`}.`,
      'Add the groups with `forte update auth` (user pool groups, which creates their roles with an identity pool), or grant the path to authenticated users ("auth") instead.',
    );
  }
}

/** A REST API's settings: cli-inputs.json, or Amplify's older api-params.json converted as Amplify converts it. */
export function readRestInputs(dir: string): RestInputs {
  const file = join(dir, CLI_INPUTS_FILE);
  const legacy = join(dir, LEGACY_PARAMS_FILE);
  const source = existsSync(file) ? file : existsSync(legacy) ? legacy : undefined;
  if (!source) throw new UserError(`${file} is missing.`, 'Restore it, or remove the API (`forte remove api`) and add it again.');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new UserError(`${source} is not valid JSON.`, 'Fix the file, or remove the API and add it again.', { cause: error });
  }
  return source === file ? parseRestInputs(raw, file) : convertLegacyParams(raw, legacy);
}

/** What the API depends on, as Amplify's findDependsOn: each function's Name and Arn; with groups, the user pool id and each group's role. */
export function restDependsOn(inputs: RestInputs, authResource: string | undefined): NonNullable<BackendResource['dependsOn']> {
  const dependsOn: NonNullable<BackendResource['dependsOn']> = [];
  for (const path of Object.values(inputs.paths)) {
    if (path.lambdaFunction && !path.lambdaArn && !dependsOn.some((d) => d.category === 'function' && d.resourceName === path.lambdaFunction))
      dependsOn.push({ category: 'function', resourceName: path.lambdaFunction, attributes: ['Name', 'Arn'] });
    const groups = Object.keys(path.permissions.groups ?? {});
    if (groups.length === 0 || !authResource) continue;
    if (!dependsOn.some((d) => d.resourceName === authResource)) dependsOn.push({ category: 'auth', resourceName: authResource, attributes: ['UserPoolId'] });
    for (const group of groups) {
      if (!dependsOn.some((d) => d.attributes[0] === `${group}GroupRole`))
        dependsOn.push({ category: 'auth', resourceName: 'userPoolGroups', attributes: [`${group}GroupRole`] });
    }
  }
  return dependsOn;
}

/**
 * Refuses access settings the project cannot deploy: groups without their roles (above), and restricted paths
 * without an auth resource or with one that has no identity pool (REST calls are signed with its credentials).
 */
export async function assertAccessDeployable(ctx: PluginContext, inputs: RestInputs, source: string): Promise<void> {
  const project = ctx.project();
  assertGroupsDeployable(project, inputs, source);
  const { authResource } = authWithGroups(project);
  const restricted = Object.keys(inputs.paths).filter((p) => inputs.paths[p]!.permissions.setting !== 'open');
  if (restricted.length === 0) return;
  if (!authResource)
    throw new UserError(
      `${source}: path ${restricted[0]} restricts access, which needs an auth resource with an identity pool, and this project has none.`,
      'Add one with `forte add auth` (with an identity pool), or leave the path open.',
    );
  if ((await readIdentityPoolSettings(ctx, authResource)).identityPool === false)
    throw new UserError(
      `${source}: path ${restricted[0]} restricts access, and the auth resource ${authResource} has no identity pool: REST calls are signed with the identity pool's credentials.`,
      'Add an identity pool with `forte update auth` (user pool and identity pool), or leave the path open.',
    );
}

/**
 * Writes the API as Amplify does: `cli-inputs.json` (each path with its `name`), an empty `parameters.json`,
 * and the backend-config / amplify-meta entries (`service: "API Gateway"`, the dependsOn above). Returns warnings
 * to print: a path open to guests while the identity pool gives guests no credentials (Amplify changes the auth
 * resource there; Forte names the command that does).
 */
export async function saveRestApi(ctx: PluginContext, apiName: string, inputs: RestInputs): Promise<string[]> {
  const project = ctx.project();
  const { authResource } = authWithGroups(project);
  await assertAccessDeployable(ctx, inputs, 'The API');
  const pool = authResource ? await readIdentityPoolSettings(ctx, authResource) : {};
  const warnings = Object.entries(inputs.paths)
    .filter(([, p]) => p.permissions.guest && pool.guests === false)
    .map(
      ([path]) =>
        `Path ${path} grants guests access, but the identity pool of ${authResource} does not allow unauthenticated logins: guests get no credentials to call it until \`forte update auth\` allows them.`,
    );
  const functions = projectFunctions(project);
  for (const [path, entry] of Object.entries(inputs.paths)) {
    if (!entry.lambdaArn && !functions.includes(entry.lambdaFunction))
      throw new UserError(
        `Path ${path} invokes function ${entry.lambdaFunction}, which the project does not have.`,
        'Add it with `forte add function`, or choose one of: ' + (functions.join(', ') || 'none yet') + '.',
      );
  }
  const dir = project.resourceDir(CATEGORY, apiName);
  mkdirSync(dir, { recursive: true });
  const paths = Object.fromEntries(Object.entries(inputs.paths).map(([path, entry]) => [path, { ...entry, name: path }]));
  writeFileSync(join(dir, CLI_INPUTS_FILE), `${JSON.stringify({ ...inputs, version: 1, paths }, null, 2)}\n`);
  if (!existsSync(join(dir, 'parameters.json'))) writeFileSync(join(dir, 'parameters.json'), '{}\n');
  const entry: BackendResource = { service: REST_SERVICE, providerPlugin: PROVIDER_PLUGIN, dependsOn: restDependsOn(inputs, authResource) };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [apiName]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previous = (meta[CATEGORY]?.[apiName] ?? {}) as Record<string, unknown>;
  meta[CATEGORY] = { ...meta[CATEGORY], [apiName]: { ...previous, ...entry } };
  project.writeMeta(meta);
  return warnings;
}
