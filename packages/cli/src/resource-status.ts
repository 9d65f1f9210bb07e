import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AmplifyMeta } from '@forte/protocol';
import { folderHash } from './folder-hash.js';
import type { ProjectModel } from './project-model.js';

export type Operation = 'Create' | 'Update' | 'Delete' | 'No Change';

export interface ResourceState {
  category: string;
  resourceName: string;
  service: string;
  providerPlugin: string;
  operation: Operation;
  /** The resource's entry (meta merged over backend-config; for Delete, the current cloud meta). */
  entry: Record<string, unknown>;
}

export interface ResourceStatus {
  /** In Amplify's order: Create, Update, Delete, No Change. */
  resources: ResourceState[];
  tagsUpdated: boolean;
  /** Something to push (a resource to create/update/delete, or tags). */
  changed: boolean;
}

/** Amplify's order of the status table. */
export const OPERATION_ORDER: readonly Operation[] = ['Create', 'Update', 'Delete', 'No Change'];

/**
 * Amplify's status rules (§1.6) without a cloud round trip: backend/ against #current-cloud-backend/ by
 * amplify-meta, backend-config and folder hashes. `filter` keeps the named categories (and, with one
 * category, optionally one resource).
 */
export function computeResourceStatus(project: ProjectModel, filter: { categories?: string[]; resourceName?: string } = {}): ResourceStatus {
  const backendConfig = project.readBackendConfig();
  const meta = project.readMeta();
  const currentMeta = project.readCurrentMeta();
  const currentBackendConfig = project.readCurrentBackendConfig();
  const desired = mergeResources(backendConfig as AmplifyMeta, meta);
  const current = mergeResources({}, currentMeta);
  const states: ResourceState[] = [];
  const wanted = (category: string, name: string): boolean =>
    (!filter.categories || filter.categories.length === 0 || filter.categories.includes(category)) && (!filter.resourceName || filter.resourceName === name);

  for (const [category, resources] of Object.entries(desired)) {
    for (const [name, entry] of Object.entries(resources)) {
      if (entry['serviceType'] === 'imported' || !wanted(category, name)) continue;
      const inCurrent = current[category]?.[name];
      let operation: Operation;
      if (!inCurrent || !entry['lastPushTimeStamp']) operation = 'Create';
      else if (!isDeepStrictEqual(backendConfig[category]?.[name], currentBackendConfig[category]?.[name])) operation = 'Update';
      else operation = folderChanged(project, category, name) ? 'Update' : 'No Change';
      states.push(stateOf(category, name, entry, operation));
    }
  }
  // A dependency of a resource being created that is itself unpushed is created too (matters with a filter).
  for (let i = 0; i < states.length; i++) {
    const state = states[i];
    if (state?.operation !== 'Create') continue;
    for (const dep of dependenciesOf(state.entry)) {
      const entry = desired[dep.category]?.[dep.resourceName];
      const unpushed = entry && (!current[dep.category]?.[dep.resourceName] || !entry['lastPushTimeStamp']);
      if (unpushed && !states.some((s) => s.category === dep.category && s.resourceName === dep.resourceName)) {
        states.push(stateOf(dep.category, dep.resourceName, entry, 'Create'));
      }
    }
  }
  for (const [category, resources] of Object.entries(current)) {
    for (const [name, entry] of Object.entries(resources)) {
      if (entry['serviceType'] === 'imported' || desired[category]?.[name] || !wanted(category, name)) continue;
      states.push(stateOf(category, name, entry, 'Delete'));
    }
  }
  states.sort((a, b) => OPERATION_ORDER.indexOf(a.operation) - OPERATION_ORDER.indexOf(b.operation));
  const tagsUpdated = !isDeepStrictEqual(project.readTags() ?? [], project.readCurrentTags() ?? []) && existsSync(project.paths.currentCloudBackendDir);
  return { resources: states, tagsUpdated, changed: tagsUpdated || states.some((s) => s.operation !== 'No Change') };
}

/** The `dependsOn` list of a backend-config/meta entry. */
export function dependenciesOf(entry: Record<string, unknown>): { category: string; resourceName: string; attributes: string[] }[] {
  const list = entry['dependsOn'];
  if (!Array.isArray(list)) return [];
  return list.flatMap((d: unknown) => {
    const dep = d as { category?: unknown; resourceName?: unknown; attributes?: unknown };
    if (typeof dep.category !== 'string' || typeof dep.resourceName !== 'string') return [];
    const attributes = Array.isArray(dep.attributes) ? dep.attributes.filter((a): a is string => typeof a === 'string') : [];
    return [{ category: dep.category, resourceName: dep.resourceName, attributes }];
  });
}

function folderChanged(project: ProjectModel, category: string, name: string): boolean {
  const local = join(project.backendDir, category, name);
  const cloud = join(project.currentCloudBackendDir, category, name);
  if (!existsSync(local) && !existsSync(cloud)) return false;
  return folderHash(local) !== folderHash(cloud);
}

function stateOf(category: string, resourceName: string, entry: Record<string, unknown>, operation: Operation): ResourceState {
  return {
    category,
    resourceName,
    service: typeof entry['service'] === 'string' ? entry['service'] : '',
    providerPlugin: typeof entry['providerPlugin'] === 'string' ? entry['providerPlugin'] : 'awscloudformation',
    operation,
    entry,
  };
}

/** `{category: {name: entry}}` of every resource (skipping `providers` and backend-config `parameters`). */
function mergeResources(base: AmplifyMeta, over: AmplifyMeta): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const source of [base, over]) {
    for (const [category, resources] of Object.entries(source)) {
      if (category === 'providers' || category === 'parameters' || !resources || typeof resources !== 'object') continue;
      for (const [name, entry] of Object.entries(resources)) {
        if (!entry || typeof entry !== 'object') continue;
        const cat = (out[category] ??= {});
        cat[name] = { ...cat[name], ...(entry as Record<string, unknown>) };
      }
    }
  }
  return out;
}

/** Rows of the status table: Category (capitalized) | Resource name | Operation | Provider plugin. */
export function statusTableRows(status: ResourceStatus): string[][] {
  return [
    ['Category', 'Resource name', 'Operation', 'Provider plugin'],
    ...status.resources.map((r) => [r.category.charAt(0).toUpperCase() + r.category.slice(1), r.resourceName, r.operation, r.providerPlugin]),
  ];
}
