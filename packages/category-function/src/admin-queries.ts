import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext, type Template } from '@forte/protocol';
import { ADMIN_QUERIES_ACTIONS, ADMIN_QUERIES_INDEX } from './admin-queries-source.js';
import { CATEGORY, functionPaths, readJsonFile, writeJsonFile } from './function-files.js';
import { cliVersion, readFunction, writeSettings } from './function-resource.js';
import { functionTemplate } from './function-template.js';

/** Amplify's name prefix of the function behind the auth category's Admin Queries API. */
export const ADMIN_QUERIES_PREFIX = 'AdminQueries';

/** The user pool actions the Admin Queries function may call (Amplify's admin-queries function template). */
export const ADMIN_QUERIES_ACTIONS_ALLOWED = [
  'cognito-idp:ListUsersInGroup',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminConfirmSignUp',
  'cognito-idp:ListUsers',
  'cognito-idp:ListGroups',
];

export interface AdminQueriesFunctionOptions {
  /** The auth resource whose user pool the function administers. */
  authResourceName: string;
  /** Only members of this group may call the API; undefined or `NONE`: every signed-in user. */
  group?: string;
}

/** The project's Admin Queries function (`AdminQueries<id>`), if it has one. */
export function findAdminQueriesFunction(ctx: PluginContext): string | undefined {
  return Object.keys(ctx.project().readBackendConfig()[CATEGORY] ?? {}).find((n) => n.startsWith(ADMIN_QUERIES_PREFIX));
}

type Json = Record<string, unknown>;

function lambdaVariables(template: Template): Json {
  const lambda = template.Resources['LambdaFunction']?.Properties as { Environment?: { Variables?: Json } } | undefined;
  if (!lambda)
    throw new UserError(
      'The Admin Queries function template has no LambdaFunction resource.',
      'Restore it, or remove the function and run `forte update auth` again.',
    );
  lambda.Environment ??= {};
  lambda.Environment.Variables ??= {};
  return lambda.Environment.Variables;
}

/**
 * Creates the Admin Queries function, or updates its group (called by the auth category through
 * `ctx.invokePluginMethod('function', 'addAdminQueriesFunction', [options])`, as Amplify's auth category
 * writes it): `src/` (the API's routes), the function stack with `USERPOOL` (the user pool id) and `GROUP`
 * (the group, or `NONE`) and a role allowed the user pool actions, and the backend-config entry depending on
 * the auth resource's `UserPoolId`. Answers the function's name.
 */
export async function addAdminQueriesFunction(ctx: PluginContext, options: AdminQueriesFunctionOptions): Promise<string> {
  const auth = options?.authResourceName;
  if (typeof auth !== 'string' || !/^[A-Za-z0-9]+$/.test(auth))
    throw new UserError(`${String(auth)} is not an auth resource name.`, 'Pass the auth resource the Admin Queries API administers.');
  const group = options.group && options.group !== '' ? options.group : 'NONE';
  const project = ctx.project();
  const userPoolParameter = `auth${auth}UserPoolId`;
  const dependsOn = [{ category: 'auth', resourceName: auth, attributes: ['UserPoolId'] }];
  const existing = findAdminQueriesFunction(ctx);
  if (existing) {
    // Update: only the group changes (a template Amplify wrote keeps everything else).
    const stored = readFunction(project, existing);
    const variables = lambdaVariables(stored.template);
    variables['GROUP'] = group;
    const settings = { permissions: {}, layers: stored.functionParameters.lambdaLayers ?? [], environmentVariables: {}, secrets: {} };
    await writeSettings(ctx, existing, stored, settings, dependsOn);
    return existing;
  }
  const name = `${ADMIN_QUERIES_PREFIX}${randomBytes(4).toString('hex')}`;
  const dir = project.resourceDir(CATEGORY, name);
  if (existsSync(dir)) throw new UserError(`${dir} already exists.`, 'Remove the folder, then run the command again.');
  const paths = functionPaths(dir, name);
  const template = functionTemplate({
    functionName: name,
    roleName: `${name}LambdaRole`,
    version: cliVersion(),
    dependencyParameters: [userPoolParameter],
    executionStatements: [
      {
        Effect: 'Allow',
        Action: ADMIN_QUERIES_ACTIONS_ALLOWED,
        Resource: {
          'Fn::Join': ['', ['arn:aws:cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':userpool/', { Ref: userPoolParameter }]],
        },
      },
    ],
  });
  Object.assign(lambdaVariables(template), { GROUP: group, USERPOOL: { Ref: userPoolParameter } });
  mkdirSync(paths.src, { recursive: true });
  writeFileSync(join(paths.src, 'index.js'), ADMIN_QUERIES_INDEX);
  writeFileSync(join(paths.src, 'cognitoActions.js'), ADMIN_QUERIES_ACTIONS);
  writeJsonFile(join(paths.src, 'package.json'), {
    name: 'adminqueries',
    version: '2.0.0',
    description: "The Admin Queries API's function: user pool administration for a group",
    main: 'index.js',
    license: 'Apache-2.0',
  });
  writeJsonFile(paths.customPolicies, [{ Action: [], Resource: [] }]);
  const state = { pluginId: 'amplify-nodejs-function-runtime-provider', functionRuntime: 'nodejs', useLegacyBuild: true, defaultEditorFile: 'src/index.js' };
  await writeSettings(
    ctx,
    name,
    { template, functionParameters: readJsonFile(paths.functionParameters, { lambdaLayers: [] }), parameters: {}, state },
    { permissions: {}, layers: [], environmentVariables: {}, secrets: {} },
    dependsOn,
  );
  ctx.print.success(`Successfully added ${name} function locally`);
  return name;
}
