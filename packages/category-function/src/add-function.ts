import { join } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import { appSyncApi, modelNames } from './api-models.js';
import { readJsonFile } from './function-files.js';
import { askAdvancedSettings } from './function-questions.js';
import { FUNCTION_NAME, createFunction, defaultFunctionName, type FunctionSettings, type FunctionSpec } from './function-resource.js';
import { addLayer } from './layer-resource.js';
import { FUNCTION_TEMPLATES, type FunctionTemplateName } from './source-templates.js';
import type { TriggerSource } from './trigger-template.js';

const RUNTIMES = ['NodeJS', '.NET 8', 'Go', 'Java', 'Python'] as const;

export async function askRuntime(ctx: PluginContext): Promise<void> {
  const runtime = await ctx.prompt.select({
    message: 'Choose the runtime that you want to use:',
    choices: RUNTIMES.map((r) => ({ name: r, value: r })),
    default: 'NodeJS',
  });
  if (runtime !== 'NodeJS') throw new UserError(`Forte runs Node.js functions only; ${runtime} is not supported.`, 'Choose NodeJS.');
}

/** The project's storage DynamoDB tables, with their keys (storage cli-inputs.json when present). */
export function dynamoTables(ctx: PluginContext): { name: string; partitionKey: string; sortKey?: string; table: string }[] {
  const project = ctx.project();
  return Object.entries(project.readBackendConfig()['storage'] ?? {})
    .filter(([, e]) => e.service === 'DynamoDB')
    .map(([name]) => {
      const inputs = readJsonFile<{ tableName?: string; partitionKey?: { fieldName?: string }; sortKey?: { fieldName?: string } }>(
        join(project.resourceDir('storage', name), 'cli-inputs.json'),
        {},
      );
      const sortKey = inputs.sortKey?.fieldName;
      return { name, table: inputs.tableName ?? name, partitionKey: inputs.partitionKey?.fieldName ?? 'id', ...(sortKey ? { sortKey } : {}) };
    });
}

/** The project's analytics Kinesis streams (backend-config.json, service Kinesis), by resource name. */
export function kinesisStreams(ctx: PluginContext): string[] {
  return Object.entries(ctx.project().readBackendConfig()['analytics'] ?? {})
    .filter(([, e]) => e.service === 'Kinesis')
    .map(([name]) => name);
}

export const noStreams = (): UserError =>
  new UserError(
    'No Kinesis streams resource to select: the project has no analytics Kinesis stream.',
    'Add one with `forte add analytics` (Amazon Kinesis Streams), or give the stream ARN instead.',
  );

export const noTables = (): UserError =>
  new UserError(
    'The CRUD template needs a DynamoDB table of the storage category, and this project has none.',
    'Add one with `forte add storage` (NoSQL Database), then add the function again; or choose another template.',
  );

/**
 * The CRUD template's table (Amplify's `askDynamoDBQuestions`): one the project has, or a new one through the storage
 * category's NoSQL walkthrough (`addNoSqlTable`). Two tries, as Amplify gives.
 */
async function askCrudTable(ctx: PluginContext): Promise<ReturnType<typeof dynamoTables>[number]> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const option = await ctx.prompt.select({
      message: 'Choose a DynamoDB data source option',
      choices: [
        { name: 'Use DynamoDB table configured in the current Amplify project', value: 'currentProject' },
        { name: 'Create a new DynamoDB table', value: 'newResource' },
      ],
    });
    if (option === 'newResource' && ctx.invokePluginMethod) {
      const name = await ctx.invokePluginMethod<string>('storage', 'addNoSqlTable', []);
      ctx.print.success('Successfully added DynamoDb table locally');
      const added = dynamoTables(ctx).find((t) => t.name === name);
      if (added) return added;
      continue;
    }
    const tables = dynamoTables(ctx);
    if (tables.length === 0) {
      ctx.print.error('There are no DynamoDB resources configured in your project currently');
      continue;
    }
    const chosen = await ctx.prompt.select({
      message: 'Choose from one of the already configured DynamoDB tables',
      choices: tables.map((t) => ({ name: t.name, value: t.name })),
    });
    return tables.find((t) => t.name === chosen)!;
  }
  throw noTables();
}

async function askTrigger(ctx: PluginContext): Promise<TriggerSource> {
  const source = await ctx.prompt.select({
    message: 'What event source do you want to associate with Lambda trigger?',
    choices: [
      { name: 'Amazon DynamoDB Stream', value: 'dynamodb' },
      { name: 'Amazon Kinesis Stream', value: 'kinesis' },
    ],
  });
  if (source === 'kinesis') {
    const option = await ctx.prompt.select({
      message: 'Choose a Kinesis event source option',
      choices: [
        { name: 'Use Analytics category kinesis stream in the current Amplify project', value: 'analytics' },
        { name: 'Provide the ARN of Kinesis stream directly', value: 'arn' },
      ],
    });
    if (option === 'arn')
      return {
        type: 'kinesis-arn',
        arn: await ctx.prompt.input({ message: 'Provide the ARN of Amazon Kinesis data stream or a stream consumer', validate: arnCheck('kinesis') }),
      };
    const streams = kinesisStreams(ctx);
    if (streams.length === 0) throw noStreams();
    if (streams.length === 1) {
      ctx.print.success(`Selected resource ${streams[0]}`);
      return { type: 'kinesis-analytics', resourceName: streams[0]! };
    }
    return {
      type: 'kinesis-analytics',
      resourceName: await ctx.prompt.select({
        message: 'Select an Analytics resource Kinesis stream to associate with',
        choices: streams.map((name) => ({ name, value: name })),
      }),
    };
  }
  const option = await ctx.prompt.select({
    message: 'Choose a DynamoDB event source option',
    choices: [
      { name: 'Use API category graphql @model backed DynamoDB table(s) in the current Amplify project', value: 'model' },
      { name: 'Use storage category DynamoDB table configured in the current Amplify project', value: 'storage' },
      { name: 'Provide the ARN of DynamoDB stream directly', value: 'arn' },
    ],
  });
  if (option === 'arn')
    return { type: 'dynamodb-arn', arn: await ctx.prompt.input({ message: 'Provide the ARN of DynamoDB stream directly', validate: arnCheck('dynamodb') }) };
  if (option === 'storage') {
    const tables = dynamoTables(ctx).map((t) => t.name);
    if (tables.length === 0) throw noTables();
    return {
      type: 'dynamodb-storage',
      resourceName: await ctx.prompt.select({ message: 'Choose a DynamoDB table', choices: tables.map((t) => ({ name: t, value: t })) }),
    };
  }
  const project = ctx.project();
  const api = appSyncApi(project);
  if (!api) throw new UserError('This project has no GraphQL API with @model types.', 'Add one with `forte add api`, or choose another event source.');
  const models = modelNames(project, api);
  if (models.length === 0) throw new UserError(`The API ${api} has no @model types.`, 'Add a @model type to its schema, or choose another event source.');
  const answer = await ctx.prompt.input({
    message: `Choose the graphql @model(s) (${models.join(', ')}; separate with commas)`,
    validate: (v) => {
      const chosen = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (chosen.length === 0) return 'Choose at least one model';
      const bad = chosen.filter((m) => !models.includes(m));
      return bad.length === 0 ? true : `Not a model of ${api}: ${bad.join(', ')}`;
    },
  });
  return {
    type: 'dynamodb-model',
    api,
    models: answer
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** A stream ARN: `arn:aws:kinesis:<region>:<account>:stream/<name>`, `arn:aws:dynamodb:<region>:<account>:table/<t>/stream/<label>`. */
export const STREAM_ARN = {
  kinesis: /^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+$/,
  dynamodb: /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]+\/stream\/[^/\s]+$/,
};
const arnCheck =
  (service: keyof typeof STREAM_ARN) =>
  (v: string): true | string =>
    STREAM_ARN[service].test(v)
      ? true
      : `Enter a ${service} stream ARN (${service === 'kinesis' ? 'arn:aws:kinesis:<region>:<account>:stream/<name>' : 'arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>'})`;

/** `forte add function`: Amplify's walkthrough. */
export async function addFunction(ctx: PluginContext): Promise<void> {
  const capability = await ctx.prompt.select({
    message: 'Select which capability you want to add:',
    choices: [
      { name: 'Lambda function (serverless function)', value: 'function' },
      { name: 'Lambda layer (shared code & resource used across functions)', value: 'layer' },
    ],
    default: 'function',
  });
  if (capability === 'layer') return addLayer(ctx);
  const name = await functionWalkthrough(ctx, {});
  printAdded(ctx, name);
}

/**
 * The Lambda function questions (name, runtime, template, advanced settings) and the new function's files;
 * returns its name. `expressPath`: the REST path the Serverless ExpressJS and CRUD templates route (the api
 * category's walkthrough passes it, as Amplify's passes `functionTemplate.parameters`).
 */
export async function functionWalkthrough(ctx: PluginContext, options: { expressPath?: string }): Promise<string> {
  const project = ctx.project();
  const name = await ctx.prompt.input({
    message: 'Provide an AWS Lambda function name:',
    default: defaultFunctionName(project),
    validate: (v) => (FUNCTION_NAME.test(v) ? true : 'You can use the following characters: a-z A-Z 0-9'),
  });
  await askRuntime(ctx);
  const template = (await ctx.prompt.select({
    message: 'Choose the function template that you want to use:',
    choices: FUNCTION_TEMPLATES.map((t) => ({ name: t.name, value: t.value })),
    default: 'hello-world',
  })) as FunctionTemplateName;
  let crudTable: ReturnType<typeof dynamoTables>[number] | undefined;
  let trigger: TriggerSource | undefined;
  if (template === 'crud') crudTable = await askCrudTable(ctx);
  if (template === 'trigger') trigger = await askTrigger(ctx);
  ctx.print.info('');
  ctx.print.info('Available advanced settings:');
  for (const s of [
    'Resource access permissions',
    'Scheduled recurring invocation',
    'Lambda layers configuration',
    'Environment variables configuration',
    'Secret values configuration',
  ])
    ctx.print.info(`- ${s}`);
  ctx.print.info('');
  let settings: FunctionSettings = { permissions: {}, layers: [], environmentVariables: {}, secrets: {} };
  if (await ctx.prompt.confirm({ message: 'Do you want to configure advanced settings?', default: false }))
    settings = await askAdvancedSettings(ctx, name, settings);
  const spec: FunctionSpec = {
    ...settings,
    name,
    template,
    ...(crudTable ? { crudTable: crudTable.name } : {}),
    ...(trigger ? { trigger } : {}),
    ...(options.expressPath ? { expressPath: options.expressPath } : {}),
  };
  await createFunction(
    ctx,
    spec,
    crudTable ? { name: crudTable.table, partitionKey: crudTable.partitionKey, ...(crudTable.sortKey ? { sortKey: crudTable.sortKey } : {}) } : undefined,
  );
  if (ctx.openEditor && !ctx.prompt.yes && (await ctx.prompt.confirm({ message: 'Do you want to edit the local lambda function now?', default: false }))) {
    await ctx.openEditor(join(project.resourceDir('function', name), 'src', template === 'crud' || template === 'serverless' ? 'app.js' : 'index.js'));
  }
  return name;
}

export function printAdded(ctx: PluginContext, name: string): void {
  ctx.print.success(`Successfully added resource ${name} locally.`);
  ctx.print.info('');
  ctx.print.info('Next steps:');
  ctx.print.info(`Check out sample function code generated in <project-dir>/amplify/backend/function/${name}/src`);
  ctx.print.info('"forte function build" builds all of your functions currently in the project');
  ctx.print.info(`"forte function invoke ${name}" runs your function in the cloud with src/event.json`);
  ctx.print.info('"forte push" builds all of your local backend resources and provisions them in the cloud');
}
