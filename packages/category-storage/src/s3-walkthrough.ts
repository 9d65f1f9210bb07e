import { randomBytes, randomUUID } from 'node:crypto';
import { UserError, pickMany, type PluginContext } from '@forte/protocol';
import { RESOURCE_NAME } from './ddb-inputs.js';
import { BUCKET_NAME, S3_OPERATIONS, readS3Inputs, s3Resources, triggerOf, type S3Inputs, type S3Operation } from './s3-inputs.js';
import { confirmS3Migration, isLegacyBucket } from './s3-legacy.js';
import { assertGuestsAllowed } from './s3-auth.js';
import { authResourceOf, saveBucket, userPoolGroups } from './s3-resource.js';
import { askTriggerFunction } from './s3-trigger.js';

const CRUD_CHOICES: { name: string; value: S3Operation }[] = [
  { name: 'create/update', value: 'CREATE_AND_UPDATE' },
  { name: 'read', value: 'READ' },
  { name: 'delete', value: 'DELETE' },
];

/** A walkthrough never loops forever on a scripted answer. */
const MAX_ROUNDS = 20;

/** `What kind of access do you want for <who> users?`: at least one, asked again when none is chosen (Amplify's loop). */
async function askOperations(ctx: PluginContext, who: string, defaults: readonly S3Operation[]): Promise<S3Operation[]> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const picked = await pickMany(
      ctx,
      `What kind of access do you want for ${who} users?`,
      CRUD_CHOICES.map((c) => c.name),
      CRUD_CHOICES.filter((c) => defaults.includes(c.value)).map((c) => c.name),
    );
    // Amplify keeps the order of the choices.
    const ops = S3_OPERATIONS.filter((op) => picked.includes(CRUD_CHOICES.find((c) => c.value === op)!.name));
    if (ops.length > 0) return ops;
    ctx.print.warn('Select at least one option');
  }
  throw new UserError(`No access was chosen for ${who} users.`, 'Choose at least one of create/update, read and delete.');
}

/** Who may use the bucket (`auth` or `authAndGuest`) and what each may do. */
async function askUserAccess(ctx: PluginContext, inputs: S3Inputs): Promise<void> {
  inputs.storageAccess = (await ctx.prompt.select({
    message: 'Who should have access:',
    choices: [
      { name: 'Auth users only', value: 'auth' },
      { name: 'Auth and guest users', value: 'authAndGuest' },
    ],
    default: inputs.storageAccess,
  })) as S3Inputs['storageAccess'];
  inputs.authAccess = await askOperations(ctx, 'Authenticated', inputs.authAccess);
  inputs.guestAccess = inputs.storageAccess === 'authAndGuest' ? await askOperations(ctx, 'Guest', inputs.guestAccess) : [];
}

/** Amplify's `askGroupOrIndividualAccessFlow`: with user pool groups, restrict by users, groups or both. */
async function askAccess(ctx: PluginContext, inputs: S3Inputs, groups: string[]): Promise<void> {
  if (groups.length === 0) return askUserAccess(ctx, inputs);
  let by = 'Learn more';
  for (let round = 0; by === 'Learn more' && round < MAX_ROUNDS; round++) {
    if (round > 0) {
      ctx.print.info('');
      ctx.print.info(
        'You can restrict access using CRUD policies for Authenticated Users, Guest Users, or on individual Groups that users belong to in a User Pool. If a user logs into your application and is not a member of any group they will use policy set for “Authenticated Users”, however if they belong to a group they will only get the policy associated with that specific group.',
      );
      ctx.print.info('');
    }
    by = await ctx.prompt.select({
      message: 'Restrict access by?',
      choices: ['Auth/Guest Users', 'Individual Groups', 'Both', 'Learn more'].map((c) => ({ name: c, value: c })),
      default: 'Auth/Guest Users',
    });
  }
  if (by === 'Learn more') throw new UserError('No access restriction was chosen.', 'Choose Auth/Guest Users, Individual Groups or Both.');
  if (by === 'Auth/Guest Users' || by === 'Both') {
    await askUserAccess(ctx, inputs);
    if (by === 'Auth/Guest Users') delete inputs.groupAccess;
  }
  if (by === 'Individual Groups' || by === 'Both') {
    if (by === 'Individual Groups') {
      inputs.authAccess = [];
      inputs.guestAccess = [];
    }
    const current = inputs.groupAccess ?? {};
    const chosen = await pickMany(
      ctx,
      'Select groups:',
      groups,
      groups.filter((g) => g in current),
    );
    const groupAccess: Record<string, S3Operation[]> = { ...current };
    for (const group of chosen) groupAccess[group] = await askOperations(ctx, group, current[group] ?? []);
    inputs.groupAccess = groupAccess;
  }
}

/** `Do you want to add a Lambda Trigger for your S3 Bucket?`; an error is printed and the bucket goes on without one (Amplify). */
async function askAddTrigger(ctx: PluginContext): Promise<string | undefined> {
  if (!(await ctx.prompt.confirm({ message: 'Do you want to add a Lambda Trigger for your S3 Bucket?', default: false }))) return undefined;
  try {
    return await askTriggerFunction(ctx);
  } catch (error) {
    if (!(error instanceof Error) || error.name === 'ExitPromptError' || error.name === 'AbortError') throw error;
    ctx.print.error(error.message);
    return undefined;
  }
}

/** Amplify's update menu for the trigger: add or skip; with one, update (replace), remove or skip. */
async function askUpdateTrigger(ctx: PluginContext, current: string | undefined): Promise<string | undefined> {
  const choices = current ? ['Update the Trigger', 'Remove the Trigger', 'Skip Question'] : ['Add the Trigger', 'Skip Question'];
  const answer = await ctx.prompt.select({
    message: 'Select from the following options',
    choices: choices.map((c) => ({ name: c, value: c })),
    default: 'Skip Question',
  });
  if (answer === 'Skip Question') return current;
  if (answer === 'Remove the Trigger') return undefined;
  return askTriggerFunction(ctx, current);
}

/**
 * "Add auth first": without a Cognito auth resource Amplify asks to add one (through the auth category's add), and
 * ends the command when the answer is no.
 */
async function ensureAuth(ctx: PluginContext): Promise<boolean> {
  if (authResourceOf(ctx.project())) return true;
  const add = await ctx.prompt.confirm({
    message: 'You need to add auth (Amazon Cognito) to your project in order to add storage for user files. Do you want to add auth now?',
    default: true,
  });
  if (!add) return false;
  if (!ctx.invokePluginMethod) throw new UserError('Adding auth needs the auth category, which this context cannot load.', 'Run `forte add auth` first.');
  await ctx.invokePluginMethod('auth', 'executeCommand', []);
  if (!authResourceOf(ctx.project())) throw new UserError('No auth resource was added.', 'Run `forte add auth`, then `forte add storage` again.');
  return true;
}

/** Amplify's defaults: `s3<id>`, and the project's name with a uuid, cut at 47 characters (the rest is for the suffix and env). */
export function defaultS3Inputs(projectName: string, policyUUID = randomBytes(4).toString('hex')): S3Inputs {
  const prefix = projectName.toLowerCase().replace(/[^a-z0-9-]/g, '');
  return {
    resourceName: `s3${policyUUID}`,
    policyUUID,
    bucketName: `${prefix}${randomUUID().replace(/-/g, '')}`.slice(0, 47),
    storageAccess: 'auth',
    guestAccess: [],
    authAccess: [],
    groupAccess: {},
  };
}

/** `forte add storage` → Content: Amplify's S3 walkthrough (`s3-walkthrough.ts addWalkthrough`). Answers the resource name, or undefined when nothing was added. */
export async function addBucketWalkthrough(ctx: PluginContext): Promise<string | undefined> {
  if (!(await ensureAuth(ctx))) return undefined;
  const project = ctx.project();
  const existing = s3Resources(project);
  if (existing.length > 0) {
    ctx.print.warn('Amazon S3 storage was already added to your project.');
    return undefined;
  }
  const inputs = defaultS3Inputs(project.config.projectName);
  const taken = Object.keys(project.readBackendConfig()['storage'] ?? {});
  inputs.resourceName = await ctx.prompt.input({
    message: 'Provide a friendly name for your resource that will be used to label this category in the project:',
    default: inputs.resourceName,
    validate: (v) => (!RESOURCE_NAME.test(v) ? 'Resource name should be alphanumeric' : taken.includes(v) ? `storage ${v} already exists` : true),
  });
  inputs.bucketName = await ctx.prompt.input({
    message: 'Provide bucket name:',
    default: inputs.bucketName,
    validate: (v) =>
      BUCKET_NAME.test(v) ? true : 'Bucket name can only use the following characters: a-z 0-9 - and should have minimum 3 character and max of 47 character',
  });
  await askAccess(ctx, inputs, userPoolGroups(project));
  inputs.triggerFunction = (await askAddTrigger(ctx)) ?? 'NONE';
  await assertGuestsAllowed(ctx, inputs);
  saveBucket(project, inputs, { isNew: true });
  return inputs.resourceName;
}

/** `forte update storage` → Content: the access questions again (their answers as defaults), then the trigger menu. */
export async function updateBucketWalkthrough(ctx: PluginContext): Promise<string | undefined> {
  const project = ctx.project();
  const [resourceName] = s3Resources(project);
  if (resourceName === undefined) throw new UserError('No resources to update. You need to add a resource.', 'Add content storage with `forte add storage`.');
  if (isLegacyBucket(project, resourceName) && !(await confirmS3Migration(ctx, resourceName))) return undefined;
  const previous = readS3Inputs(project, resourceName);
  const inputs: S3Inputs = { ...previous, guestAccess: [...previous.guestAccess], authAccess: [...previous.authAccess] };
  await askAccess(ctx, inputs, userPoolGroups(project));
  inputs.triggerFunction = (await askUpdateTrigger(ctx, triggerOf(previous))) ?? 'NONE';
  await assertGuestsAllowed(ctx, inputs);
  saveBucket(project, inputs, { isNew: false });
  return resourceName;
}
