import { mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ResourceContext, ResourceHandler } from '@forte/cloud';
import { RESOURCE_TYPES } from '@forte/protocol';
import { zipSync } from 'fflate';
import { makeTempDir } from './make-temp-dir.js';
import { startTestCloud, type TestCloud, type TestCloudOptions } from './start-test-cloud.js';

/** The Node.js runtime identifier of the node running the tests: the runtime needs no download for it. */
const NODE_MAJOR = process.versions.node.split('.')[0];
export const NODE_RUNTIME = `nodejs${NODE_MAJOR}.x`;
export const CODE_BUCKET = 'function-code';

/** The repository's node_modules (where @aws-sdk/* are installed for the tests). */
const repoNodeModules = (): string => {
  const pkg = createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb/package.json');
  return dirname(dirname(dirname(pkg)));
};

/**
 * A cache folder whose AWS SDK modules are already there for this Node.js major (linked to the repository's
 * node_modules), so a test function on it that uses @aws-sdk/* runs with downloads turned off, as on a machine that
 * installed them before.
 */
export async function filledSdkCache(): Promise<string> {
  const cacheDir = await makeTempDir('forte-fn-cache');
  const folder = join(cacheDir, 'aws-sdk', `node${NODE_MAJOR}`);
  await mkdir(folder, { recursive: true });
  await symlink(repoNodeModules(), join(folder, 'node_modules'));
  return cacheDir;
}

/** A cloud with the real function runtime, no downloads, and short Event retry delays. */
export async function startLambdaCloud(options: TestCloudOptions & { cacheDir?: string } = {}): Promise<TestCloud> {
  const { cacheDir, lambda, ...rest } = options;
  return startTestCloud({
    ...rest,
    lambda: { cacheDir: cacheDir ?? (await filledSdkCache()), allowDownloads: false, eventRetryDelaysSeconds: [0.2, 0.2], ...lambda },
  });
}

const ZIP_TIME = new Date('2026-01-01T00:00:00Z');

export const zipOf = (files: Record<string, string>): Buffer =>
  // A fixed time: the same files make the same zip (the same code sha256) whenever they are zipped.
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, Buffer.from(text)])), { mtime: ZIP_TIME }));

/** A resource handler's context for a resource of app `app1`, environment `dev`, in the stack `stackName`. */
export const resourceContext = (cloud: TestCloud, logicalId: string, stackName = 'amplify-app1-dev-function'): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName,
  logicalId,
  region: cloud.kernel.config.region,
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

export const handlerOf = (cloud: TestCloud, type: string): ResourceHandler => {
  const handler = cloud.kernel.resourceHandler(type);
  if (!handler) throw new Error(`no handler for ${type}`);
  return handler;
};

export const lambdaClient = (cloud: TestCloud, credentials = cloud.credentials): LambdaClient =>
  new LambdaClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials, maxAttempts: 1 });

/** Uploads a zip to the code bucket (made on first use) and answers its key. */
export async function uploadCode(cloud: TestCloud, key: string, body: Buffer): Promise<string> {
  await handlerOf(cloud, RESOURCE_TYPES.bucket).create({ BucketName: CODE_BUCKET }, resourceContext(cloud, 'DeploymentBucket'));
  const s3 = new S3Client({
    endpoint: `${cloud.url}/s3`,
    forcePathStyle: true,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  await s3.send(new PutObjectCommand({ Bucket: CODE_BUCKET, Key: key, Body: body }));
  s3.destroy();
  return key;
}

/** Lambda's trust policy: the role may be assumed by lambda.amazonaws.com. */
export const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** An execution role (Forte::IAM::Role) with these statements; answers its ARN. */
export async function deployRole(cloud: TestCloud, name: string, statements: unknown[] = [], trust: unknown = LAMBDA_TRUST): Promise<string> {
  const result = await handlerOf(cloud, RESOURCE_TYPES.role).create(
    {
      RoleName: name,
      AssumeRolePolicyDocument: trust,
      Policies: statements.length > 0 ? [{ PolicyName: 'fn', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] : [],
    },
    resourceContext(cloud, `${name}Role`),
  );
  return String(result.attributes.Arn);
}

/** Deploys `files` as function `name` (AWS::Lambda::Function), its code in the code bucket; answers its ARN. */
export async function deployFunction(
  cloud: TestCloud,
  input: {
    name: string;
    files: Record<string, string>;
    handler?: string;
    role?: string;
    variables?: Record<string, string>;
    properties?: Record<string, unknown>;
  },
): Promise<string> {
  const key = await uploadCode(cloud, `${input.name}.zip`, zipOf(input.files));
  const result = await handlerOf(cloud, 'AWS::Lambda::Function').create(
    {
      FunctionName: input.name,
      Handler: input.handler ?? 'index.handler',
      Runtime: NODE_RUNTIME,
      Role: input.role ?? (await deployRole(cloud, `${input.name}-role`)),
      Code: { S3Bucket: CODE_BUCKET, S3Key: key },
      // Loading an AWS SDK client in a cold process can take seconds on a loaded machine.
      Timeout: 30,
      ...(input.variables ? { Environment: { Variables: input.variables } } : {}),
      ...input.properties,
    },
    resourceContext(cloud, input.name),
  );
  return String(result.attributes.Arn);
}
