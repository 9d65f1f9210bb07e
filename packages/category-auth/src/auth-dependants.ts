import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendConfig, Project } from '@forte/protocol';
import { CATEGORY } from './cognito-config.js';
import { USER_POOL_GROUPS_RESOURCE } from './user-pool-groups.js';

/** A resource that needs the auth resource, why, and the command that removes it. */
export interface AuthDependant {
  category: string;
  resourceName: string;
  service: string;
  reason: string;
  remove: string;
}

const readJson = (file: string): unknown => {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whether a REST API signs any path: its callers are the identity pool's users (the auth and guest roles, or
 * a group's role), though its backend-config entry names auth only for groups. Reads cli-inputs.json, or
 * Amplify's older api-params.json.
 */
function restApiSigned(dir: string): boolean {
  const inputs = readJson(join(dir, 'cli-inputs.json')) as { paths?: Record<string, { permissions?: { setting?: unknown } }> } | undefined;
  if (inputs?.paths && typeof inputs.paths === 'object')
    return Object.values(inputs.paths).some((p) => p?.permissions?.setting !== undefined && p.permissions.setting !== 'open');
  const legacy = readJson(join(dir, 'api-params.json')) as { paths?: { privacy?: { open?: unknown } }[] } | undefined;
  return Array.isArray(legacy?.paths) && legacy.paths.some((p) => p?.privacy !== undefined && p.privacy.open !== true);
}

/** The order dependants are removed in: an API before the function it invokes (a function used by an API cannot be removed first). */
const REMOVAL_ORDER = ['api', 'storage', 'function'];
const rank = (category: string): number => {
  const at = REMOVAL_ORDER.indexOf(category);
  return at < 0 ? REMOVAL_ORDER.length : at;
};

/**
 * The resources of other categories that need the Cognito resource `authResource` or its user pool groups,
 * in the order they can be removed: those whose dependsOn names either (Admin Queries function and API,
 * GraphQL APIs with user pool authorization, REST APIs with group permissions, functions with access to the
 * pool), REST APIs with signed paths and S3 storage, which use the identity pool's roles.
 */
export function authDependants(project: Project, authResource: string): AuthDependant[] {
  const backend: BackendConfig = project.readBackendConfig();
  const out: AuthDependant[] = [];
  for (const [category, resources] of Object.entries(backend)) {
    if (category === CATEGORY || category === 'parameters') continue;
    for (const [resourceName, entry] of Object.entries(resources ?? {})) {
      if (entry.serviceType === 'imported') continue;
      const service = typeof entry.service === 'string' ? entry.service : '';
      const named = (entry.dependsOn ?? []).filter(
        (d) => d.category === CATEGORY && (d.resourceName === authResource || d.resourceName === USER_POOL_GROUPS_RESOURCE),
      );
      let reason: string | undefined;
      if (named.some((d) => d.resourceName === USER_POOL_GROUPS_RESOURCE)) reason = 'grants user pool groups through their roles';
      else if (named.length > 0) reason = `uses the user pool (${[...new Set(named.flatMap((d) => d.attributes))].join(', ')})`;
      else if (category === 'api' && service === 'API Gateway' && restApiSigned(project.resourceDir(category, resourceName)))
        reason = "signs its paths for the identity pool's users";
      else if (category === 'storage' && service === 'S3') reason = "gives the identity pool's users access";
      if (reason === undefined) continue;
      out.push({ category, resourceName, service, reason, remove: `forte remove ${category} ${resourceName}` });
    }
  }
  return out.sort((a, b) => rank(a.category) - rank(b.category));
}
