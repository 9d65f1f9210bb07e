import type { PluginContext } from '@forte/protocol';
import { findAuthResource, readCognitoConfig } from './auth-resource.js';
import { CATEGORY } from './cognito-config.js';
import { CREDENTIALS_SECRET, oauthSettingsOf, storedCredentials } from './oauth-config.js';
import { askCredentials } from './oauth-questions.js';
import { writeCredentials } from './oauth-secrets.js';

/**
 * After `env add`: the social providers' credentials are a deployment secret of each environment, so the new
 * one has none. As Amplify's auth asks for them when an environment lacks them, the new environment takes
 * those of the environment it was added from (asked first; with `--yes`, taken), else they are asked for; with
 * `--yes` and none to take, it says how to set them.
 */
export async function carryCredentialsOver(ctx: PluginContext, envs: { sourceEnv: string; envName: string }): Promise<void> {
  const project = ctx.project();
  const resourceName = findAuthResource(project);
  if (!resourceName || !ctx.deploymentSecrets) return;
  const settings = oauthSettingsOf(readCognitoConfig(project.resourceDir(CATEGORY, resourceName)));
  if (!settings || settings.providers.length === 0) return;
  if (ctx.deploymentSecrets.read(CATEGORY, resourceName)[CREDENTIALS_SECRET] !== undefined) return;
  const source = storedCredentials(ctx.deploymentSecrets.read(CATEGORY, resourceName, envs.sourceEnv));
  const complete = settings.providers.every((p) => source.has(p));
  const names = settings.providers.join(', ');
  if (complete) {
    const carry =
      ctx.prompt.yes ||
      (await ctx.prompt.confirm({ message: `Do you want to use the ${names} credentials of ${envs.sourceEnv} in ${envs.envName}?`, default: true }));
    if (carry) {
      writeCredentials(ctx, resourceName, { providers: settings.providers, credentials: source });
      ctx.print.info(`The ${names} credentials of ${envs.sourceEnv} are kept for ${envs.envName} in the deployment secrets.`);
      return;
    }
  }
  if (ctx.prompt.yes || ctx.prompt.interactive === false) {
    ctx.print.warn(
      `The social providers of ${resourceName} (${names}) have no credentials in ${envs.envName}: set them with \`forte update auth\` (Update OAuth social providers) before pushing.`,
    );
    return;
  }
  ctx.print.info(`${envs.envName} needs the credentials of ${names}.`);
  writeCredentials(ctx, resourceName, {
    providers: settings.providers,
    credentials: await askCredentials(ctx, settings.providers, complete ? new Map() : source),
  });
}
