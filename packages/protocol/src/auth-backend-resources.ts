import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from './plugin.js';

/** The auth category's resource holding the user pool groups (`amplify/backend/auth/userPoolGroups`). */
export const USER_POOL_GROUPS_RESOURCE = 'userPoolGroups';

/** The project's Cognito auth resource (backend-config's `auth` entry whose service is `Cognito`), if any. */
export function cognitoAuthResource(project: Pick<Project, 'readBackendConfig'>): string | undefined {
  return Object.entries(project.readBackendConfig().auth ?? {}).find(([, entry]) => entry.service === 'Cognito')?.[0];
}

/**
 * The user pool groups of the project's `auth/userPoolGroups` resource, in the order of its
 * `user-pool-group-precedence.json`; none when the resource or the file is missing or the file is unreadable
 * (the auth category reports a broken file when it pushes).
 */
export function userPoolGroupNames(project: Pick<Project, 'readBackendConfig' | 'resourceDir'>): string[] {
  if (!project.readBackendConfig().auth?.[USER_POOL_GROUPS_RESOURCE]) return [];
  const file = join(project.resourceDir('auth', USER_POOL_GROUPS_RESOURCE), 'user-pool-group-precedence.json');
  if (!existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(list)) return [];
    return list.map((g: { groupName?: unknown } | null) => g?.groupName).filter((g): g is string => typeof g === 'string');
  } catch {
    return [];
  }
}
