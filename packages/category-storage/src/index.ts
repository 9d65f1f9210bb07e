import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { cliInputsPath } from './cli-inputs-file.js';
import { CATEGORY, DYNAMODB_SERVICE, S3_SERVICE, readInputs } from './ddb-inputs.js';
import { addStorageHeadless, removeStorageHeadless, updateStorageHeadless } from './ddb-headless.js';
import { removeStorage } from './ddb-resource.js';
import { dynamoDbParameters, dynamoDbTemplate, legacyTableBuild } from './ddb-template.js';
import { addTableWalkthrough, refuseUnattended, updateTableWalkthrough } from './ddb-walkthrough.js';
import { isLegacyBucket, legacyBucketBuild } from './s3-legacy.js';
import { readS3Inputs } from './s3-inputs.js';
import { assertGroupsKnown, authResourceOf } from './s3-resource.js';
import { s3Parameters, s3Template } from './s3-template.js';
import { addBucketWalkthrough, updateBucketWalkthrough } from './s3-walkthrough.js';

export { addStorageRequestSchema, removeStorageRequestSchema, updateStorageRequestSchema } from './ddb-headless.js';
export { dynamoDbInputsSchema, type DynamoDbInputs } from './ddb-inputs.js';
export { dynamoDbTemplate, dynamoDbParameters } from './ddb-template.js';
export { s3InputsSchema, type S3Inputs } from './s3-inputs.js';
export { s3Parameters, s3Template } from './s3-template.js';

const ALIASES: Record<string, string> = { configure: 'update' };

/** Amplify's first question of `add storage` and `update storage` (its supported services, in its order). */
async function askService(ctx: PluginContext): Promise<string> {
  return ctx.prompt.select({
    message: 'Select from one of the below mentioned services:',
    choices: [
      { name: 'Content (Images, audio, video, etc.)', value: S3_SERVICE },
      { name: 'NoSQL Database', value: DYNAMODB_SERVICE },
    ],
  });
}

async function addStorage(ctx: PluginContext): Promise<void> {
  refuseUnattended(ctx, 'add');
  if ((await askService(ctx)) === S3_SERVICE) {
    const bucket = await addBucketWalkthrough(ctx);
    if (bucket === undefined) return;
    ctx.print.success(`Successfully added resource ${bucket} locally`);
    ctx.print.info('');
    ctx.print.success('Some next steps:');
    ctx.print.info('"forte push" builds all of your local backend resources and provisions them in the cloud');
    ctx.print.info('"forte publish" builds all of your local backend and front-end resources (if you added hosting category) and provisions them in the cloud');
    ctx.print.info('');
    return;
  }
  const name = await addTableWalkthrough(ctx);
  ctx.print.success(`Successfully added resource ${name} locally`);
  ctx.print.info('');
  ctx.print.success('Some next steps:');
  ctx.print.info('"forte push" builds all of your local backend resources and provisions them in the cloud');
  ctx.print.info('"forte update function" gives a function access to the table (STORAGE_<NAME>_NAME, _ARN and _STREAMARN)');
  ctx.print.info('');
}

/**
 * For other categories' walkthroughs (`ctx.invokePluginMethod('storage', 'addNoSqlTable', [])`, as Amplify's CRUD
 * function template calls the storage category's `add` with service DynamoDB): the NoSQL walkthrough without the
 * service question; answers the new table's resource name.
 */
export async function addNoSqlTable(ctx: PluginContext): Promise<string> {
  refuseUnattended(ctx, 'add');
  const name = await addTableWalkthrough(ctx);
  ctx.print.success(`Successfully added resource ${name} locally`);
  return name;
}

async function updateStorage(ctx: PluginContext): Promise<void> {
  refuseUnattended(ctx, 'update');
  if ((await askService(ctx)) === S3_SERVICE) {
    const bucket = await updateBucketWalkthrough(ctx);
    if (bucket !== undefined) ctx.print.success(`Successfully updated resource ${bucket} locally`);
    return;
  }
  await updateTableWalkthrough(ctx);
  ctx.print.success('Successfully updated resource');
}

/** Runs `forte storage <command>` (or `forte <command> storage`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addStorage(ctx);
    case 'update':
      return updateStorage(ctx);
    case 'remove':
      return removeStorage(ctx);
    case 'help':
      printHelp(ctx);
      return;
    default:
      throw new UserError(`storage has no command ${command}.`, 'See the commands with `forte storage help`.');
  }
}

/** `--headless`: Amplify's Add/Update/RemoveStorageRequest envelopes with a DynamoDB configuration (README.md). */
export async function executeHeadlessCommand(ctx: PluginContext, payload: unknown): Promise<void> {
  const command = ctx.input.command ?? '';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addStorageHeadless(ctx, payload);
    case 'update':
      return updateStorageHeadless(ctx, payload);
    case 'remove':
      return removeStorageHeadless(ctx, payload);
    default:
      throw new UserError(`storage has no headless command ${command}.`, 'Use add, update or remove with --headless.');
  }
}

/**
 * The nested template of a NoSQL table or a content bucket, generated from its cli-inputs.json as Amplify does at
 * push (an older project's resource without cli-inputs.json: its own template, as written).
 */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  if (resource.service === S3_SERVICE) return buildBucket(ctx, resource);
  if (resource.service !== DYNAMODB_SERVICE) {
    throw new UserError(
      `storage ${resource.resourceName} has the service ${resource.service}, which the storage category does not deploy (S3 and DynamoDB).`,
      'Fix its "service" in amplify/backend/backend-config.json, or remove the resource.',
    );
  }
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, resource.resourceName);
  if (!existsSync(cliInputsPath(project, resource.resourceName))) {
    const legacy = legacyTableBuild(dir, resource.resourceName);
    if (legacy) return { template: legacy.template, parameters: legacy.parameters, sourceFile: relative(project.root, legacy.file).split(sep).join('/') };
  }
  const inputs = readInputs(project, resource.resourceName);
  return { template: dynamoDbTemplate(inputs), parameters: dynamoDbParameters(inputs) };
}

/** A content bucket: its stack rendered from cli-inputs.json (Amplify's S3 stack transform), or an older project's template as written. */
function buildBucket(ctx: PluginContext, resource: ResourceRef): ResourceBuild {
  const project = ctx.project();
  if (isLegacyBucket(project, resource.resourceName)) {
    const legacy = legacyBucketBuild(project, resource.resourceName);
    return { template: legacy.template, parameters: legacy.parameters, sourceFile: relative(project.root, legacy.file).split(sep).join('/') };
  }
  const inputs = readS3Inputs(project, resource.resourceName);
  assertGroupsKnown(project, inputs);
  return { template: s3Template(inputs, { authResource: authResourceOf(project) }), parameters: s3Parameters(inputs) };
}

function printHelp(ctx: PluginContext): void {
  ctx.print.info('forte storage <command>');
  ctx.print.info("  add      Adds content storage (an S3 bucket) or a NoSQL table (DynamoDB) with Amplify's questions; --headless reads an AddStorageRequest.");
  ctx.print.info("  update   Changes a bucket's access and trigger; a table's columns, indexes and triggers.");
  ctx.print.info('  remove   Removes a storage resource (refused while a function depends on it); the next push deletes the bucket or table.');
}
