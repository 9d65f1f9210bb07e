import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UserError, type PluginContext } from '@forte/protocol';
import { RESOURCE_NAME, S3_SERVICE } from './ddb-inputs.js';
import {
  BUCKET_NAME,
  HEADLESS_KEY_ORDER,
  S3_OPERATIONS,
  readS3Inputs,
  s3Resources,
  storageAccessFor,
  triggerOf,
  type S3Inputs,
  type S3Operation,
} from './s3-inputs.js';
import { isLegacyBucket, migrateLegacyBucket } from './s3-legacy.js';
import { assertGuestsAllowed } from './s3-auth.js';
import { assertGroupsKnown, saveBucket } from './s3-resource.js';
import { checkExistingFunction } from './function-category.js';
import { createS3TriggerFunction } from './s3-trigger.js';
import { defaultS3Inputs } from './s3-walkthrough.js';

const crud = z.array(z.enum(S3_OPERATIONS));
const permissions = z
  .object({
    auth: crud,
    guest: crud.optional(),
    groups: z.record(z.string().regex(/^[\w+=,.@-]{1,128}$/, 'group names use letters, digits and +=,.@_-'), crud).optional(),
  })
  .strict();
const lambdaTrigger = z
  .object({ mode: z.enum(['new', 'existing']), name: z.string().regex(RESOURCE_NAME, 'function names use letters and digits only') })
  .strict();

/** `serviceConfiguration` of Amplify's AddStorageRequest for S3 (`AddS3ServiceConfiguration`). */
export const addS3ConfigurationSchema = z
  .object({
    serviceName: z.literal(S3_SERVICE),
    permissions,
    resourceName: z.string().regex(RESOURCE_NAME, 'friendly names use letters and digits only').optional(),
    bucketName: z.string().regex(BUCKET_NAME, 'bucket names use a-z 0-9 - and are 3 to 47 characters long').optional(),
    lambdaTrigger: lambdaTrigger.optional(),
  })
  .strict();

/** `serviceModification` of Amplify's UpdateStorageRequest for S3 (`UpdateS3ServiceModification`). */
export const updateS3ModificationSchema = z
  .object({ serviceName: z.literal(S3_SERVICE), permissions, resourceName: z.string(), lambdaTrigger: lambdaTrigger.optional() })
  .strict();

/** Operations each once, in Amplify's order. */
const ordered = (ops: readonly S3Operation[] | undefined): S3Operation[] => S3_OPERATIONS.filter((op) => (ops ?? []).includes(op));

/** A request's `permissions` as cli-inputs.json's access keys (groups only when the request names them). */
function accessFrom(granted: z.infer<typeof permissions>): Pick<S3Inputs, 'storageAccess' | 'guestAccess' | 'authAccess' | 'groupAccess'> {
  const guestAccess = ordered(granted.guest);
  const groups = granted.groups;
  return {
    storageAccess: storageAccessFor(guestAccess),
    guestAccess,
    authAccess: ordered(granted.auth),
    ...(groups ? { groupAccess: Object.fromEntries(Object.entries(groups).map(([g, ops]) => [g, ordered(ops)])) } : {}),
  };
}

/** The trigger a request asks for: an existing function (checked), or a new one written now with the given name. */
async function triggerFrom(ctx: PluginContext, trigger: z.infer<typeof lambdaTrigger> | undefined, current: string | undefined): Promise<string | undefined> {
  if (!trigger) return current;
  if (trigger.mode === 'existing') {
    checkExistingFunction(ctx.project(), trigger.name);
    return trigger.name;
  }
  return createS3TriggerFunction(ctx, trigger.name);
}

/**
 * `forte add storage --headless` with `serviceName: "S3"` (Amplify's `buildS3UserInputFromHeadlessStorageRequest`):
 * guests get access when `permissions.guest` grants something, the names default as in the walkthrough.
 */
export async function addBucketHeadless(ctx: PluginContext, config: z.infer<typeof addS3ConfigurationSchema>): Promise<void> {
  const project = ctx.project();
  const existing = s3Resources(project);
  if (existing.length > 0)
    throw new UserError(
      `Amazon S3 storage was already added to your project (storage ${existing[0]}).`,
      'A project has one content storage resource: change it with `forte update storage`.',
    );
  const defaults = defaultS3Inputs(project.config.projectName, randomBytes(4).toString('hex'));
  const { groupAccess, ...access } = accessFrom(config.permissions);
  const inputs: S3Inputs = {
    resourceName: config.resourceName ?? defaults.resourceName,
    bucketName: config.bucketName ?? defaults.bucketName,
    policyUUID: defaults.policyUUID,
    ...access,
    ...(groupAccess && Object.keys(groupAccess).length > 0 ? { groupAccess } : {}),
  };
  await assertGuestsAllowed(ctx, inputs);
  // Checked before a new trigger function is written, so a refused request leaves no files behind.
  saveBucketCheck(project, inputs);
  const trigger = await triggerFrom(ctx, config.lambdaTrigger, undefined);
  if (trigger) inputs.triggerFunction = trigger;
  saveBucket(project, inputs, { isNew: true, keyOrder: HEADLESS_KEY_ORDER });
  ctx.print.success(`Successfully added resource ${inputs.resourceName} locally`);
}

function saveBucketCheck(project: ReturnType<PluginContext['project']>, inputs: S3Inputs): void {
  if (project.readBackendConfig()['storage']?.[inputs.resourceName])
    throw new UserError(`storage ${inputs.resourceName} already exists.`, 'Choose another resourceName.');
  assertGroupsKnown(project, inputs);
}

/**
 * `forte update storage --headless` with `serviceName: "S3"`: the permissions from now on, and the trigger when
 * `lambdaTrigger` is given. Unlike Amplify's adapter, which drops `permissions.groups` on update, the groups given
 * replace the bucket's group access (none given: unchanged).
 */
export async function updateBucketHeadless(ctx: PluginContext, change: z.infer<typeof updateS3ModificationSchema>): Promise<void> {
  const project = ctx.project();
  if (!s3Resources(project).includes(change.resourceName))
    throw new UserError(`The project has no content storage named ${change.resourceName}.`, `Choose one of: ${s3Resources(project).join(', ') || 'none'}.`);
  if (isLegacyBucket(project, change.resourceName)) migrateLegacyBucket(project, change.resourceName);
  const previous = readS3Inputs(project, change.resourceName);
  const { groupAccess, ...access } = accessFrom(change.permissions);
  // Groups given replace the bucket's group access; none given leave it.
  const next: S3Inputs = { ...previous, ...access, ...(groupAccess ? { groupAccess } : {}) };
  await assertGuestsAllowed(ctx, next);
  assertGroupsKnown(project, next);
  const trigger = await triggerFrom(ctx, change.lambdaTrigger, triggerOf(previous));
  next.triggerFunction = trigger ?? previous.triggerFunction;
  saveBucket(project, next, { isNew: false });
  ctx.print.success(`Successfully updated resource ${next.resourceName} locally`);
}
