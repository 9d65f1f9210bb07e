import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import {
  UserError,
  addResourceEntry,
  cognitoAuthResource,
  confirmRemoval,
  readIdentityPoolSettings,
  removeResourceEntry,
  type PluginContext,
  type Project,
  type Template,
} from '@forte/protocol';

const CATEGORY = 'analytics';
export const KINESIS_SERVICE = 'Kinesis';
/** The files Amplify writes for a Kinesis analytics resource. */
export const TEMPLATE_FILE = 'kinesis-cloudformation-template.json';
export const PARAMETERS_FILE = 'parameters.json';
/** Kinesis's shard limit per stream without a quota increase (on-demand streams aside). */
const MAX_SHARDS = 500;

type Json = Record<string, unknown>;
const ref = (name: string): Json => ({ Ref: name });
const streamArn = { 'Fn::GetAtt': ['KinesisStream', 'Arn'] };

/** The parameters.json of a stream: its name and shards, and the policies that let the app's roles put records. */
export interface KinesisParameters {
  kinesisStreamName: string;
  kinesisStreamShardCount: number;
  authRoleName: Json;
  unauthRoleName: Json;
  authPolicyName: string;
  unauthPolicyName: string;
}

function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * The stack of a Kinesis analytics resource, as Amplify's `kinesis-cloudformation-template.json`: the stream
 * `<name>-<env>` and the policies that let the identity pool's auth and guest roles put records into it.
 */
export function kinesisTemplate(): Template {
  const putPolicy = (name: string, role: string): { Type: string; Properties: Json } => ({
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: ref(name),
      Roles: [ref(role)],
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: streamArn }] },
    },
  });
  const createdOn = platform() === 'darwin' ? 'Mac' : platform() === 'win32' ? 'Windows' : 'Linux';
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: JSON.stringify({ createdOn, createdBy: 'Forte', createdWith: cliVersion(), stackType: 'analytics-Kinesis', metadata: {} }),
    Parameters: {
      env: { Type: 'String' },
      kinesisStreamName: { Type: 'String' },
      kinesisStreamShardCount: { Type: 'Number', Default: 1 },
      authPolicyName: { Type: 'String' },
      unauthPolicyName: { Type: 'String' },
      authRoleName: { Type: 'String' },
      unauthRoleName: { Type: 'String' },
    },
    Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [ref('env'), 'NONE'] } },
    Resources: {
      KinesisStream: {
        Type: 'AWS::Kinesis::Stream',
        Properties: { Name: { 'Fn::Join': ['-', [ref('kinesisStreamName'), ref('env')]] }, ShardCount: ref('kinesisStreamShardCount') },
      },
      CognitoUnauthPolicy: putPolicy('unauthPolicyName', 'unauthRoleName'),
      CognitoAuthPolicy: putPolicy('authPolicyName', 'authRoleName'),
    },
    Outputs: {
      kinesisStreamArn: { Value: streamArn },
      kinesisStreamId: { Value: ref('KinesisStream') },
      kinesisStreamShardCount: { Value: ref('kinesisStreamShardCount') },
    },
  };
}

/** The project's Kinesis analytics resources, by name. */
export const kinesisResources = (project: Project): string[] =>
  Object.entries(project.readBackendConfig()[CATEGORY] ?? {})
    .filter(([, entry]) => entry.service === KINESIS_SERVICE)
    .map(([name]) => name);

const readParameters = (project: Project, name: string): Partial<KinesisParameters> => {
  const file = join(project.resourceDir(CATEGORY, name), PARAMETERS_FILE);
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<KinesisParameters>) : {};
  } catch {
    return {};
  }
};

const writeFiles = (project: Project, parameters: KinesisParameters): void => {
  const dir = project.resourceDir(CATEGORY, parameters.kinesisStreamName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, TEMPLATE_FILE), `${JSON.stringify(kinesisTemplate(), null, 2)}\n`);
  writeFileSync(join(dir, PARAMETERS_FILE), `${JSON.stringify(parameters, null, 2)}\n`);
};

const askShards = (ctx: PluginContext, current: number): Promise<string> =>
  ctx.prompt.input({
    message: 'Enter a number of shards',
    default: String(current),
    validate: (value) =>
      /^\d+$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= MAX_SHARDS ? true : `Enter a whole number from 1 to ${MAX_SHARDS}`,
  });

/**
 * Amplify's `checkRequirements` for analytics (an identity pool that lets guests in): its users send events with
 * identity pool credentials. Amplify adds or changes the auth resource; Forte's categories do not edit another's
 * files, so it says what to change (no auth, no identity pool), or warns when guests cannot send events.
 */
async function checkAuth(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const auth = cognitoAuthResource(project);
  if (!auth)
    throw new UserError('Analytics needs auth (Amazon Cognito): apps send analytics events with identity pool credentials.', 'Run `forte add auth` first.');
  const pool = await readIdentityPoolSettings(ctx, auth);
  if (pool.identityPool === false)
    throw new UserError(
      `auth ${auth} has no identity pool, whose credentials apps send analytics events with.`,
      'Add one with `forte update auth` (user pool and identity pool), then add analytics again.',
    );
  if (pool.guests === false)
    ctx.print.warn(
      `Only signed-in users can send analytics events: the identity pool of auth ${auth} does not let guests in. Use \`forte update auth\` to change this.`,
    );
}

/** `forte add analytics`: Amplify's walkthrough, Amazon Kinesis Streams (one stream a project, as Amplify allows). */
export async function addKinesis(ctx: PluginContext): Promise<string> {
  const project = ctx.project();
  const provider = await ctx.prompt.select({
    message: 'Select an Analytics provider',
    choices: [
      { name: 'Amazon Pinpoint', value: 'Pinpoint' },
      { name: 'Amazon Kinesis Streams', value: KINESIS_SERVICE },
    ],
  });
  if (provider !== KINESIS_SERVICE)
    throw new UserError('Amazon Pinpoint analytics is not supported by Forte.', 'Choose Amazon Kinesis Streams (aws-amplify/analytics/kinesis).');
  const existing = kinesisResources(project);
  if (existing.length > 0)
    throw new UserError('Kinesis resource have already been added to your project.', `Run \`forte update analytics\` to change ${existing[0]}.`);
  const name = await ctx.prompt.input({
    message: 'Enter a Stream name',
    default: `${project.config.projectName.toLowerCase().replace(/[^a-z0-9]/g, '')}Kinesis`,
    validate: (value) => (/^[a-zA-Z0-9]+$/.test(value) ? true : 'Name is invalid. Has to be non-empty and alphanumeric'),
  });
  const shards = Number(await askShards(ctx, 1));
  const backend = project.readBackendConfig();
  if (backend[CATEGORY]?.[name]) throw new UserError(`Resource ${name} already exists in analytics category.`, 'Choose another name.');
  await checkAuth(ctx);
  const policy = `kinesis_amplify_${randomBytes(4).toString('hex')}`;
  writeFiles(project, {
    kinesisStreamName: name,
    kinesisStreamShardCount: shards,
    authRoleName: ref('AuthRoleName'),
    unauthRoleName: ref('UnauthRoleName'),
    authPolicyName: policy,
    unauthPolicyName: policy,
  });
  addResourceEntry(project, CATEGORY, name, { service: KINESIS_SERVICE, providerPlugin: 'awscloudformation' });
  return name;
}

/** The resource a command is about: named, the only one (said), or chosen. */
async function chooseResource(ctx: PluginContext, names: string[], question: string, command: string): Promise<string> {
  if (names.length === 0) throw new UserError(`No Kinesis streams resource to ${command}.`, 'Add one with `forte add analytics` (Amazon Kinesis Streams).');
  const given = ctx.input.subCommands[0];
  if (given !== undefined) {
    if (!names.includes(given)) throw new UserError(`The project has no Kinesis stream named ${given}.`, `Choose one of: ${names.join(', ')}.`);
    return given;
  }
  if (names.length === 1) {
    ctx.print.success(`Selected resource ${names[0]}`);
    return names[0]!;
  }
  return ctx.prompt.select({ message: question, choices: names.map((n) => ({ name: n, value: n })) });
}

/** `forte update analytics`: the stream's number of shards (its name is the resource's). */
export async function updateKinesis(ctx: PluginContext): Promise<string> {
  const project = ctx.project();
  const name = await chooseResource(ctx, kinesisResources(project), 'Please select the Kinesis stream you want to update', 'update');
  const current = readParameters(project, name);
  const shards = Number(await askShards(ctx, Number(current.kinesisStreamShardCount ?? 1) || 1));
  // The policy names stay: new ones would replace the policies for nothing.
  const policy = `kinesis_amplify_${randomBytes(4).toString('hex')}`;
  writeFiles(project, {
    kinesisStreamName: name,
    kinesisStreamShardCount: shards,
    authRoleName: current.authRoleName ?? ref('AuthRoleName'),
    unauthRoleName: current.unauthRoleName ?? ref('UnauthRoleName'),
    authPolicyName: current.authPolicyName ?? policy,
    unauthPolicyName: current.unauthPolicyName ?? policy,
  });
  return name;
}

/** `forte remove analytics`: the resource's files and entries, once confirmed (the push then deletes the stream). */
export async function removeKinesis(ctx: PluginContext): Promise<string | undefined> {
  const project = ctx.project();
  const name = await chooseResource(ctx, kinesisResources(project), 'Choose the resource you would want to remove', 'remove');
  if (!(await confirmRemoval(ctx, CATEGORY, name, 'Remove the dependency first (a trigger function on the stream: `forte remove function`).')))
    return undefined;
  rmSync(project.resourceDir(CATEGORY, name), { recursive: true, force: true });
  removeResourceEntry(project, CATEGORY, name);
  return name;
}
