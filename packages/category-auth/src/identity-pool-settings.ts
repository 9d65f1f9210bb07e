import type { IdentityPoolSettings, PluginContext } from '@forte/protocol';
import { readAuthInputs } from './auth-inputs.js';
import { CATEGORY } from './cognito-config.js';

/**
 * For other categories (`ctx.invokePluginMethod('auth', 'identityPoolSettings', [{ resourceName }])`, through
 * `readIdentityPoolSettings` of @forte/protocol): whether the auth resource has an identity pool and lets guests in,
 * as its cli-inputs.json (or an older resource's parameters.json) records them. Read leniently: a file that is missing, not JSON or silent on a setting
 * (an older or hand-written one) leaves that setting out, and the caller refuses nothing on it.
 */
export async function identityPoolSettings(ctx: PluginContext, options: { resourceName: string }): Promise<IdentityPoolSettings> {
  try {
    const c = (readAuthInputs(ctx.project().resourceDir(CATEGORY, options.resourceName)).cognitoConfig ?? {}) as {
      authSelections?: unknown;
      allowUnauthenticatedIdentities?: unknown;
    };
    return {
      ...(typeof c.authSelections === 'string' ? { identityPool: c.authSelections === 'identityPoolAndUserPool' } : {}),
      ...(typeof c.allowUnauthenticatedIdentities === 'boolean' ? { guests: c.allowUnauthenticatedIdentities } : {}),
    };
  } catch {
    return {};
  }
}
