import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CODE_BUCKET, deployFunction, deployRole, lambdaClient, startLambdaCloud, type TestCloud } from './index.js';

/** Writes and reads an item of the table it is asked for, with @aws-sdk/client-dynamodb and no configuration. */
const TABLE_FUNCTION = `const { DynamoDBClient, PutItemCommand, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  try {
    await client.send(new PutItemCommand({ TableName: event.table, Item: { id: { S: event.id }, by: { S: 'function' } } }));
    const out = await client.send(new GetItemCommand({ TableName: event.table, Key: { id: { S: event.id } } }));
    return { item: out.Item };
  } catch (error) {
    return { error: error.name };
  }
};`;

/** Writes and reads an object with @aws-sdk/client-s3 and no configuration. */
const BUCKET_FUNCTION = `const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({});
exports.handler = async (event) => {
  try {
    await s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: event.key, Body: 'from a function' }));
    const out = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }));
    return { body: await out.Body.transformToString() };
  } catch (error) {
    return { error: error.name };
  }
};`;

/** Answers the variables the cloud gave the function (a test of what the environment holds). */
const ENV_FUNCTION = `exports.handler = async () => ({ ...process.env });`;

const payloadOf = (out: { Payload?: Uint8Array }): Record<string, unknown> =>
  JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as Record<string, unknown>;

void describe("a function's credentials: its execution role, through every service's SigV4 check", () => {
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let roleArn: string;

  before(async () => {
    cloud = await startLambdaCloud({ lambda: { credentialsLifetimeSeconds: 6 } });
    lambda = lambdaClient(cloud);
    const dynamodb = new DynamoDBClient({
      endpoint: `${cloud.url}/dynamodb`,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    for (const TableName of ['Notes', 'Secrets'])
      await dynamodb.send(
        new CreateTableCommand({
          TableName,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    dynamodb.destroy();
    const account = cloud.kernel.config.accountId;
    roleArn = await deployRole(cloud, 'notes-role', [
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: `arn:aws:dynamodb:${cloud.kernel.config.region}:${account}:table/Notes` },
    ]);
    await deployFunction(cloud, { name: 'notes', files: { 'index.js': TABLE_FUNCTION }, role: roleArn });
    await deployFunction(cloud, { name: 'env', files: { 'index.js': ENV_FUNCTION }, role: roleArn, variables: { TABLE: 'Notes', AWS_REGION: 'not-this' } });
  });
  after(async () => {
    lambda.destroy();
    await cloud.close();
  });

  void it('reads and writes a table its role allows', async () => {
    const out = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'notes', Payload: JSON.stringify({ table: 'Notes', id: 'n1' }) })));
    assert.deepEqual(out, { item: { id: { S: 'n1' }, by: { S: 'function' } } });
    const admin = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    const stored = await admin.send(new GetItemCommand({ TableName: 'Notes', Key: { id: { S: 'n1' } } }));
    admin.destroy();
    assert.equal(stored.Item?.by?.S, 'function');
  });

  void it('is refused with AccessDeniedException for a table its role does not allow', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'notes', Payload: JSON.stringify({ table: 'Secrets', id: 's1' }) }));
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(payloadOf(out), { error: 'AccessDeniedException' });
  });

  void it("gives the function its role's temporary credentials, the region and the cloud's endpoints", async () => {
    const env = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    assert.match(env.AWS_ACCESS_KEY_ID ?? '', /^ASIA[A-Z0-9]{16}$/);
    assert.equal(env.AWS_SECRET_ACCESS_KEY?.length, 40);
    assert.ok((env.AWS_SESSION_TOKEN ?? '').length > 100);
    assert.equal(env.TABLE, 'Notes');
    assert.equal(env.AWS_REGION, cloud.kernel.config.region, 'the template cannot override a reserved variable');
    assert.equal(env.AWS_DEFAULT_REGION, cloud.kernel.config.region);
    assert.equal(env.AWS_ENDPOINT_URL, cloud.url);
    assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB, `${cloud.url}/dynamodb/`);
    assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS, `${cloud.url}/dynamodb-streams/`);
    assert.equal(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, `${cloud.url}/cognito-idp/`);
    assert.equal(env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, `${cloud.url}/logs/`);
    assert.equal(env.AWS_ENDPOINT_URL_S3, `${cloud.url}/s3`);
    assert.equal(env.AWS_ENDPOINT_URL_FORTE, undefined);

    const resolved = await cloud.lookupCredentials(env.AWS_ACCESS_KEY_ID!, env.AWS_SESSION_TOKEN);
    assert.equal(resolved?.secretAccessKey, env.AWS_SECRET_ACCESS_KEY);
    assert.equal(resolved?.principal.kind, 'role');
    assert.equal(resolved?.principal.kind === 'role' && resolved.principal.roleArn, roleArn);
    assert.equal(await cloud.lookupCredentials(env.AWS_ACCESS_KEY_ID!, 'another token'), undefined);
    // The secret is kept sealed in the database.
    const row = await cloud.kernel.sql.get<{ secret_key: string }>('SELECT secret_key FROM lambda_credentials WHERE access_key_id = ?', [
      env.AWS_ACCESS_KEY_ID,
    ]);
    assert.ok(row && !row.secret_key.includes(env.AWS_SECRET_ACCESS_KEY!));
  });

  void it('reaches S3 (path style under /s3) with its role: allowed prefix only', async () => {
    const bucketRole = await deployRole(cloud, 'bucket-role', [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${CODE_BUCKET}/public/*` },
    ]);
    await deployFunction(cloud, { name: 'files', files: { 'index.js': BUCKET_FUNCTION }, role: bucketRole });
    const allowed = payloadOf(
      await lambda.send(new InvokeCommand({ FunctionName: 'files', Payload: JSON.stringify({ bucket: CODE_BUCKET, key: 'public/a.txt' }) })),
    );
    assert.deepEqual(allowed, { body: 'from a function' });
    const denied = payloadOf(
      await lambda.send(new InvokeCommand({ FunctionName: 'files', Payload: JSON.stringify({ bucket: CODE_BUCKET, key: 'private/a.txt' }) })),
    );
    assert.deepEqual(denied, { error: 'AccessDenied' });
  });

  void it('gives a function new credentials when its role changes', async () => {
    const before = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    const otherRole = await deployRole(cloud, 'other-role');
    await deployFunction(cloud, { name: 'env', files: { 'index.js': ENV_FUNCTION }, role: otherRole, variables: { TABLE: 'Notes' } });
    const after = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    assert.notEqual(after.AWS_ACCESS_KEY_ID, before.AWS_ACCESS_KEY_ID);
    const resolved = await cloud.lookupCredentials(after.AWS_ACCESS_KEY_ID!, after.AWS_SESSION_TOKEN);
    assert.equal(resolved?.principal.kind === 'role' && resolved.principal.roleArn, otherRole);
  });

  void it('renews the credentials before they expire; expired ones are refused as expired', async () => {
    const first = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    await new Promise((resolve) => setTimeout(resolve, 6500));
    // Renewed by the cloud's timer (every 750 ms, those past half their life): a stalled machine may be late.
    let second = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    for (const until = Date.now() + 10_000; second.AWS_ACCESS_KEY_ID === first.AWS_ACCESS_KEY_ID && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      second = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'env' }))) as Record<string, string>;
    }
    assert.notEqual(second.AWS_ACCESS_KEY_ID, first.AWS_ACCESS_KEY_ID);
    const renewed = await cloud.lookupCredentials(second.AWS_ACCESS_KEY_ID!, second.AWS_SESSION_TOKEN);
    assert.equal(renewed?.principal.kind, 'role');
    await assert.rejects(cloud.lookupCredentials(first.AWS_ACCESS_KEY_ID!, first.AWS_SESSION_TOKEN), (error: Error) => {
      assert.match(error.message, /expired/);
      return true;
    });
    // And the renewed keys still work for the table.
    const out = payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'notes', Payload: JSON.stringify({ table: 'Notes', id: 'n2' }) })));
    assert.deepEqual(out, { item: { id: { S: 'n2' }, by: { S: 'function' } } });
  });
});
