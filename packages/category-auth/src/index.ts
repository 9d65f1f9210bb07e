import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { addAuth, addAuthHeadless } from './add-auth.js';
import { readCognitoConfig } from './auth-resource.js';
import { authTemplate } from './auth-template.js';
import { triggerFunctionName, triggersOf, usesVerificationLink } from './auth-triggers.js';
import { filesAddressingAws, verificationPageObjects } from './verification-page.js';
import { CLI_INPUTS_FILE, type CognitoConfig } from './cognito-config.js';
import { SOCIAL_PROVIDERS } from './oauth-config.js';
import { carryCredentialsOver } from './oauth-env.js';
import { removeAuth } from './remove-auth.js';
import { withIdentityProviders } from './identity-providers-template.js';
import { readCredentials } from './oauth-secrets.js';
import { updateAuth, updateAuthHeadless } from './update-auth.js';
import { userPoolGroupsTemplate } from './user-pool-groups-template.js';
import { PRECEDENCE_FILE, readGroupPrecedence, USER_POOL_GROUPS_RESOURCE, USER_POOL_GROUPS_SERVICE } from './user-pool-groups.js';

export { authTemplate } from './auth-template.js';
export { cognitoConfigSchema, defaultCognitoConfig, type CognitoConfig } from './cognito-config.js';
export { addAuthRequestSchema, updateAuthRequestSchema } from './headless-auth.js';
// Called by other categories through ctx.invokePluginMethod('auth', ...): the REST API's and the bucket's checks.
export { identityPoolSettings } from './identity-pool-settings.js';

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

/** After `forte env add` (PostEnvAdd): the new environment's social sign-in credentials. */
export async function handlePostEnvAdd(ctx: PluginContext, envs: { sourceEnv: string; envName: string }): Promise<void> {
  await carryCredentialsOver(ctx, envs);
}

/**
 * The nested template of an auth resource (called by `forte push`): the Cognito resource from its
 * cli-inputs.json, Amplify's `userPoolGroups` resource from its user-pool-group-precedence.json and the
 * Cognito resource's settings (its sibling folder, in the backend or in #current-cloud-backend alike).
 */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const groupsDir = join(dirname(resource.dir), USER_POOL_GROUPS_RESOURCE);
  if (resource.service === USER_POOL_GROUPS_SERVICE) {
    const authDir = cognitoResourceDir(dirname(resource.dir));
    return { template: userPoolGroupsTemplate(readCognitoConfig(authDir), readGroupPrecedence(resource.dir)) };
  }
  const config = readCognitoConfig(resource.dir);
  refuseFederation(config, resource);
  const verificationLink = usesVerificationLink(triggersOf(config, join(resource.dir, 'cli-inputs.json')));
  const verificationPage = verificationLink ? verificationPageObjects(resource.dir) : undefined;
  if (verificationLink) {
    const functionDir = join(dirname(dirname(resource.dir)), 'function', triggerFunctionName(config.resourceName, 'CustomMessage'));
    const aws = filesAddressingAws(resource.dir, functionDir);
    if (aws.length > 0)
      ctx.print.warn(
        `The verification-link module's ${aws.map((f) => basename(f)).join(', ')} address AWS (Amplify's own files): the confirmation link will not reach this cloud. ` +
          `To use Forte's, delete ${aws.join(', ')} and run \`forte update auth\`, keeping the module.`,
      );
  }
  const { template, parameters } = withIdentityProviders(
    authTemplate(config, { groupsInOwnStack: existsSync(join(groupsDir, PRECEDENCE_FILE)), ...(verificationPage ? { verificationPage } : {}) }),
    config,
    () => readCredentials(ctx, resource.resourceName),
  );
  return { template, ...(Object.keys(parameters).length > 0 ? { parameters } : {}) };
}

/** The folder of the Cognito resource beside the groups resource: the one holding a cli-inputs.json. */
function cognitoResourceDir(categoryDir: string): string {
  const found = existsSync(categoryDir)
    ? readdirSync(categoryDir, { withFileTypes: true }).find((e) => e.isDirectory() && existsSync(join(categoryDir, e.name, CLI_INPUTS_FILE)))
    : undefined;
  if (!found)
    throw new UserError(
      `The user pool groups (${join(categoryDir, USER_POOL_GROUPS_RESOURCE)}) belong to a Cognito auth resource, and ${categoryDir} has none.`,
      'Add auth with `forte add auth`, or remove the groups folder and its backend-config.json entry.',
    );
  return join(categoryDir, found.name);
}

/**
 * The pool's social providers (Facebook, Google, Login with Amazon, Sign in with Apple) are deployed
 * (identity-providers-template.ts), and so are the identity pool's (`thirdPartyAuth`, auth-template.ts). A
 * provider of another kind in `authProvidersUserPool` is refused: pushing without it would deploy another backend
 * than the project describes.
 */
function refuseFederation(config: CognitoConfig, resource: ResourceRef): void {
  const providers = Array.isArray(config['authProvidersUserPool']) ? (config['authProvidersUserPool'] as unknown[]).map(String) : [];
  const other = providers.filter((p) => !(SOCIAL_PROVIDERS as readonly string[]).includes(p));
  const where = `auth ${resource.resourceName} (amplify/backend/auth/${resource.resourceName}/cli-inputs.json)`;
  if (other.length > 0)
    throw new UserError(
      `${where} names identity providers Forte does not deploy from a project yet: ${other.join(', ')} (the social ones, ${SOCIAL_PROVIDERS.join(', ')}, are).`,
      'Remove them from authProvidersUserPool in that file, and create an OIDC or SAML provider with CreateIdentityProvider against the deployed pool instead.',
    );
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte auth <command>');
  ctx.print.info("  add      Adds a user pool (and an identity pool) with Amplify's questions; --headless reads an AddAuthRequest v2.");
  ctx.print.info('  update   Changes any setting of the live pool, keeping its users; --headless reads an UpdateAuthRequest v2.');
  ctx.print.info('  remove   Removes the auth resource (deleted from the cloud at the next push).');
}
