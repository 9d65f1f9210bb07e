import { join } from 'node:path';
import { deploymentSecretsSchema, type DeploymentSecrets } from '@forte/protocol';
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
