import { UserError, type DeploymentSecretStore, type PluginContext } from '@forte/protocol';
import { CATEGORY } from './cognito-config.js';
import { CREDENTIALS_SECRET, credentialsSecret, storedCredentials, type ProviderCredentials, type SocialProvider } from './oauth-config.js';

function store(ctx: PluginContext): DeploymentSecretStore {
  if (!ctx.deploymentSecrets)
    throw new UserError(
      'Social sign-in credentials are deployment secrets, and this command has no place to keep them.',
      'Run the command with the forte CLI, which keeps them in $FORTE_HOME/deployment-secrets.json.',
    );
  return ctx.deploymentSecrets;
}

/** The social providers' credentials this environment holds for an auth resource. */
export function readCredentials(ctx: PluginContext, resourceName: string): Map<SocialProvider, ProviderCredentials> {
  return storedCredentials(store(ctx).read(CATEGORY, resourceName));
}

/**
 * Keeps the providers' credentials (Amplify's `hostedUIProviderCreds`, one list in the providers' order) in the
 * environment's deployment secrets, outside the repository; `undefined` removes them (OAuth turned off).
 */
export function writeCredentials(
  ctx: PluginContext,
  resourceName: string,
  value: { providers: readonly SocialProvider[]; credentials: Map<SocialProvider, ProviderCredentials> } | undefined,
): void {
  store(ctx).write(CATEGORY, resourceName, { [CREDENTIALS_SECRET]: value ? credentialsSecret(value.providers, value.credentials) : undefined });
}
