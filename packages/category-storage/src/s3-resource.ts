import { USER_POOL_GROUPS_RESOURCE, UserError, cognitoAuthResource, userPoolGroupNames, type BackendResource, type Project } from '@forte/protocol';
import { CATEGORY, PROVIDER_PLUGIN, S3_SERVICE } from './ddb-inputs.js';
import { s3Resources, triggerOf, writeS3Inputs, type S3Inputs } from './s3-inputs.js';

/** Amplify's resource of the user pool groups' IAM roles (`<UserPoolId>-<Group>GroupRole`), which group policies attach to. */
export const USER_POOL_GROUPS = USER_POOL_GROUPS_RESOURCE;

type DependsOn = NonNullable<BackendResource['dependsOn']>;

/** The project's Cognito auth resource (Amplify's `getAuthResourceARN`: the first one). */
export const authResourceOf = (project: Project): string | undefined => cognitoAuthResource(project);

/** The user pool groups of the project's `auth/userPoolGroups` resource (`user-pool-group-precedence.json`), in its order. */
export const userPoolGroups = (project: Project): string[] => userPoolGroupNames(project);

/**
 * What the bucket's stack depends on, as Amplify's S3 stack builder collects it: the trigger function's Name, Arn
 * and LambdaExecutionRole; with group access the user pool's id and each group's role.
 */
export function s3DependsOn(inputs: S3Inputs, authResource: string | undefined): DependsOn {
  const out: DependsOn = [];
  const trigger = triggerOf(inputs);
  if (trigger) out.push({ category: 'function', resourceName: trigger, attributes: ['Name', 'Arn', 'LambdaExecutionRole'] });
  const groups = Object.keys(inputs.groupAccess ?? {});
  if (groups.length > 0 && authResource) {
    out.push({ category: 'auth', resourceName: authResource, attributes: ['UserPoolId'] });
    for (const group of groups) out.push({ category: 'auth', resourceName: USER_POOL_GROUPS, attributes: [`${group}GroupRole`] });
  }
  return out;
}

/** Refuses groups the project cannot grant: each is a policy on the group's role, which only `auth/userPoolGroups` creates. */
export function assertGroupsKnown(project: Project, inputs: S3Inputs): void {
  const named = Object.keys(inputs.groupAccess ?? {});
  if (named.length === 0) return;
  const known = userPoolGroups(project);
  const missing = named.filter((g) => !known.includes(g));
  if (missing.length === 0 && authResourceOf(project)) return;
  throw new UserError(
    `storage ${inputs.resourceName} grants the user pool group${missing.length === 1 ? '' : 's'} ${(missing.length > 0 ? missing : named).join(', ')}, whose access is a policy on the group's IAM role (auth/userPoolGroups), and this project has ${known.length === 0 ? 'no user pool groups' : `the groups ${known.join(', ')} only`}.`,
    'Add the groups with `forte update auth` first, or give the access to authenticated users instead.',
  );
}

/**
 * Writes the bucket's cli-inputs.json and its backend-config.json / amplify-meta.json entry (`service: S3`,
 * `providerPlugin: awscloudformation`, the dependsOn above). A new bucket is refused when the project has one:
 * Amplify allows one content storage resource per project.
 */
export function saveBucket(project: Project, inputs: S3Inputs, options: { isNew: boolean; keyOrder?: readonly (keyof S3Inputs)[] }): void {
  assertGroupsKnown(project, inputs);
  const backend = project.readBackendConfig();
  if (options.isNew) {
    const existing = s3Resources(project);
    if (existing.length > 0)
      throw new UserError(
        `Amazon S3 storage was already added to your project (storage ${existing[0]}).`,
        'A project has one content storage resource: change it with `forte update storage`.',
      );
    if (backend[CATEGORY]?.[inputs.resourceName]) throw new UserError(`storage ${inputs.resourceName} already exists.`, 'Choose another friendly name.');
  }
  writeS3Inputs(project, inputs, options.keyOrder);
  const dependsOn = s3DependsOn(inputs, authResourceOf(project));
  const entry: BackendResource = { service: S3_SERVICE, providerPlugin: PROVIDER_PLUGIN, dependsOn };
  backend[CATEGORY] = { ...backend[CATEGORY], [inputs.resourceName]: { ...backend[CATEGORY]?.[inputs.resourceName], ...entry } };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  meta[CATEGORY] = {
    ...meta[CATEGORY],
    [inputs.resourceName]: {
      ...(meta[CATEGORY]?.[inputs.resourceName] as Record<string, unknown> | undefined),
      ...entry,
      dependsOn: dependsOn.map((d) => ({ ...d })),
    },
  };
  project.writeMeta(meta);
}
