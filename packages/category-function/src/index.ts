import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { addFunction, functionWalkthrough } from './add-function.js';
import { CATEGORY } from './function-files.js';
import { FUNCTION_NAME, createFunction } from './function-resource.js';
import { logsCommand } from './function-logs.js';
import { carrySecretsOver } from './function-secrets.js';
import { addFunctionHeadless, createFunctionFromRequest, updateFunctionHeadless } from './headless-function.js';
import { invokeCommand } from './invoke-function.js';
import { buildResource, packageResource } from './package-function.js';
import { removeFunction } from './remove-function.js';
import { updateFunction } from './update-function.js';

export { addFunctionRequestSchema, updateFunctionRequestSchema } from './headless-function.js';
export { validateScheduleExpression } from './schedule-expression.js';
export { secretParameterName } from './function-secrets.js';
// Called by other categories through ctx.invokePluginMethod('function', ...): the auth category's Cognito triggers.
export { addTriggerFunction, removeTriggerFunction, type TriggerFunctionRequest } from './trigger-function.js';
export { addAdminQueriesFunction, type AdminQueriesFunctionOptions } from './admin-queries.js';
// The storage category's S3 trigger: Amplify's S3 trigger template and handler.
export { createS3TriggerFunction } from './s3-trigger-function.js';
// The api category's Lambda authorization: a new authorizer function, or AppSync's permission on an existing one.
export { addAppSyncInvokeMethodPermission, addLambdaAuthorizerFunction } from './appsync-authorizer.js';

const ALIASES: Record<string, string> = { configure: 'update' };

/** What another category passes to `addFunctionResource`. */
export interface AddFunctionResourceOptions {
  /** The REST API path (`/items/{id}`) the function serves: the Serverless ExpressJS and CRUD templates route it (`/items/:id`). */
  path?: string;
  /** An add function request (the `--headless` JSON of `forte add function`); without it the walkthrough asks. */
  request?: unknown;
}

/**
 * Adds a Lambda function for another category (called through `ctx.invokePluginMethod('function',
 * 'addFunctionResource', [options])`, as Amplify's REST walkthrough calls the function category's `add`):
 * the function questions and templates, or the given request. Returns the function's name.
 */
export async function addFunctionResource(ctx: PluginContext, options: AddFunctionResourceOptions = {}): Promise<string> {
  const expressPath = options.path?.replace(/\{([^}]+)\}/g, ':$1');
  const extra = expressPath ? { expressPath } : {};
  return options.request === undefined ? functionWalkthrough(ctx, extra) : createFunctionFromRequest(ctx, options.request, extra);
}

/** Runs `forte function <command>` (or `forte <command> function`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addFunction(ctx);
    case 'update':
      return updateFunction(ctx);
    case 'remove':
      return removeFunction(ctx);
    case 'build':
      return buildCommand(ctx);
    case 'invoke':
    case 'mock':
      return invokeCommand(ctx);
    case 'logs':
      return logsCommand(ctx);
    case 'help':
      printHelp(ctx);
      return;
    default:
      throw new UserError(`function has no command ${command}.`, 'See the commands with `forte function help`.');
  }
}

/** `--headless`: a JSON request on stdin (packages/category-function/README.md); remove takes `--yes`. */
export async function executeHeadlessCommand(ctx: PluginContext, payload: unknown): Promise<void> {
  const command = ctx.input.command ?? '';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addFunctionHeadless(ctx, payload);
    case 'update':
      return updateFunctionHeadless(ctx, payload);
    case 'remove':
      return removeFunction(ctx);
    default:
      throw new UserError(`function has no headless command ${command}.`, 'Use add, update or remove with --headless.');
  }
}

/** The function's (or layer's) template as on disk, its parameter values and its code zip (called by `forte push`). */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  return buildResource(ctx, resource);
}

/**
 * For other categories' walkthroughs (`ctx.invokePluginMethod('function', 'createTriggerFunction', [{ name }])`): a
 * new function from the "Lambda trigger" template (the DynamoDB stream handler) with no event source of its own;
 * the caller wires the source into its template, as the storage category's NoSQL walkthrough does for a table's
 * trigger. Answers the function's name.
 */
export async function createTriggerFunction(ctx: PluginContext, options: { name: string }): Promise<string> {
  const name = options?.name;
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name))
    throw new UserError(`${String(name)} is not a function name.`, 'Function names use letters and digits only (a-z A-Z 0-9).');
  await createFunction(ctx, { name, template: 'trigger', permissions: {}, layers: [], environmentVariables: {}, secrets: {} });
  return name;
}

/** `forte function build [name]`: installs and packages each function (or the one named) without deploying. */
async function buildCommand(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const entries = Object.entries(project.readBackendConfig()[CATEGORY] ?? {});
  const wanted = ctx.input.subCommands[0];
  const chosen = wanted ? entries.filter(([n]) => n === wanted) : entries;
  if (wanted && chosen.length === 0)
    throw new UserError(`The project has no function named ${wanted}.`, `Choose one of: ${entries.map(([n]) => n).join(', ') || 'none'}.`);
  for (const [resourceName, entry] of chosen) {
    const ref: ResourceRef = { category: CATEGORY, resourceName, service: String(entry.service), dir: project.resourceDir(CATEGORY, resourceName) };
    const { key, installed } = await packageResource(ctx, ref);
    ctx.print.success(`${resourceName}: ${installed ? 'dependencies installed, ' : ''}packaged as ${key}`);
  }
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte function <command>');
  ctx.print.info("  add      Adds a Lambda function or layer with Amplify's questions; --headless reads a JSON request.");
  ctx.print.info('  update   Changes access, schedule, layers, env vars, secrets or the package manager; --headless too.');
  ctx.print.info('  remove   Removes a function or layer (refused while another resource depends on it).');
  ctx.print.info('  build    Installs dependencies and packages each function (or the one named).');
  ctx.print.info('  invoke   Runs a deployed function with --event file.json (default src/event.json); `forte mock function` too.');
  ctx.print.info("  logs     Prints a function's logs: --since 10m, --follow.");
}

/** `forte env add` (PostEnvAdd): the functions' secrets carried over to the new environment, as Amplify does. */
export async function handlePostEnvAdd(ctx: PluginContext, envs: { sourceEnv: string; envName: string }): Promise<void> {
  await carrySecretsOver(ctx, envs);
}
