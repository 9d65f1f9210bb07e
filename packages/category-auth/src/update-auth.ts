import { UserError, type PluginContext } from '@forte/protocol';
import { ADMIN_QUERIES_API, applyAdminQueries } from './admin-queries.js';
import { askManual } from './auth-questions.js';
import { cliInputsPath, findAuthResource, readCognitoConfig, saveAuthResource } from './auth-resource.js';
import { CATEGORY, parseCognitoConfig, type CognitoConfig } from './cognito-config.js';

const adminQueriesApiExists = (ctx: PluginContext): boolean => ctx.project().readBackendConfig()['api']?.[ADMIN_QUERIES_API] !== undefined;
import { applyOAuthChange, configFromUpdateRequest, type OAuthChange } from './headless-auth.js';
import { oauthSettingsOf, providerMeta, type SocialProvider } from './oauth-config.js';
import { askOAuth, askRedirectUris, askSocialProviders } from './oauth-questions.js';
import { readCredentials, writeCredentials } from './oauth-secrets.js';
import { triggersOf } from './auth-triggers.js';
import { applyTriggerFunctions, askTriggers, triggerChoiceFromRequest } from './trigger-questions.js';

function currentConfig(ctx: PluginContext): CognitoConfig {
  const project = ctx.project();
  const resourceName = findAuthResource(project);
  if (!resourceName) throw new UserError('This project has no auth resource to update.', 'Add one with `forte add auth`.');
  return readCognitoConfig(project.resourceDir(CATEGORY, resourceName));
}

/** `forte update auth`: the manual questions with the current settings as defaults. */
export async function updateAuth(ctx: PluginContext): Promise<void> {
  const before = currentConfig(ctx);
  if (ctx.prompt.yes) {
    // Every answer would be its default, which is the current setting: nothing would change.
    throw new UserError(
      '`forte update auth --yes` would change nothing (each question defaults to the current setting).',
      'Run `forte update auth` and answer the questions, or pipe an UpdateAuthRequest to `forte update auth --headless`.',
    );
  }
  const after = structuredClone(before);
  const current = oauthSettingsOf(before);
  const stored = (): ReturnType<typeof readCredentials> => readCredentials(ctx, before.resourceName);
  // Amplify's "What do you want to do?": the whole walkthrough, or (with OAuth on) its redirect URIs or its providers alone.
  const flow = await ctx.prompt.select<'manual' | 'callbacks' | 'providers'>({
    message: 'What do you want to do?',
    choices: [
      { name: 'Walkthrough all the auth configurations', value: 'manual' },
      ...(current
        ? [
            { name: 'Add/Edit signin and signout redirect URIs', value: 'callbacks' as const },
            { name: 'Update OAuth social providers', value: 'providers' as const },
          ]
        : []),
    ],
    default: 'manual',
  });
  if (flow === 'callbacks' && current) {
    // The URIs alone: the providers' credentials stay as they are.
    applyOAuthChange(after, { settings: await askRedirectUris(ctx, current), credentials: new Map() });
    await apply(ctx, before, parseCognitoConfig(after, 'the answers'), undefined);
    return;
  }
  if (flow === 'providers' && current) {
    const oauth = await askSocialProviders(ctx, current, stored);
    applyOAuthChange(after, oauth);
    await apply(ctx, before, parseCognitoConfig(after, 'the answers'), oauth);
    return;
  }
  await askManual(ctx, after);
  const oauth = await askOAuth(ctx, after, 'update', current, stored);
  applyOAuthChange(after, oauth);
  const triggers = await askTriggers(ctx, after);
  // A resource written without the key keeps it out while it has no triggers (update changes only what it asked).
  if (Object.keys(triggers.triggers).length > 0 || 'triggers' in before) after.triggers = triggers.triggers;
  const parsed = parseCognitoConfig({ ...after, useDefault: 'manual' }, 'the answers');
  await applyTriggerFunctions(ctx, parsed, triggersOf(before, 'cli-inputs.json'), triggers);
  await apply(ctx, before, parsed, oauth);
}

/** `forte update auth --headless`: an UpdateAuthRequest v2 on stdin. */
export async function updateAuthHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const before = currentConfig(ctx);
  const { config, triggers, oauth } = configFromUpdateRequest(payload, before, () => readCredentials(ctx, before.resourceName));
  refreshProviderMeta(before, config);
  const after = parseCognitoConfig(config, 'the UpdateAuthRequest');
  if (triggers)
    await applyTriggerFunctions(ctx, after, triggersOf(before, 'cli-inputs.json'), triggerChoiceFromRequest(ctx, after, triggers, 'the UpdateAuthRequest'));
  await apply(ctx, before, after, oauth);
}

/**
 * The providers' attribute mappings follow the pool's required attributes (Amplify derives them from those):
 * an update that changes the attributes and keeps the providers writes them again.
 */
function refreshProviderMeta(before: CognitoConfig, after: Record<string, unknown>): void {
  const providers = after['authProvidersUserPool'];
  const required = (after['requiredAttributes'] as string[] | undefined) ?? [];
  if (after['hostedUI'] !== true || !Array.isArray(providers) || after['hostedUIProviderMeta'] !== before['hostedUIProviderMeta']) return;
  if (required.join(',') === before.requiredAttributes.join(',')) return;
  after['hostedUIProviderMeta'] = providerMeta(providers as SocialProvider[], required);
}

async function apply(ctx: PluginContext, before: CognitoConfig, after: CognitoConfig, oauth: OAuthChange | undefined): Promise<void> {
  // The providers' credentials go to the deployment secrets, never into the project's files; turning OAuth off removes them.
  if (oauth) writeCredentials(ctx, after.resourceName, oauth.off ? undefined : { providers: oauth.settings.providers, credentials: oauth.credentials });
  const groupsInOwnResource = saveAuthResource(ctx.project(), after);
  if (!groupsInOwnResource)
    ctx.print.warn(
      `The groups of ${after.resourceName} stay in its own stack, where an earlier push created them (moving them would delete their members), so they have no IAM roles and REST APIs cannot grant them permissions.`,
    );
  ctx.print.success(`Successfully updated auth resource ${after.resourceName} locally (${cliInputsPath(ctx.project(), after.resourceName)}).`);
  if (after.adminQueries && (!before.adminQueries || before.adminQueryGroup !== after.adminQueryGroup || !adminQueriesApiExists(ctx)))
    await applyAdminQueries(ctx, after);
  for (const line of effectsOnExistingUsers(before, after)) ctx.print.warn(line);
  ctx.print.info('Run `forte push` to apply the change to the live pool; its users and their passwords are kept.');
}

/**
 * What a change means for users already in the pool. The pool is updated in place (never replaced), so
 * these are the only effects a push has on them.
 */
export function effectsOnExistingUsers(before: CognitoConfig, after: CognitoConfig): string[] {
  const lines: string[] = [];
  const added = after.requiredAttributes.filter((a) => !before.requiredAttributes.includes(a));
  if (added.length > 0) {
    lines.push(
      `Newly required attribute${added.length > 1 ? 's' : ''}: ${added.join(', ')}. New sign-ups must provide ${added.length > 1 ? 'them' : 'it'}. ` +
        'Existing users who lack it keep signing in as before (the cloud logs how many, when the push applies the change); the pool asks for it only when such a user must set a new password (NEW_PASSWORD_REQUIRED), and an app can ask for it with updateUserAttributes.',
    );
  }
  if (after.mfaConfiguration === 'ON' && before.mfaConfiguration !== 'ON') {
    lines.push(
      'MFA becomes required: existing users without an MFA method are asked to set one up (MFA_SETUP challenge: TOTP) at their next sign-in; sessions already open stay valid until their tokens expire.',
    );
  }
  if (before.mfaConfiguration !== 'OFF' && after.mfaConfiguration === 'OFF') {
    lines.push('MFA is turned off: users who had set it up sign in with their password alone.');
  }
  const signIn = (c: CognitoConfig): string => [...c.usernameAttributes, ...c.aliasAttributes].join(',');
  if (signIn(before) !== signIn(after)) {
    const how =
      after.usernameAttributes.length > 0
        ? after.usernameAttributes.join(' or ')
        : `username${after.aliasAttributes.length > 0 ? ` (aliases: ${after.aliasAttributes.join(', ')})` : ''}`;
    lines.push(`Users now sign in with ${how}. Existing users keep their username and can still sign in with it.`);
  }
  if (
    after.passwordPolicyMinLength > before.passwordPolicyMinLength ||
    after.passwordPolicyCharacters.some((c) => !before.passwordPolicyCharacters.includes(c))
  ) {
    lines.push('The stricter password policy applies to new passwords only; existing passwords keep working.');
  }
  const removedGroups = before.userPoolGroupList.filter((g) => !after.userPoolGroupList.includes(g));
  if (removedGroups.length > 0)
    lines.push(
      `Removed group${removedGroups.length > 1 ? 's' : ''} ${removedGroups.join(', ')}: members lose the group (and its cognito:groups claim) at the next token refresh.`,
    );
  const oauthBefore = oauthSettingsOf(before);
  const oauthAfter = oauthSettingsOf(after);
  if (oauthBefore && !oauthAfter) {
    lines.push(
      `OAuth is turned off: the hosted UI at ${oauthBefore.domainPrefix} goes away${oauthBefore.providers.length > 0 ? `, and users who signed in with ${oauthBefore.providers.join(' or ')} can no longer sign in (their accounts stay in the pool)` : ''}.`,
    );
  } else if (oauthBefore && oauthAfter) {
    const dropped = oauthBefore.providers.filter((p) => !oauthAfter.providers.includes(p));
    if (dropped.length > 0) lines.push(`Users who signed in with ${dropped.join(' or ')} can no longer sign in that way (their accounts stay in the pool).`);
    if (oauthBefore.domainPrefix !== oauthAfter.domainPrefix)
      lines.push(
        `The hosted UI moves from ${oauthBefore.domainPrefix} to ${oauthAfter.domainPrefix}: the old domain stops answering, and apps get the new one in their configuration at the next push.`,
      );
  }
  if (before.authSelections === 'identityPoolAndUserPool' && after.authSelections === 'userPoolOnly') {
    lines.push('The identity pool is deleted: apps can no longer get AWS credentials for storage or IAM-authorized APIs.');
  }
  return lines;
}
