import type { PluginContext } from './plugin.js';

/** What an auth resource's settings say of its identity pool; a key left out is not recorded there. */
export interface IdentityPoolSettings {
  /** Whether the resource has an identity pool (Amplify's `authSelections: identityPoolAndUserPool`). */
  identityPool?: boolean;
  /** Whether the identity pool lets guests in (`allowUnauthenticatedIdentities`). */
  guests?: boolean;
}

/** The auth category's plugin method that answers {@link IdentityPoolSettings} for `[{ resourceName }]`. */
export const IDENTITY_POOL_SETTINGS_METHOD = 'identityPoolSettings';

/**
 * The identity pool settings of the auth resource `resourceName`, as the auth category reads them (through
 * `ctx.invokePluginMethod('auth', 'identityPoolSettings', …)`): the categories whose resources are reached with
 * identity pool credentials (REST APIs, content storage) check them before they save. A context that cannot load
 * plugins knows nothing of them (an empty answer), so nothing is refused on a guess.
 */
export async function readIdentityPoolSettings(ctx: Pick<PluginContext, 'invokePluginMethod'>, resourceName: string): Promise<IdentityPoolSettings> {
  if (!ctx.invokePluginMethod) return {};
  return ctx.invokePluginMethod<IdentityPoolSettings>('auth', IDENTITY_POOL_SETTINGS_METHOD, [{ resourceName }]);
}
