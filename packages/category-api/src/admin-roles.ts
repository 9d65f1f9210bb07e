import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { IAM_ROLE_NAME, UserError, dependentsOf, type PluginContext, type Project, type ResourceBuild } from '@forte/protocol';
import { authModes, type ApiConfig } from './api-config.js';
import { readApiConfig } from './api-resource.js';

export const CUSTOM_ROLES_FILE = 'custom-roles.json';
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)(?:\/.*)?$/;

/**
 * A function template's execution role name for `env`, read as Amplify reads it: a name, or the name Amplify's
 * template builds (`Fn::If` on ShouldNotCreateEnvResources: the plain name for env NONE, else `Fn::Join` of the name,
 * "-" and `Ref env`). Undefined for anything else.
 */
function staticRoleName(value: unknown, env: string): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const node = value as Record<string, unknown>;
  if (node['Ref'] === 'env') return env;
  const ifArgs = node['Fn::If'];
  if (Array.isArray(ifArgs) && ifArgs.length === 3 && ifArgs[0] === 'ShouldNotCreateEnvResources')
    return staticRoleName(env === 'NONE' ? ifArgs[1] : ifArgs[2], env);
  const join = node['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((part) => staticRoleName(part, env));
    return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** The execution role name of a function of the project: from its template, else the output of its last push. */
function functionRoleName(project: Project, functionName: string): string | undefined {
  const file = join(project.resourceDir('function', functionName), `${functionName}-cloudformation-template.json`);
  if (existsSync(file)) {
    try {
      const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, { Properties?: { RoleName?: unknown } }> };
      const name = staticRoleName(template.Resources?.['LambdaExecutionRole']?.Properties?.RoleName, project.envName);
      if (name !== undefined) return name;
    } catch {
      // The function's own build names a template that is not JSON; here the output below is tried.
    }
  }
  const output = (project.readMeta()['function']?.[functionName] as { output?: { LambdaExecutionRole?: unknown } } | undefined)?.output;
  return typeof output?.LambdaExecutionRole === 'string' ? output.LambdaExecutionRole : undefined;
}

/**
 * The API's admin roles, whose callers pass every `@auth` rule (their IAM policies still decide which fields they
 * may call), as Amplify makes them: the execution role of each function with access to the API (its backend-config
 * `dependsOn` names the API), and `custom-roles.json`'s `adminRoleNames` (`${env}` replaced; an STS assumed-role ARN
 * taken as its role name). Matched against the caller's role name only: an entry naming a session too
 * (`<role>/<session>`), which the caller chooses, and an IAM ARN, which is never a caller's, are left out and said.
 */
export function adminRoleNames(project: Project, apiName: string, warn: (message: string) => void): string[] {
  const names: string[] = [];
  const functions = dependentsOf(project.readBackendConfig(), 'api', apiName).flatMap((d) => (d.startsWith('function ') ? [d.slice('function '.length)] : []));
  for (const functionName of functions) {
    const role = functionRoleName(project, functionName);
    if (role !== undefined && IAM_ROLE_NAME.test(role)) names.push(role);
    else
      warn(
        `The execution role of the function ${functionName} could not be read from its template, so it is not an admin role of the API ${apiName}: add its role name to adminRoleNames in amplify/backend/api/${apiName}/${CUSTOM_ROLES_FILE}.`,
      );
  }
  const file = join(project.resourceDir('api', apiName), CUSTOM_ROLES_FILE);
  if (existsSync(file)) {
    let config: { adminRoleNames?: unknown };
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as typeof config;
    } catch (error) {
      throw new UserError(
        `${relative(project.root, file)} is not valid JSON: ${(error as Error).message}`,
        'Fix the file ({"adminRoleNames": ["<IAM role name>"]}).',
        {
          cause: error,
        },
      );
    }
    const given = config.adminRoleNames === undefined ? [] : Array.isArray(config.adminRoleNames) ? config.adminRoleNames : [config.adminRoleNames];
    for (const raw of given) {
      const value = String(raw).replace(/\$\{env\}/g, project.envName);
      const name = ASSUMED_ROLE_ARN.exec(value)?.[1] ?? value;
      if (IAM_ROLE_NAME.test(name)) names.push(name);
      else
        warn(
          `Ignoring "${value}" in ${relative(project.root, file)}: admin roles are matched by the caller's IAM role name, so ${
            value.startsWith('arn:') ? 'an IAM ARN' : 'a name with a session or other characters'
          } would grant nothing. Use the role's name.`,
        );
    }
  }
  return [...new Set(names)];
}

/** The admin roles the API's template names (`AdminRoleNames`): none without an IAM auth mode, where no caller could have one. */
export function templateAdminRoles(project: Project, dir: string, config: ApiConfig, warn: (message: string) => void): string[] {
  return authModes(config).some((m) => m.mode === 'AWS_IAM') ? adminRoleNames(project, basename(dir), warn) : [];
}

/**
 * Whether the admin roles the API's template would name now (admin-roles.ts) differ from those of `deployed`: a
 * function given access to the API, or losing it, changes no file of the API.
 */
export function apiAdminRolesChanged(ctx: PluginContext, dir: string, deployed: ResourceBuild): boolean {
  const now = templateAdminRoles(ctx.project(), dir, readApiConfig(dir), () => undefined);
  const before = deployed.template.Resources['GraphQLAPI']?.Properties?.['AdminRoleNames'];
  return JSON.stringify(now) !== JSON.stringify(Array.isArray(before) ? before : []);
}
