import { join } from 'node:path';
import {
  UserError,
  deploymentSecretsSchema,
  type AmplifyMeta,
  type DeploymentSecrets,
  type DeploymentSecretStore,
  type TeamProviderInfo,
} from '@forte/protocol';
import { forteHome } from './forte-home.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

/**
 * Values a repository never holds (social sign-in client secrets), kept per machine as Amplify keeps them in
 * `~/.aws/amplify/deployment-secrets.json`: Forte's file is `$FORTE_HOME/deployment-secrets.json`, readable by
 * its owner only.
 */
export function deploymentSecretsPath(): string {
  return join(forteHome(), 'deployment-secrets.json');
}

/** Amplify's root stack id: the last part of the stack ARN (`.../stack/<name>/<id>`). */
export function rootStackIdOf(stackId: string): string {
  return stackId.slice(stackId.lastIndexOf('/') + 1);
}

/** Merges `values` (category → resource → key → value) into the secrets of one environment and writes the file (mode 0600). */
export function storeDeploymentSecrets(args: { rootStackId: string; envName: string; values: Record<string, Record<string, Record<string, string>>> }): void {
  const path = deploymentSecretsPath();
  const file: DeploymentSecrets = readJsonFile(path, deploymentSecretsSchema) ?? { appSecrets: [] };
  let app = file.appSecrets.find((a) => a.rootStackId === args.rootStackId);
  if (!app) file.appSecrets.push((app = { rootStackId: args.rootStackId, environments: {} }));
  const env = (app.environments[args.envName] ??= {});
  for (const [category, resources] of Object.entries(args.values)) {
    for (const [resource, keys] of Object.entries(resources)) Object.assign(((env[category] ??= {})[resource] ??= {}), keys);
  }
  writeJsonFile(path, file, 0o600);
}

/** The values stored for one resource of one environment (empty when none). */
export function readDeploymentSecrets(args: { rootStackId: string; envName: string; category: string; resourceName: string }): Record<string, string> {
  const file = readJsonFile(deploymentSecretsPath(), deploymentSecretsSchema);
  const app = file?.appSecrets.find((a) => a.rootStackId === args.rootStackId);
  return { ...(app?.environments[args.envName]?.[args.category]?.[args.resourceName] ?? {}) };
}

/**
 * Removes keys of one resource of one environment (what a change that drops them, as `update auth` turning
 * OAuth off, leaves behind); empty resources, categories and environments are dropped. No file, no change.
 */
export function removeDeploymentSecrets(args: { rootStackId: string; envName: string; category: string; resourceName: string; keys: string[] }): void {
  const path = deploymentSecretsPath();
  const file = readJsonFile(path, deploymentSecretsSchema);
  const app = file?.appSecrets.find((a) => a.rootStackId === args.rootStackId);
  const env = app?.environments[args.envName];
  const resource = env?.[args.category]?.[args.resourceName];
  if (!file || !app || !env || !resource || !args.keys.some((k) => k in resource)) return;
  for (const key of args.keys) delete resource[key];
  if (Object.keys(resource).length === 0) delete env[args.category]![args.resourceName];
  if (Object.keys(env[args.category]!).length === 0) delete env[args.category];
  if (Object.keys(env).length === 0) delete app.environments[args.envName];
  if (Object.keys(app.environments).length === 0) file.appSecrets = file.appSecrets.filter((a) => a !== app);
  writeJsonFile(path, file, 0o600);
}

/**
 * The deployment secrets of the open project's current environment, for plugins (`ctx.deploymentSecrets`):
 * the root stack id comes from amplify-meta.json, as Amplify's does.
 */
export function environmentSecretStore(
  project: () => { envName: string; readMeta(): AmplifyMeta; readTeamProviderInfo?(): TeamProviderInfo },
): DeploymentSecretStore {
  const where = (envName?: string): { rootStackId: string; envName: string } => {
    const p = project();
    const other = envName !== undefined && envName !== p.envName;
    const info = other ? p.readTeamProviderInfo?.()[envName]?.awscloudformation : p.readMeta().providers?.awscloudformation;
    const stack = info?.StackId ?? info?.StackName;
    if (!stack)
      throw new UserError(
        other
          ? `The environment ${envName} has no root stack in amplify/team-provider-info.json, so its deployment secrets cannot be found.`
          : `The environment ${p.envName} has no root stack in amplify/backend/amplify-meta.json, so its deployment secrets have no place.`,
        'Run `forte init` (or `forte env checkout <name>`) first.',
      );
    return { rootStackId: rootStackIdOf(stack), envName: envName ?? p.envName };
  };
  return {
    read: (category, resourceName, envName) => readDeploymentSecrets({ ...where(envName), category, resourceName }),
    write(category, resourceName, values) {
      const at = where();
      const set = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
      const unset = Object.keys(values).filter((k) => values[k] === undefined);
      if (Object.keys(set).length > 0) storeDeploymentSecrets({ ...at, values: { [category]: { [resourceName]: set } } });
      if (unset.length > 0) removeDeploymentSecrets({ ...at, category, resourceName, keys: unset });
    },
  };
}
