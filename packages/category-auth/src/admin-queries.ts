import { UserError, type PluginContext } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';

/** Amplify's name of the auth category's REST API. */
export const ADMIN_QUERIES_API = 'AdminQueries';

/**
 * Creates (or updates) the resources of the Admin Queries API, as Amplify's auth category does after its
 * questions: the function `AdminQueries<id>` through the function category (env `USERPOOL`, `GROUP`) and the
 * REST API `AdminQueries` through the api category (the user pool authorizer, `/{proxy+}`).
 */
export async function applyAdminQueries(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  if (!config.adminQueries) return;
  if (!ctx.invokePluginMethod)
    throw new UserError('The admin queries API needs the function and api categories, which this CLI cannot reach.', 'Run the command with the forte CLI.');
  const authResourceName = config.resourceName;
  const functionName = await ctx.invokePluginMethod<string>('function', 'addAdminQueriesFunction', [
    { authResourceName, ...(config.adminQueryGroup ? { group: config.adminQueryGroup } : {}) },
  ]);
  await ctx.invokePluginMethod('api', 'addAdminQueriesApi', [
    {
      apiName: ADMIN_QUERIES_API,
      functionName,
      authResourceName,
      dependsOn: [
        { category: 'auth', resourceName: authResourceName, attributes: ['UserPoolId'] },
        { category: 'function', resourceName: functionName, attributes: ['Arn', 'Name'] },
      ],
    },
  ]);
  ctx.print.success(
    `Admin Queries API ${ADMIN_QUERIES_API} (function ${functionName}) ${config.adminQueryGroup ? `for the members of group ${config.adminQueryGroup}` : 'for every signed-in user'}: \`forte push\` deploys it.`,
  );
}
