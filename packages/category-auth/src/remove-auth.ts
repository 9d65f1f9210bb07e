import { rmSync } from 'node:fs';
import { UserError, type PluginContext } from '@forte/protocol';
import { authDependants } from './auth-dependants.js';
import { findAuthResource, readCognitoConfig } from './auth-resource.js';
import { CATEGORY } from './cognito-config.js';
import { CREDENTIALS_SECRET } from './oauth-config.js';
import { writeCredentials } from './oauth-secrets.js';
import { removeUserPoolGroups } from './user-pool-groups.js';

/**
 * `forte remove auth`: refused while resources of other categories need the pool (as Amplify refuses to
 * remove a resource another one depends on, naming each and the commands that remove them first); else
 * asks (default no; `--yes` confirms), then deletes the folder and both entries, and the user pool groups
 * resource with it (its groups live in this pool).
 */
export async function removeAuth(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resourceName = findAuthResource(project);
  if (!resourceName) throw new UserError('This project has no auth resource to remove.', 'See the resources with `forte status`.');
  const dependants = authDependants(project, resourceName);
  if (dependants.length > 0) {
    throw new UserError(
      `auth ${resourceName} cannot be removed because other resources depend on it: ${dependants
        .map((d) => `${d.category} ${d.resourceName} (${d.service}: ${d.reason})`)
        .join('; ')}. Nothing was removed.`,
      `Remove the dependants first: ${dependants.map((d) => `\`${d.remove}\``).join(', then ')}; then \`forte remove auth\`.`,
    );
  }
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: `Are you sure you want to delete the resource ${resourceName}? This action deletes all files related to this resource from the backend directory.`,
      default: false,
    }));
  if (!confirmed) {
    ctx.print.info('Nothing was removed.');
    return;
  }
  // As Amplify's remove, the resource's social sign-in credentials leave the deployment secrets with it.
  if (usesOAuth(project.resourceDir(CATEGORY, resourceName)) && ctx.deploymentSecrets?.read(CATEGORY, resourceName)[CREDENTIALS_SECRET] !== undefined)
    writeCredentials(ctx, resourceName, undefined);
  rmSync(project.resourceDir(CATEGORY, resourceName), { recursive: true, force: true });
  removeUserPoolGroups(project);
  const backend = project.readBackendConfig();
  const auth = { ...backend[CATEGORY] };
  delete auth[resourceName];
  if (Object.keys(auth).length > 0) backend[CATEGORY] = auth;
  else delete backend[CATEGORY];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const metaAuth = { ...meta[CATEGORY] };
  delete metaAuth[resourceName];
  if (Object.keys(metaAuth).length > 0) meta[CATEGORY] = metaAuth;
  else delete meta[CATEGORY];
  project.writeMeta(meta);
  ctx.print.success(`Successfully removed resource ${resourceName} locally.`);
  ctx.print.info('Run `forte push` to delete the user pool, its users and the identity pool from the cloud.');
}

/** Whether the resource's cli-inputs.json turns the hosted UI on (a file that cannot be read is removed all the same). */
function usesOAuth(dir: string): boolean {
  try {
    return readCognitoConfig(dir)['hostedUI'] === true;
  } catch {
    return false;
  }
}
