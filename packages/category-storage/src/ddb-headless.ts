import { z } from 'zod';
import { UserError, type PluginContext } from '@forte/protocol';
import {
  CATEGORY,
  COLUMN_NAME,
  DYNAMODB_SERVICE,
  INDEX_NAME,
  MAX_INDEXES,
  RESOURCE_NAME,
  S3_SERVICE,
  TABLE_NAME,
  dynamoDbResources,
  isLegacyTable,
  readInputs,
  type DynamoDbInputs,
  type GsiInput,
} from './ddb-inputs.js';
import { saveTable, removeStorage } from './ddb-resource.js';
import { attachTrigger, createTriggerFunction, detachTrigger } from './ddb-triggers.js';
import { checkExistingFunction } from './function-category.js';
import { confirmMigration } from './ddb-walkthrough.js';
import { addBucketHeadless, addS3ConfigurationSchema, updateBucketHeadless, updateS3ModificationSchema } from './s3-headless.js';

const key = z
  .object({ fieldName: z.string().regex(COLUMN_NAME, 'column names use a-z A-Z 0-9 - _'), fieldType: z.enum(['string', 'number', 'binary']) })
  .strict();
const gsi = z.object({ name: z.string().regex(INDEX_NAME, 'index names use a-z A-Z 0-9 - _'), partitionKey: key, sortKey: key.optional() }).strict();
const trigger = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('new'), name: z.string().regex(RESOURCE_NAME, 'function names use letters and digits only').optional() }).strict(),
  z.object({ mode: z.literal('existing'), name: z.string() }).strict(),
]);
const triggers = z.array(trigger).max(10, 'at most 10 trigger functions');
const indexes = z.array(gsi).max(MAX_INDEXES, `a table has at most ${MAX_INDEXES} global secondary indexes`);

/** `forte add storage --headless`: Amplify's AddStorageRequest envelope, with a DynamoDB service configuration. */
export const addStorageRequestSchema = z
  .object({
    version: z.literal(1),
    serviceConfiguration: z.discriminatedUnion('serviceName', [
      z
        .object({
          serviceName: z.literal(DYNAMODB_SERVICE),
          resourceName: z.string().regex(RESOURCE_NAME, 'friendly names use letters and digits only'),
          tableName: z.string().regex(TABLE_NAME, 'table names use a-z A-Z 0-9 . - _').max(255).optional(),
          partitionKey: key,
          sortKey: key.optional(),
          gsi: indexes.optional(),
          lambdaTriggers: triggers.optional(),
        })
        .strict(),
      addS3ConfigurationSchema,
    ]),
  })
  .strict();

/** `forte update storage --headless`: the indexes and triggers to have from now on; the keys cannot change (Amplify's rule). */
export const updateStorageRequestSchema = z
  .object({
    version: z.literal(1),
    serviceModification: z.discriminatedUnion('serviceName', [
      z
        .object({
          serviceName: z.literal(DYNAMODB_SERVICE),
          resourceName: z.string(),
          tableName: z.string().optional(),
          partitionKey: key.optional(),
          sortKey: key.optional(),
          gsi: indexes.optional(),
          lambdaTriggers: triggers.optional(),
        })
        .strict(),
      updateS3ModificationSchema,
    ]),
  })
  .strict();

/** `forte remove storage --headless`: Amplify's RemoveStorageRequest. */
export const removeStorageRequestSchema = z
  .object({
    version: z.literal(1),
    serviceConfiguration: z.union([
      z.object({ serviceName: z.literal(DYNAMODB_SERVICE), resourceName: z.string() }).strict(),
      // Amplify's RemoveS3ServiceConfiguration; the push asks before it deletes a bucket that holds objects, whatever deleteBucketAndContents says.
      z.object({ serviceName: z.literal(S3_SERVICE), resourceName: z.string(), deleteBucketAndContents: z.boolean().optional() }).strict(),
    ]),
  })
  .strict();

function parse<T extends z.ZodType>(schema: T, payload: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`);
  throw new UserError(`The ${what} is not valid: ${issues.join('; ')}.`, 'Fix the JSON on stdin; packages/category-storage/README.md shows every field.');
}

/** Brings the table's triggers to `wanted`: new functions created, existing ones attached, the others detached. */
async function applyTriggers(ctx: PluginContext, table: string, current: string[], wanted: z.infer<typeof triggers>): Promise<string[]> {
  const project = ctx.project();
  for (const t of wanted) if (t.mode === 'existing') checkExistingFunction(project, t.name);
  const keep = wanted.flatMap((t) => (t.mode === 'existing' ? [t.name] : []));
  const next: string[] = [];
  for (const fn of current) {
    if (keep.includes(fn)) next.push(fn);
    else detachTrigger(project, table, fn);
  }
  for (const t of wanted) {
    if (t.mode === 'existing') {
      if (!next.includes(t.name)) {
        attachTrigger(project, table, t.name);
        next.push(t.name);
      }
    } else {
      next.push(await createTriggerFunction(ctx, table, t.name));
    }
  }
  return next;
}

export async function addStorageHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parse(addStorageRequestSchema, payload, 'AddStorageRequest');
  const config = request.serviceConfiguration;
  if (config.serviceName === S3_SERVICE) return addBucketHeadless(ctx, config);
  const project = ctx.project();
  const inputs: DynamoDbInputs = {
    resourceName: config.resourceName,
    tableName: config.tableName ?? config.resourceName,
    partitionKey: config.partitionKey,
    ...(config.sortKey ? { sortKey: config.sortKey } : {}),
    gsi: (config.gsi ?? []) as GsiInput[],
    triggerFunctions: [],
  };
  saveTable(project, inputs, { isNew: true });
  inputs.triggerFunctions = await applyTriggers(ctx, inputs.resourceName, [], config.lambdaTriggers ?? []);
  saveTable(project, inputs, { isNew: false });
  ctx.print.success(`Successfully added resource ${inputs.resourceName} locally`);
}

export async function updateStorageHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parse(updateStorageRequestSchema, payload, 'UpdateStorageRequest');
  const change = request.serviceModification;
  if (change.serviceName === S3_SERVICE) return updateBucketHeadless(ctx, change);
  const project = ctx.project();
  if (!dynamoDbResources(project).includes(change.resourceName))
    throw new UserError(`The project has no NoSQL table named ${change.resourceName}.`, `Choose one of: ${dynamoDbResources(project).join(', ') || 'none'}.`);
  if (isLegacyTable(project, change.resourceName)) await confirmMigration(ctx, change.resourceName);
  const inputs = readInputs(project, change.resourceName);
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const changed = [
    change.tableName !== undefined && change.tableName !== inputs.tableName ? 'tableName' : undefined,
    change.partitionKey !== undefined && !same(change.partitionKey, inputs.partitionKey) ? 'partitionKey' : undefined,
    change.sortKey !== undefined && !same(change.sortKey, inputs.sortKey) ? 'sortKey' : undefined,
  ].filter((c): c is string => c !== undefined);
  if (changed.length > 0)
    throw new UserError(
      `${changed.join(', ')} of ${CATEGORY} ${change.resourceName} cannot be changed once added (as in Amplify).`,
      'Leave them out (or give the current values); to change a key, edit cli-inputs.json: the next push moves every item to the new key, or refuses naming the items that cannot move.',
    );
  const next: DynamoDbInputs = { ...inputs };
  if (change.gsi) next.gsi = change.gsi as GsiInput[];
  saveTable(project, next, { isNew: false });
  if (change.lambdaTriggers) {
    next.triggerFunctions = await applyTriggers(ctx, next.resourceName, inputs.triggerFunctions ?? [], change.lambdaTriggers);
    saveTable(project, next, { isNew: false });
  }
  ctx.print.success(`Successfully updated resource ${next.resourceName} locally`);
}

export async function removeStorageHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parse(removeStorageRequestSchema, payload, 'RemoveStorageRequest');
  const { serviceName, resourceName } = request.serviceConfiguration;
  const entry = ctx.project().readBackendConfig()[CATEGORY]?.[resourceName];
  if (entry && entry.service !== serviceName)
    throw new UserError(
      `storage ${resourceName} is a ${String(entry.service)} resource, not ${serviceName}.`,
      `Give "serviceName": "${String(entry.service)}".`,
    );
  await removeStorage(ctx, resourceName);
}
