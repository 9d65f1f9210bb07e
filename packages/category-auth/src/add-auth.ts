import { randomBytes } from 'node:crypto';
import { UserError, type PluginContext } from '@forte/protocol';
import { applyAdminQueries } from './admin-queries.js';
import { askGroups, askManual, askRequiredAttributes, askSignIn } from './auth-questions.js';
import { findAuthResource, saveAuthResource } from './auth-resource.js';
import { CATEGORY, defaultCognitoConfig, parseCognitoConfig } from './cognito-config.js';
import { applyOAuthChange, configFromAddRequest, type OAuthChange } from './headless-auth.js';
import { askOAuth } from './oauth-questions.js';
import { writeCredentials } from './oauth-secrets.js';
import { applyTriggerFunctions, askTriggers, triggerChoiceFromRequest, type TriggerChoice } from './trigger-questions.js';

/** Amplify's resource name: the project name (letters and digits) and eight hex digits. */
function newResourceName(projectName: string): string {
  return `${projectName.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}${randomBytes(4).toString('hex')}`;
}

function refuseSecond(ctx: PluginContext): void {
  const project = ctx.project();
  const existing = findAuthResource(project) ?? Object.keys(project.readBackendConfig()[CATEGORY] ?? {})[0];
  if (existing) {
    throw new UserError(
      `This project already has an auth resource: ${existing}.`,
      'Change it with `forte update auth`, or remove it with `forte remove auth` first.',
    );
  }
}

/**
 * `forte add auth`: Amplify's questions. `--yes` takes Amplify's default configuration: email sign-in, email
 * required and verified by code, MFA off, passwords of 8+ characters without character rules, and an
 * identity pool without guest access.
 */
export async function addAuth(ctx: PluginContext): Promise<void> {
  refuseSecond(ctx);
  const project = ctx.project();
  const config = defaultCognitoConfig(project.config.projectName, newResourceName(project.config.projectName));
  const mode = await ctx.prompt.select<'default' | 'defaultSocial' | 'manual'>({
    message: 'Do you want to use the default authentication and security configuration?',
    choices: [
      { name: 'Default configuration', value: 'default' },
      { name: 'Default configuration with Social Provider (Federation)', value: 'defaultSocial' },
      { name: 'Manual configuration', value: 'manual' },
    ],
    default: 'default',
  });
  config.useDefault = mode;
  let triggers: TriggerChoice = { triggers: {}, settings: {} };
  let oauth: OAuthChange | undefined;
  if (mode !== 'manual') {
    await askSignIn(ctx, config);
    const advanced = await ctx.prompt.confirm({ message: 'Do you want to configure advanced settings?', default: false });
    if (advanced) {
      await askRequiredAttributes(ctx, config);
      await askGroups(ctx, config);
      triggers = await askTriggers(ctx, config);
    }
    // Amplify's social default: the hosted UI's questions after the others (its flow and scopes are the defaults).
    if (mode === 'defaultSocial') oauth = await askOAuth(ctx, config, 'defaultSocial', undefined, () => new Map());
  } else {
    await askManual(ctx, config);
    oauth = await askOAuth(ctx, config, 'manual', undefined, () => new Map());
    triggers = await askTriggers(ctx, config);
  }
  applyOAuthChange(config, oauth);
  config.triggers = triggers.triggers;
  // The trigger functions first: the auth resource depends on them.
  await applyTriggerFunctions(ctx, parseCognitoConfig(config, 'the answers'), {}, triggers);
  await save(ctx, config, 'the answers', oauth);
}

/** `forte add auth --headless`: an AddAuthRequest v2 on stdin. */
export async function addAuthHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  refuseSecond(ctx);
  const project = ctx.project();
  const defaults = defaultCognitoConfig(project.config.projectName, newResourceName(project.config.projectName));
  const { config, triggers, oauth } = configFromAddRequest(payload, defaults);
  const parsed = parseCognitoConfig(config, 'the AddAuthRequest');
  // The trigger functions first: the auth resource depends on them.
  if (triggers) await applyTriggerFunctions(ctx, parsed, {}, triggerChoiceFromRequest(ctx, parsed, triggers, 'the AddAuthRequest'));
  await save(ctx, parsed, 'the AddAuthRequest', oauth);
}

async function save(ctx: PluginContext, raw: unknown, source: string, oauth: OAuthChange | undefined): Promise<void> {
  const config = parseCognitoConfig(raw, source);
  // The providers' credentials go to the deployment secrets, never into the project's files.
  if (oauth && !oauth.off) writeCredentials(ctx, config.resourceName, { providers: oauth.settings.providers, credentials: oauth.credentials });
  saveAuthResource(ctx.project(), config);
  ctx.print.success(`Successfully added auth resource ${config.resourceName} locally.`);
  await applyAdminQueries(ctx, config);
  ctx.print.info('');
  ctx.print.info('Next steps:');
  ctx.print.info('  `forte push` creates the user pool in the cloud.');
  ctx.print.info('  `forte mailbox` shows the verification codes the cloud sends.');
}
