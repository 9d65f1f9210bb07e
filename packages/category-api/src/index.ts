import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { apiAdminRolesChanged } from './admin-roles.js';
import { REST_SERVICE } from './rest-config.js';

export { apiConfigSchema, parseApiConfig, type ApiConfig } from './api-config.js';
export { apiTemplate } from './api-template.js';
export { SCHEMA_TEMPLATES } from './schema-templates.js';
export { restTemplate } from './rest-template.js';
export { addAdminQueriesApi, updateAdminQueriesApi, type AdminQueriesApiProps } from './admin-queries.js';
export { REST_SERVICE, parseRestInputs, type RestInputs, type RestPath } from './rest-config.js';

const ALIASES: Record<string, string> = { configure: 'update' };

// The commands load the transformer (and graphql): loaded when one runs, so a push that only asks whether an API is
// outdated does not pay for them.
const commands = () => import('./api-commands.js');
const restCommands = () => import('./rest-commands.js');

/** Runs `forte api <command>` (or `forte <command> api`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return (await commands()).addApi(ctx);
    case 'update':
      return (await commands()).updateApi(ctx);
    case 'remove':
      return (await commands()).removeApi(ctx);
    case 'gql-compile':
      return (await commands()).gqlCompile(ctx);
    case 'migrate':
      return (await import('./migrate-api.js')).migrateApi(ctx);
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
    case 'add': {
      const rest = await restCommands();
      return rest.isRestRequest(payload) ? rest.addRestApiHeadless(ctx, payload) : (await commands()).addApiHeadless(ctx, payload);
    }
    case 'update': {
      const rest = await restCommands();
      return rest.isRestRequest(payload) ? rest.updateRestApiHeadless(ctx, payload) : (await commands()).updateApiHeadless(ctx, payload);
    }
    case 'remove':
      return (await commands()).removeApi(ctx);
    default:
      throw new UserError(`api has no headless command ${command}.`, 'Use add, update or remove with --headless.');
  }
}

/** The nested template of the API (called by `forte push`). */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  if (resource.service === REST_SERVICE) return (await restCommands()).buildRestApi(ctx, resource);
  return (await commands()).buildApi(ctx, resource.dir);
}

/** After `forte init` attached an existing project: a Transformer v1 schema is to be migrated before the first push. */
export async function handlePostInit(ctx: PluginContext): Promise<void> {
  return (await import('./migrate-api.js')).migrationNotice(ctx);
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
  ctx.print.info('  migrate      Rewrites a GraphQL Transformer v1 schema for v2 (`amplify migrate api`); --revert puts it back.');
  ctx.print.info('  push         Deploys the API only (the same as `forte push api`).');
}
