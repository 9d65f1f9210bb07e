import { z } from 'zod';
import { UserError, type PluginContext } from '@forte/protocol';
import { SECRET_NAME } from './function-secrets.js';
import { FUNCTION_NAME, createFunction, defaultFunctionName, type FunctionSettings, type FunctionSpec, type PackageManager } from './function-resource.js';
import { createLayer } from './layer-resource.js';
import { validateScheduleExpression } from './schedule-expression.js';
import { currentSettings, applyUpdate } from './update-function.js';
import { STREAM_ARN, dynamoTables, kinesisStreams, noStreams, noTables, printAdded } from './add-function.js';
import { appSyncApi, modelNames } from './api-models.js';

const operations = z.array(z.enum(['create', 'read', 'update', 'delete', 'Query', 'Mutation', 'Subscription'])).min(1, 'name at least one operation');
const settingsShape = {
  permissions: z.partialRecord(z.enum(['api', 'auth', 'storage', 'function']), z.record(z.string(), operations)).optional(),
  schedule: z
    .string()
    .superRefine((v, c) => {
      const ok = v === 'NONE' ? true : validateScheduleExpression(v);
      if (ok !== true) c.addIssue({ code: 'custom', message: ok });
    })
    .optional(),
  environmentVariables: z.record(z.string().regex(/^[a-zA-Z0-9_]+$/, 'env var names use a-z A-Z 0-9 _'), z.string()).optional(),
  secrets: z.record(z.string().regex(SECRET_NAME, 'secret names use a-z A-Z 0-9 _'), z.string().min(1, 'a secret needs a value')).optional(),
  layers: z
    .array(
      z.union([
        z
          .object({ projectLayer: z.string().regex(FUNCTION_NAME), version: z.union([z.literal('Latest'), z.number().int().positive()]).default('Latest') })
          .strict(),
        z.object({ arn: z.string().regex(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/, 'a layer version ARN') }).strict(),
      ]),
    )
    .max(5, 'a function has at most 5 layers')
    .optional(),
  packageManager: z.union([z.enum(['npm', 'yarn', 'pnpm']), z.object({ custom: z.string().min(1) }).strict()]).optional(),
};

/** `forte add function --headless`: one JSON object on stdin. */
export const addFunctionRequestSchema = z
  .object({
    name: z.string().regex(FUNCTION_NAME, 'function names use letters and digits only').optional(),
    capability: z.enum(['function', 'layer']).default('function'),
    runtime: z.literal('nodejs', { message: 'Forte runs Node.js functions only: use "nodejs"' }).default('nodejs'),
    template: z.enum(['hello-world', 'serverless', 'crud', 'trigger']).default('hello-world'),
    /** The CRUD template's storage DynamoDB resource. */
    crudTable: z.string().optional(),
    /** The trigger template's event source. */
    trigger: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('dynamodb-model'), models: z.array(z.string()).min(1, 'name at least one @model type') }).strict(),
        z.object({ type: z.literal('dynamodb-storage'), resourceName: z.string() }).strict(),
        z.object({ type: z.literal('dynamodb-arn'), arn: z.string().regex(STREAM_ARN.dynamodb, 'a DynamoDB stream ARN') }).strict(),
        z.object({ type: z.literal('kinesis-arn'), arn: z.string().regex(STREAM_ARN.kinesis, 'a Kinesis stream ARN') }).strict(),
        z.object({ type: z.literal('kinesis-analytics'), resourceName: z.string() }).strict(),
      ])
      .optional(),
    ...settingsShape,
  })
  .strict();

/** `forte update function --headless`: the function's name and the settings to change (others stay). */
export const updateFunctionRequestSchema = z
  .object({ name: z.string().regex(FUNCTION_NAME), ...settingsShape, removeSecrets: z.array(z.string()).optional() })
  .strict();

function parse<T extends z.ZodType>(schema: T, payload: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`);
  throw new UserError(`The ${what} is not valid: ${issues.join('; ')}.`, 'Fix the JSON on stdin; packages/category-function/README.md shows every field.');
}

type Settings = Partial<z.infer<typeof updateFunctionRequestSchema>>;
function toSettings(input: Settings, base: FunctionSettings, env: string): FunctionSettings {
  const out: FunctionSettings = { ...base };
  if (input.permissions) out.permissions = input.permissions as FunctionSettings['permissions'];
  if (input.schedule === 'NONE') delete out.schedule;
  else if (input.schedule !== undefined) out.schedule = input.schedule;
  if (input.environmentVariables) out.environmentVariables = { ...base.environmentVariables, ...input.environmentVariables };
  if (input.secrets) out.secrets = { ...base.secrets, ...input.secrets };
  for (const name of input.removeSecrets ?? []) delete out.secrets[name];
  if (input.layers)
    out.layers = input.layers.map((l) =>
      'arn' in l
        ? { type: 'ExternalLayer', arn: l.arn }
        : { type: 'ProjectLayer', resourceName: l.projectLayer, version: l.version, isLatestVersionSelected: l.version === 'Latest', env },
    );
  if (input.packageManager) out.packageManager = input.packageManager as PackageManager;
  return out;
}

export async function addFunctionHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parse(addFunctionRequestSchema, payload, 'add function request');
  const project = ctx.project();
  if (request.capability === 'layer') {
    const name = request.name ?? defaultFunctionName(project);
    createLayer(ctx, name);
    ctx.print.success(`Lambda layer folders & files created: amplify/backend/function/${name}`);
    return;
  }
  printAdded(ctx, await createFunctionFromRequest(ctx, request, {}));
}

/**
 * Creates the Lambda function an add function request describes (a layer is refused: only functions are
 * created this way) and returns its name. `expressPath`: as `functionWalkthrough`.
 */
export async function createFunctionFromRequest(ctx: PluginContext, payload: unknown, options: { expressPath?: string }): Promise<string> {
  const request = parse(addFunctionRequestSchema, payload, 'add function request');
  if (request.capability === 'layer') throw new UserError('A REST API path needs a Lambda function, not a layer.', 'Use "capability": "function".');
  const project = ctx.project();
  const name = request.name ?? defaultFunctionName(project);
  const source = dataSource(ctx, request);
  const settings = toSettings(request, { permissions: {}, layers: [], environmentVariables: {}, secrets: {} }, project.envName);
  await createFunction(
    ctx,
    { ...settings, name, template: request.template, ...source.spec, ...(options.expressPath ? { expressPath: options.expressPath } : {}) },
    source.table,
  );
  return name;
}

export async function updateFunctionHeadless(ctx: PluginContext, payload: unknown): Promise<void> {
  const request = parse(updateFunctionRequestSchema, payload, 'update function request');
  const current = currentSettings(ctx, request.name);
  await applyUpdate(ctx, request.name, toSettings(request, current, ctx.project().envName));
  ctx.print.success(`Successfully updated resource ${request.name} locally.`);
}

type AddRequest = z.infer<typeof addFunctionRequestSchema>;

/** The CRUD table or trigger source a request names, checked against the project. */
function dataSource(
  ctx: PluginContext,
  request: AddRequest,
): { spec: Partial<FunctionSpec>; table?: { name: string; partitionKey: string; sortKey?: string } } {
  if (request.template !== 'crud' && request.crudTable !== undefined)
    throw new UserError('crudTable is only for the crud template.', 'Remove it, or set "template": "crud".');
  if (request.template !== 'trigger' && request.trigger !== undefined)
    throw new UserError('trigger is only for the trigger template.', 'Remove it, or set "template": "trigger".');
  if (request.template === 'crud') {
    const tables = dynamoTables(ctx);
    if (tables.length === 0) throw noTables();
    const table = tables.find((t) => t.name === request.crudTable);
    if (!table)
      throw new UserError(
        `crudTable must name a storage DynamoDB table of the project${request.crudTable ? `; ${request.crudTable} is not one` : ''}.`,
        `Use one of: ${tables.map((t) => t.name).join(', ')}.`,
      );
    return {
      spec: { crudTable: table.name },
      table: { name: table.table, partitionKey: table.partitionKey, ...(table.sortKey ? { sortKey: table.sortKey } : {}) },
    };
  }
  if (request.template !== 'trigger') return { spec: {} };
  const trigger = request.trigger;
  if (!trigger)
    throw new UserError('The trigger template needs a "trigger" event source.', 'Add e.g. "trigger": { "type": "dynamodb-model", "models": ["Post"] }.');
  if (trigger.type === 'dynamodb-model') {
    const project = ctx.project();
    const api = appSyncApi(project);
    const models = api ? modelNames(project, api) : [];
    const unknown = trigger.models.filter((m) => !models.includes(m));
    if (!api || unknown.length > 0)
      throw new UserError(
        `trigger.models: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an @model type' : 'are not @model types'} of the project's API.`,
        `Use: ${models.join(', ') || 'none (add a GraphQL API with forte add api)'}.`,
      );
    return { spec: { trigger: { type: 'dynamodb-model', api, models: trigger.models } } };
  }
  if (trigger.type === 'dynamodb-storage' && !dynamoTables(ctx).some((t) => t.name === trigger.resourceName)) {
    throw new UserError(
      `trigger.resourceName: ${trigger.resourceName} is not a storage DynamoDB table of the project.`,
      'Name one of amplify/backend/storage.',
    );
  }
  if (trigger.type === 'kinesis-analytics' && !kinesisStreams(ctx).includes(trigger.resourceName)) {
    const streams = kinesisStreams(ctx);
    if (streams.length === 0) throw noStreams();
    throw new UserError(
      `trigger.resourceName: ${trigger.resourceName} is not an analytics Kinesis stream of the project.`,
      `Name one of ${streams.join(', ')}.`,
    );
  }
  return { spec: { trigger } };
}
