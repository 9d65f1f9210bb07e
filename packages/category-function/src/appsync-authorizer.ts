import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import { CATEGORY, functionPaths, readJsonFile, writeJsonFile } from './function-files.js';
import { createFunction } from './function-resource.js';

interface TemplateWithResources {
  Resources?: Record<string, unknown>;
}

/** The permission Amplify adds to a function AppSync invokes as its Lambda authorizer. */
export const APPSYNC_INVOKE_PERMISSION = 'PermissionForAppSyncToInvokeLambda';

/**
 * Lets AppSync invoke the function (Amplify's `addAppSyncInvokeMethodPermission`): a `Lambda::Permission` for
 * `appsync.amazonaws.com` in the function's own template, added once. Called by the api category for the function
 * it chooses as a Lambda authorizer.
 */
export function addAppSyncInvokeMethodPermission(ctx: PluginContext, name: string): void {
  const project = ctx.project();
  if (project.readBackendConfig()[CATEGORY]?.[name]?.service !== 'Lambda')
    throw new UserError(`${name} is not a Lambda function of this project.`, 'Choose one listed by `forte status`, or add it with `forte add function`.');
  const paths = functionPaths(project.resourceDir(CATEGORY, name), name);
  const template = readJsonFile<TemplateWithResources>(paths.template);
  template.Resources ??= {};
  if (template.Resources[APPSYNC_INVOKE_PERMISSION]) return;
  template.Resources[APPSYNC_INVOKE_PERMISSION] = {
    Type: 'AWS::Lambda::Permission',
    Properties: { FunctionName: { Ref: 'LambdaFunction' }, Action: 'lambda:InvokeFunction', Principal: 'appsync.amazonaws.com' },
  };
  writeJsonFile(paths.template, template);
}

/**
 * A new AppSync Lambda authorizer, as Amplify's api walkthrough creates one ("Create a new Lambda function"): the
 * function `graphQlLambdaAuthorizer<8 hex>` from the `lambda-auth` template, without the function questions, allowed
 * to be invoked by AppSync. Offers to open the handler in the editor. Answers the function's name.
 */
export async function addLambdaAuthorizerFunction(ctx: PluginContext): Promise<string> {
  const name = `graphQlLambdaAuthorizer${randomUUID().split('-')[0]!}`;
  await createFunction(ctx, { name, template: 'lambda-auth', permissions: {}, layers: [], environmentVariables: {}, secrets: {} });
  addAppSyncInvokeMethodPermission(ctx, name);
  ctx.print.success(`Successfully added ${name} function locally`);
  if (ctx.openEditor && !ctx.prompt.yes && (await ctx.prompt.confirm({ message: 'Do you want to edit the local lambda function now?', default: false })))
    await ctx.openEditor(join(ctx.project().resourceDir(CATEGORY, name), 'src', 'index.js'));
  return name;
}
