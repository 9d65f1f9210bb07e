import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { addAuth, addAuthHeadless } from './add-auth.js';
import { readCognitoConfig } from './auth-resource.js';
import { authTemplate } from './auth-template.js';
import type { CognitoConfig } from './cognito-config.js';
import { removeAuth } from './remove-auth.js';
import { updateAuth, updateAuthHeadless } from './update-auth.js';

export { authTemplate } from './auth-template.js';
export { cognitoConfigSchema, defaultCognitoConfig, type CognitoConfig } from './cognito-config.js';
export { addAuthRequestSchema, updateAuthRequestSchema } from './headless-auth.js';

const ALIASES: Record<string, string> = { configure: 'update' };

/** Runs `forte auth <command>` (or `forte <command> auth`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addAuth(ctx);
    case 'update':
      return updateAuth(ctx);
    case 'remove':
      return removeAuth(ctx);
    case 'help':
      printHelp(ctx);
      return;
    default:
      throw new UserError(`auth has no command ${command}.`, 'See the commands with `forte auth help`.');
  }
}

/** `--headless`: AddAuthRequest / UpdateAuthRequest v2 (remove needs no payload and takes `--yes`). */
export async function executeHeadlessCommand(ctx: PluginContext, payload: unknown): Promise<void> {
  const command = ctx.input.command ?? '';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addAuthHeadless(ctx, payload);
    case 'update':
      return updateAuthHeadless(ctx, payload);
    case 'remove':
      return removeAuth(ctx);
    default:
      throw new UserError(`auth has no headless command ${command}.`, 'Use add, update or remove with --headless.');
  }
}

/** The nested template of the auth resource, from its cli-inputs.json (called by `forte push`). */
export async function build(_ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const config = readCognitoConfig(resource.dir);
  refuseHostedUi(config, resource);
  return { template: authTemplate(config) };
}

/**
 * A cloned project's pool may use Cognito's hosted UI and social sign-in, which Forte does not deploy yet:
 * pushing the pool without them would deploy another backend than the project describes, so it is refused.
 */
function refuseHostedUi(config: CognitoConfig, resource: ResourceRef): void {
  if (config['hostedUI'] !== true && config['thirdPartyAuth'] !== true) return;
  const providers = Array.isArray(config['authProvidersUserPool']) ? (config['authProvidersUserPool'] as unknown[]).map(String) : [];
  throw new UserError(
    `auth ${resource.resourceName} (amplify/backend/auth/${resource.resourceName}/cli-inputs.json) uses Cognito's hosted UI or social sign-in${providers.length > 0 ? ` (${providers.join(', ')})` : ''}: not supported yet: Forte issue 17 (sign-in with other providers).`,
    'Set hostedUI and thirdPartyAuth to false in that file to push the pool without them, or push the other categories (`forte push api`).',
  );
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte auth <command>');
  ctx.print.info("  add      Adds a user pool (and an identity pool) with Amplify's questions; --headless reads an AddAuthRequest v2.");
  ctx.print.info('  update   Changes any setting of the live pool, keeping its users; --headless reads an UpdateAuthRequest v2.');
  ctx.print.info('  remove   Removes the auth resource (deleted from the cloud at the next push).');
}
