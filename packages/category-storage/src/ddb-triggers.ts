import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendResource, type PluginContext, type Project } from '@forte/protocol';
import { CATEGORY, writeJson } from './ddb-inputs.js';
import { createFunctionThroughCategory } from './function-category.js';

type Json = Record<string, unknown>;
interface DependsOn {
  category: string;
  resourceName: string;
  attributes: string[];
}

/** What a trigger function depends on: the table's name, ARN and stream ARN (Amplify's `addTrigger`). */
const TRIGGER_ATTRIBUTES = ['Name', 'Arn', 'StreamArn'];
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

/** The function category's method that writes a new function from its "Lambda trigger" template. */
export const CREATE_TRIGGER_FUNCTION = 'createTriggerFunction';

const templatePath = (project: Project, fn: string): string => join(project.resourceDir('function', fn), `${fn}-cloudformation-template.json`);

function readTemplate(project: Project, fn: string): Json & { Parameters?: Json; Resources?: Json } {
  const file = templatePath(project, fn);
  if (!existsSync(file))
    throw new UserError(
      `Function ${fn} does not exist (no ${fn}-cloudformation-template.json).`,
      'Choose another function, or add it with `forte add function`.',
    );
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', { cause: error });
  }
}

/**
 * Makes `fn` a trigger of the table `table` as Amplify does: its template gets the parameters
 * `storage<table>Name/Arn/StreamArn`, a `<table>TriggerPolicy` (the stream read actions on the stream ARN) and a
 * `<table>Trigger` event source mapping (batch 100, LATEST); the function depends on the table's Name, Arn
 * and StreamArn in backend-config.json and amplify-meta.json.
 */
export function attachTrigger(project: Project, table: string, fn: string): void {
  const template = readTemplate(project, fn);
  const parameters = (template.Parameters ??= {});
  for (const attribute of TRIGGER_ATTRIBUTES) parameters[`storage${table}${attribute}`] = { Type: 'String', Default: `storage${table}${attribute}` };
  const resources = (template.Resources ??= {});
  const streamArn = { Ref: `storage${table}StreamArn` };
  resources[`${table}TriggerPolicy`] = {
    DependsOn: ['LambdaExecutionRole'],
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: `lambda-trigger-policy-${table}`,
      Roles: [{ Ref: 'LambdaExecutionRole' }],
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: STREAM_ACTIONS, Resource: [streamArn] }] },
    },
  };
  resources[`${table}Trigger`] = {
    Type: 'AWS::Lambda::EventSourceMapping',
    DependsOn: [`${table}TriggerPolicy`],
    Properties: {
      BatchSize: 100,
      Enabled: true,
      EventSourceArn: streamArn,
      FunctionName: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] },
      StartingPosition: 'LATEST',
    },
  };
  // Amplify writes the function's template back with four-space indents here.
  writeJson(templatePath(project, fn), template, 4);
  updateFunctionDependsOn(project, fn, (deps) => {
    const same = deps.find((d) => d.category === CATEGORY && d.resourceName === table);
    if (same) same.attributes = [...new Set([...same.attributes, ...TRIGGER_ATTRIBUTES])];
    else deps.push({ category: CATEGORY, resourceName: table, attributes: [...TRIGGER_ATTRIBUTES] });
    return deps;
  });
}

/** Undoes `attachTrigger`'s resources (Amplify's `removeTrigger`); the parameters and dependency stay, as in Amplify. */
export function detachTrigger(project: Project, table: string, fn: string): void {
  if (!existsSync(templatePath(project, fn))) return;
  const template = readTemplate(project, fn);
  const resources = template.Resources ?? {};
  delete resources[`${table}TriggerPolicy`];
  delete resources[`${table}Trigger`];
  writeJson(templatePath(project, fn), template, 4);
}

function updateFunctionDependsOn(project: Project, fn: string, change: (deps: DependsOn[]) => DependsOn[]): void {
  const backend = project.readBackendConfig();
  const entry = backend['function']?.[fn];
  if (!entry) throw new UserError(`Function ${fn} is not in amplify/backend/backend-config.json.`, 'Choose another function.');
  const deps = change(((entry.dependsOn ?? []) as DependsOn[]).map((d) => ({ ...d, attributes: [...d.attributes] })));
  backend['function']![fn] = { ...entry, dependsOn: deps } as BackendResource;
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const metaEntry = meta['function']?.[fn];
  if (metaEntry) {
    meta['function']![fn] = { ...metaEntry, dependsOn: deps.map((d) => ({ ...d })) };
    project.writeMeta(meta);
  }
}

/** Amplify's name for a new trigger function: `<table>Trigger<8 hex digits>`. */
export const newTriggerName = (table: string): string => `${table}Trigger${randomBytes(4).toString('hex')}`;

/**
 * Writes a new function from the function category's "Lambda trigger" template (through its plugin, as Amplify's
 * storage walkthrough goes through the function category) and makes it the table's trigger.
 */
export async function createTriggerFunction(ctx: PluginContext, table: string, name = newTriggerName(table)): Promise<string> {
  await createFunctionThroughCategory(ctx, CREATE_TRIGGER_FUNCTION, name);
  attachTrigger(ctx.project(), table, name);
  return name;
}
