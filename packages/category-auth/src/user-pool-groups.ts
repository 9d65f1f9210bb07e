import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendResource, type Project } from '@forte/protocol';
import { CATEGORY, PROVIDER_PLUGIN, type CognitoConfig } from './cognito-config.js';
import { readAuthInputs } from './auth-inputs.js';

/** Amplify's resource of the user pool groups and their IAM roles (`amplify/backend/auth/userPoolGroups/`). */
export const USER_POOL_GROUPS_RESOURCE = 'userPoolGroups';
export const USER_POOL_GROUPS_SERVICE = 'Cognito-UserPool-Groups';
export const PRECEDENCE_FILE = 'user-pool-group-precedence.json';

/** One entry of `user-pool-group-precedence.json`; Amplify keeps other keys a user adds (`customPolicies`). */
export interface UserPoolGroupEntry {
  groupName: string;
  precedence: number;
  customPolicies?: unknown[];
  [key: string]: unknown;
}

/** Reads `user-pool-group-precedence.json` from the groups resource's folder; a UserError names a bad file. */
export function readGroupPrecedence(dir: string): UserPoolGroupEntry[] {
  const file = join(dir, PRECEDENCE_FILE);
  if (!existsSync(file)) throw new UserError(`${file} is missing.`, 'Run `forte update auth` and answer the user pool group questions again.');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, 'Fix the file, or run `forte update auth`.', { cause: error });
  }
  const valid =
    Array.isArray(raw) &&
    raw.every(
      (g) =>
        g !== null &&
        typeof g === 'object' &&
        typeof (g as { groupName?: unknown }).groupName === 'string' &&
        typeof (g as { precedence?: unknown }).precedence === 'number' &&
        ((g as { customPolicies?: unknown }).customPolicies === undefined || Array.isArray((g as { customPolicies?: unknown }).customPolicies)),
    );
  if (!valid)
    throw new UserError(
      `${file} is not a list of groups: each entry needs "groupName" (text) and "precedence" (a number), and "customPolicies" is a list when present.`,
      'Fix the file, or run `forte update auth`.',
    );
  return raw as UserPoolGroupEntry[];
}

/** The groups resource's dependency on the Cognito resource, as Amplify records it. */
function groupsDependsOn(config: CognitoConfig): NonNullable<BackendResource['dependsOn']> {
  const attributes = ['UserPoolId', 'AppClientIDWeb', 'AppClientID'];
  if (config.authSelections === 'identityPoolAndUserPool') attributes.push('IdentityPoolId');
  return [{ category: CATEGORY, resourceName: config.resourceName, attributes }];
}

/** Resources (other than the groups resource itself) whose dependsOn names the groups resource, with the group roles they use. */
export function groupRoleUsers(project: Project): { category: string; resourceName: string; groups: string[] }[] {
  const users: { category: string; resourceName: string; groups: string[] }[] = [];
  for (const [category, resources] of Object.entries(project.readBackendConfig())) {
    for (const [resourceName, entry] of Object.entries(resources ?? {})) {
      const groups = (entry.dependsOn ?? [])
        .filter((d) => d.category === CATEGORY && d.resourceName === USER_POOL_GROUPS_RESOURCE)
        .flatMap((d) => d.attributes)
        .filter((a) => a.endsWith('GroupRole'))
        .map((a) => a.slice(0, -'GroupRole'.length));
      if (groups.length > 0) users.push({ category, resourceName, groups });
    }
  }
  return users;
}

/**
 * Checks the groups before anything is written: names of letters and digits (as Amplify's walkthrough asks;
 * each names an IAM role and template resources), and no group dropped whose IAM role another resource
 * grants permissions to (a REST API's group policy), as its push would fail for a role that no longer exists.
 */
export function assertGroupsSavable(project: Project, config: CognitoConfig): void {
  const groups = config.userPoolGroupList;
  // Groups that stay in the auth stack (groupsPushedInAuthStack) name no role: their names stay as they were allowed.
  const staying =
    !existsSync(join(project.resourceDir(CATEGORY, USER_POOL_GROUPS_RESOURCE), PRECEDENCE_FILE)) && groupsPushedInAuthStack(project, config.resourceName);
  const named = staying ? [] : groups.filter((g) => !/^[A-Za-z0-9]+$/.test(g));
  if (named.length > 0)
    throw new UserError(
      `User pool group names are letters and digits (each names its IAM role <UserPoolId>-<group>GroupRole): ${named.join(', ')}. Nothing was changed.`,
      'Rename the groups, with letters and digits only.',
    );
  const blocked = groupRoleUsers(project)
    .map((u) => ({ ...u, groups: u.groups.filter((g) => !groups.includes(g)) }))
    .filter((u) => u.groups.length > 0);
  if (blocked.length === 0) return;
  const lines = blocked.map((u) => `${u.category} ${u.resourceName} (group${u.groups.length === 1 ? '' : 's'} ${u.groups.join(', ')})`);
  throw new UserError(
    `User pool group roles are still used by: ${lines.join('; ')}. Nothing was changed.`,
    'Keep those groups, or first take their permissions off those resources (`forte update api`) and push.',
  );
}

/**
 * Whether the pool was pushed with its groups in its own stack, before the groups resource existed (the
 * deployed cli-inputs.json lists groups and #current-cloud-backend has no groups resource). Moving them
 * would delete the groups, and their members, after the new stack made them again, so they stay there.
 */
export function groupsPushedInAuthStack(project: Project, authResource: string): boolean {
  const deployed = join(project.currentCloudBackendDir, CATEGORY);
  if (existsSync(join(deployed, USER_POOL_GROUPS_RESOURCE, PRECEDENCE_FILE))) return false;
  try {
    const list = (readAuthInputs(join(deployed, authResource)).cognitoConfig as { userPoolGroupList?: unknown } | undefined)?.userPoolGroupList;
    return Array.isArray(list) && list.length > 0;
  } catch {
    return false;
  }
}

/**
 * Writes Amplify's groups resource for the auth resource's `userPoolGroupList`: `user-pool-group-precedence.json`
 * (precedence 1, 2... in the list's order, keeping other keys such as `customPolicies` of groups already
 * there) and its backend-config / amplify-meta entries. Without groups the resource is removed. Returns
 * false when the groups stay in the auth stack, where an earlier push put them (groupsPushedInAuthStack).
 */
export function saveUserPoolGroups(project: Project, config: CognitoConfig): boolean {
  const dir = project.resourceDir(CATEGORY, USER_POOL_GROUPS_RESOURCE);
  if (config.userPoolGroupList.length === 0) {
    removeUserPoolGroups(project);
    return true;
  }
  if (!existsSync(join(dir, PRECEDENCE_FILE)) && groupsPushedInAuthStack(project, config.resourceName)) return false;
  const previous = existsSync(join(dir, PRECEDENCE_FILE)) ? readGroupPrecedence(dir) : [];
  const groups = config.userPoolGroupList.map((groupName, index) => ({
    ...previous.find((g) => g.groupName === groupName),
    groupName,
    precedence: index + 1,
  }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PRECEDENCE_FILE), `${JSON.stringify(groups, null, 2)}\n`);
  const entry: BackendResource = { service: USER_POOL_GROUPS_SERVICE, providerPlugin: PROVIDER_PLUGIN, dependsOn: groupsDependsOn(config) };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [USER_POOL_GROUPS_RESOURCE]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const previousMeta = meta[CATEGORY]?.[USER_POOL_GROUPS_RESOURCE] ?? {};
  meta[CATEGORY] = { ...meta[CATEGORY], [USER_POOL_GROUPS_RESOURCE]: { ...previousMeta, ...entry } };
  project.writeMeta(meta);
  return true;
}

/** Deletes the groups resource's folder and entries (the next push deletes the groups and their roles). */
export function removeUserPoolGroups(project: Project): void {
  rmSync(project.resourceDir(CATEGORY, USER_POOL_GROUPS_RESOURCE), { recursive: true, force: true });
  const backend = project.readBackendConfig();
  if (backend[CATEGORY]?.[USER_POOL_GROUPS_RESOURCE]) {
    const auth = { ...backend[CATEGORY] };
    delete auth[USER_POOL_GROUPS_RESOURCE];
    if (Object.keys(auth).length > 0) backend[CATEGORY] = auth;
    else delete backend[CATEGORY];
    project.writeBackendConfig(backend);
  }
  const meta = project.readMeta();
  if (meta[CATEGORY]?.[USER_POOL_GROUPS_RESOURCE]) {
    const auth = { ...meta[CATEGORY] };
    delete auth[USER_POOL_GROUPS_RESOURCE];
    if (Object.keys(auth).length > 0) meta[CATEGORY] = auth;
    else delete meta[CATEGORY];
    project.writeMeta(meta);
  }
}
