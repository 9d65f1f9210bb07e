import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { addApi, addApiHeadless, apiAdminRolesChanged, buildApi, gqlCompile, removeApi, updateApi, updateApiHeadless } from './api-commands.js';
import { REST_SERVICE } from './rest-config.js';
import { addRestApiHeadless, buildRestApi, isRestRequest, updateRestApiHeadless } from './rest-commands.js';

export { apiConfigSchema, parseApiConfig, type ApiConfig } from './api-config.js';
export { apiTemplate } from './api-template.js';
export { SCHEMA_TEMPLATES } from './schema-templates.js';
export { restTemplate } from './rest-template.js';
export { addAdminQueriesApi, updateAdminQueriesApi, type AdminQueriesApiProps } from './admin-queries.js';
export { REST_SERVICE, parseRestInputs, type RestInputs, type RestPath } from './rest-config.js';

const ALIASES: Record<string, string> = { configure: 'update' };

/** Runs `forte api <command>` (or `forte <command> api`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addApi(ctx);
    case 'update':
      return updateApi(ctx);
    case 'remove':
      return removeApi(ctx);
    case 'gql-compile':
      return gqlCompile(ctx);
    case 'help':
      printHelp(ctx);
      return;
    default:
      throw new UserError(`api has no command ${command}.`, 'See the commands with `forte api help`.');
  }
}

/** `--headless`: AddApiRequest / UpdateApiRequest v1, AppSync or (serviceName "API Gateway") REST; remove takes `--yes`. */
export async function executeHeadlessCommand(ctx: PluginContext, payload: unknown): Promise<void> {
  const command = ctx.input.command ?? '';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return isRestRequest(payload) ? addRestApiHeadless(ctx, payload) : addApiHeadless(ctx, payload);
    case 'update':
      return isRestRequest(payload) ? updateRestApiHeadless(ctx, payload) : updateApiHeadless(ctx, payload);
    case 'remove':
      return removeApi(ctx);
    default:
      throw new UserError(`api has no headless command ${command}.`, 'Use add, update or remove with --headless.');
  }
}

/** The nested template of the API (called by `forte push`). */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  if (resource.service === REST_SERVICE) return buildRestApi(ctx, resource);
  return buildApi(ctx, resource.dir);
}

/** Whether an unchanged GraphQL API must be built again: its admin roles (the roles of the functions with access to it) changed. */
export async function outdated(ctx: PluginContext, resource: ResourceRef, deployed: ResourceBuild): Promise<boolean> {
  if (resource.service === REST_SERVICE) return false;
  return apiAdminRolesChanged(ctx, resource.dir, deployed);
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte api <command>');
  ctx.print.info("  add          Adds a GraphQL or REST API with Amplify's questions; --headless reads an AddApiRequest v1.");
  ctx.print.info('  update       GraphQL: the authorization modes or conflict detection; REST: adds, edits or removes a path. --headless too.');
  ctx.print.info('  remove       Removes an API (deleted from the cloud at the next push; a GraphQL API with its tables).');
  ctx.print.info('  gql-compile  Compiles schema.graphql (or schema/*.graphql) and writes build/.');
  ctx.print.info('  push         Deploys the API only (the same as `forte push api`).');
}
