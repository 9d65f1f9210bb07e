import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type BackendResource, type PluginContext, type Project } from '@forte/protocol';
import { PROVIDER_PLUGIN, lambdaFunctions, writeJson } from './ddb-inputs.js';

type Json = Record<string, unknown>;

/** Amplify's name for a new S3 trigger function: `S3Trigger<8 hex digits>`. */
export const newS3TriggerName = (): string => `S3Trigger${randomBytes(4).toString('hex')}`;

const envSuffixed = (name: string): Json => ({
  'Fn::If': ['ShouldNotCreateEnvResources', name, { 'Fn::Join': ['', [name, '-', { Ref: 'env' }]] }],
});

/**
 * The function template of Amplify's S3 trigger (`resources/triggers/s3/lambda-cloudformation-template.json.ejs`):
 * `index.handler` on nodejs22.x, 25 s, env `ENV` only, a role `<name>LambdaRole<id>`, the log policy; outputs Name,
 * Arn, Region and LambdaExecutionRole (the bucket's stack reads the last three). Its code comes from the push.
 */
export function s3TriggerFunctionTemplate(name: string, id: string): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Lambda resource stack creation using Amplify CLI',
    Parameters: { env: { Type: 'String' } },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
    Resources: {
      LambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:asset:path': './src', 'aws:asset:property': 'Code' },
        Properties: {
          Handler: 'index.handler',
          FunctionName: envSuffixed(name),
          Environment: { Variables: { ENV: { Ref: 'env' } } },
          Role: { 'Fn::GetAtt': ['LambdaExecutionRole', 'Arn'] },
          Runtime: 'nodejs22.x',
          Timeout: 25,
        },
      },
      LambdaExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: envSuffixed(`${name}LambdaRole${id}`),
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
          },
        },
      },
      lambdaexecutionpolicy: {
        DependsOn: ['LambdaExecutionRole'],
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'lambda-execution-policy',
          Roles: [{ Ref: 'LambdaExecutionRole' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: {
                  'Fn::Sub': [
                    'arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${lambda}:log-stream:*',
                    { region: { Ref: 'AWS::Region' }, account: { Ref: 'AWS::AccountId' }, lambda: { Ref: 'LambdaFunction' } },
                  ],
                },
              },
            ],
          },
        },
      },
    },
    Outputs: {
      Name: { Value: { Ref: 'LambdaFunction' } },
      Arn: { Value: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] } },
      Region: { Value: { Ref: 'AWS::Region' } },
      LambdaExecutionRole: { Value: { Ref: 'LambdaExecutionRole' } },
    },
  };
}

/** The handler of a new S3 trigger: logs the event and the bucket and key of its first record. */
const HANDLER = `exports.handler = async function (event) {
  console.log('Received S3 event:', JSON.stringify(event, null, 2));
  // Keys arrive URL-encoded, with spaces as '+', as S3 sends them.
  const record = event.Records[0].s3;
  const key = decodeURIComponent(record.object.key.replace(/\\+/g, ' '));
  console.log(\`Bucket: \${record.bucket.name}\`, \`Key: \${key}\`);
};
`;

/**
 * Writes a new trigger function as Amplify's storage category does (`createNewLambdaAndUpdateCFN`): its template,
 * `src/index.js`, `src/event.json` and `src/package.json`, and its backend-config / amplify-meta entry
 * (`service: Lambda`, `build: true`). Answers its name.
 */
export function createS3TriggerFunction(project: Project, name = newS3TriggerName()): string {
  if (!/^[a-zA-Z0-9]+$/.test(name)) throw new UserError(`${name} is not a function name.`, 'Function names use letters and digits only (a-z A-Z 0-9).');
  const backend = project.readBackendConfig();
  if (backend['function']?.[name] || existsSync(project.resourceDir('function', name)))
    throw new UserError(`A function named ${name} already exists.`, 'Choose it as an existing function, or another name.');
  const id = /^S3Trigger([0-9a-f]{8})$/.exec(name)?.[1] ?? randomBytes(4).toString('hex');
  const dir = project.resourceDir('function', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeJson(join(dir, `${name}-cloudformation-template.json`), s3TriggerFunctionTemplate(name, id));
  writeFileSync(join(dir, 'src', 'index.js'), HANDLER);
  writeJson(join(dir, 'src', 'event.json'), { key1: 'value1', key2: 'value2', key3: 'value3' });
  writeJson(join(dir, 'src', 'package.json'), {
    name,
    version: '2.0.0',
    description: 'Lambda function generated by Amplify',
    main: 'index.js',
    license: 'Apache-2.0',
  });
  const entry: BackendResource = { service: 'Lambda', providerPlugin: PROVIDER_PLUGIN, build: true };
  backend['function'] = { ...backend['function'], [name]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  meta['function'] = { ...meta['function'], [name]: { ...entry } };
  project.writeMeta(meta);
  return name;
}

/** Refuses a trigger function the project does not have, naming those it has. */
export function checkTriggerFunction(project: Project, fn: string): void {
  const functions = lambdaFunctions(project);
  if (!functions.includes(fn))
    throw new UserError(`The project has no function named ${fn}.`, `Choose one of: ${functions.join(', ') || 'none (add one with `forte add function`)'}.`);
}

/** Amplify's trigger question: an existing function (other than `exclude`), or a new one; with no function, a new one. */
export async function askTriggerFunction(ctx: PluginContext, exclude?: string): Promise<string> {
  const project = ctx.project();
  const functions = lambdaFunctions(project).filter((f) => f !== exclude);
  let fn: string;
  const kind =
    functions.length === 0
      ? 'new'
      : await ctx.prompt.select({
          message: 'Select from the following options',
          choices: [
            { name: 'Choose an existing function from the project', value: 'existing' },
            { name: 'Create a new function', value: 'new' },
          ],
        });
  if (kind === 'existing') {
    fn = await ctx.prompt.select({ message: 'Select from the following options', choices: functions.map((f) => ({ name: f, value: f })) });
  } else {
    fn = createS3TriggerFunction(project);
    ctx.print.success(`Successfully added resource ${fn} locally`);
    if (
      ctx.openEditor &&
      !ctx.prompt.yes &&
      (await ctx.prompt.confirm({ message: `Do you want to edit the local ${fn} lambda function now?`, default: false }))
    )
      await ctx.openEditor(join(project.resourceDir('function', fn), 'src', 'index.js'));
  }
  return fn;
}
