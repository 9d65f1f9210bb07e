import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backendConfigSchema, nestedTemplateKey, resourceLogicalId, type AmplifyMeta, type ProviderEnvInfo, type StackOutputs } from '@forte/protocol';
import { folderHash } from './folder-hash.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { ProjectModel } from './project-model.js';

/** Keys a push adds to a resource's amplify-meta entry. */
const CLOUD_KEYS = ['providerMetadata', 'lastPushTimeStamp', 'lastPushDirHash', 'output'];

/**
 * Makes the local files agree with what is deployed: #current-cloud-backend becomes `snapshot` (the backend
 * folder as pushed), and amplify-meta.json (local and current) is rebuilt from backend-config, the
 * environment's provider info and the stack outputs. A resource counts as pushed when the deployed stack
 * holds its nested stack. Returns the new local amplify-meta.
 */
export function applyCloudState(
  project: ProjectModel,
  args: {
    envInfo: ProviderEnvInfo;
    outputs: StackOutputs;
    /** undefined: the environment has no snapshot (never pushed), so #current-cloud-backend is emptied. */
    snapshot: Record<string, Buffer> | undefined;
    pushedAt: string;
    templateKeys?: Record<string, string>;
  },
): AmplifyMeta {
  const ccb = project.currentCloudBackendDir;
  rmSync(ccb, { recursive: true, force: true });
  mkdirSync(ccb, { recursive: true });
  for (const [path, content] of Object.entries(args.snapshot ?? {})) {
    const target = join(ccb, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const deployed = new Set(Object.keys(args.outputs.resourceOutputs));
  const previous = project.readMetaIfExists() ?? {};
  const providers = { awscloudformation: args.envInfo };

  const cloudEntry = (category: string, name: string, entry: Record<string, unknown>): Record<string, unknown> => {
    const id = resourceLogicalId(category, name);
    return {
      providerPlugin: 'awscloudformation',
      ...entry,
      providerMetadata: { s3TemplateURL: args.templateKeys?.[id] ?? nestedTemplateKey(category, name), logicalId: id },
      lastPushTimeStamp: args.pushedAt,
      lastPushDirHash: folderHash(join(ccb, category, name)) ?? '',
      // backend-config's own `output` (the api's authConfig) stays, under the stack's outputs, as in Amplify.
      output: { ...objectOrEmpty(entry['output']), ...args.outputs.resourceOutputs[id] },
    };
  };

  const currentMeta: AmplifyMeta = { providers };
  const ccbConfig = (readJsonFile(join(ccb, 'backend-config.json'), backendConfigSchema, project.root) ?? {}) as Record<string, Record<string, unknown>>;
  for (const [category, name, entry] of resourcesOf(ccbConfig)) {
    if (deployed.has(resourceLogicalId(category, name))) (currentMeta[category] ??= {})[name] = cloudEntry(category, name, entry);
  }

  const meta: AmplifyMeta = { providers };
  for (const [category, name, entry] of resourcesOf(project.readBackendConfig() as Record<string, Record<string, unknown>>)) {
    const before = (previous[category]?.[name] ?? {}) as Record<string, unknown>;
    const pushed = currentMeta[category]?.[name];
    const merged = { ...withoutCloudKeys(before), ...entry };
    (meta[category] ??= {})[name] = pushed ? cloudEntry(category, name, merged) : merged;
  }
  writeJsonFile(join(ccb, 'amplify-meta.json'), currentMeta);
  project.writeMeta(meta);
  return meta;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function withoutCloudKeys(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !CLOUD_KEYS.includes(k)));
}

/** [category, resourceName, entry] of a backend-config (skipping its `parameters` map). */
export function resourcesOf(config: Record<string, Record<string, unknown>>): [string, string, Record<string, unknown>][] {
  const out: [string, string, Record<string, unknown>][] = [];
  for (const [category, resources] of Object.entries(config)) {
    if (category === 'parameters' || category === 'providers' || !resources || typeof resources !== 'object') continue;
    for (const [name, entry] of Object.entries(resources)) {
      if (entry && typeof entry === 'object') out.push([category, name, entry as Record<string, unknown>]);
    }
  }
  return out;
}
