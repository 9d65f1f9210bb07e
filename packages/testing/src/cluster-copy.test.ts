import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { AdminGetUserCommand, CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CLOUD_BIN } from './cloud-process.js';
import { makeTempDir } from './make-temp-dir.js';
import { dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';
import { createTestUsers } from './test-identity-pool.js';

// `forte-cloud copy`: a stopped embedded cloud's data into PostgreSQL, then a cloud on PostgreSQL serves it.
const server = await testPostgres();

function copy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLOUD_BIN, 'copy', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORTE_SECRET_KEY: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const clients = (cloud: TestCloud) => ({
  dynamodb: new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 }),
  ssm: new SSMClient({ endpoint: `${cloud.url}/ssm/`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 }),
  s3: new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 }),
  idp: new CognitoIdentityProviderClient({
    endpoint: `${cloud.url}/cognito-idp/`,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
  }),
});

void describe('forte-cloud copy (embedded data folder → PostgreSQL)', { skip: server.ok ? false : server.reason }, () => {
  void it("copies every service's data, sealed secrets included, into an empty database and refuses a database that holds tables", async () => {
    const dataDir = await makeTempDir('forte-copy');
    const database = postgresTestUrl();
    after(() => dropTestSchema(database));

    // Where the blobs go: another cloud's S3 (an S3-compatible store that is not the data folder).
    await using store = await startTestCloud({ database: 'sqlite' });
    await clients(store).s3.send(new CreateBucketCommand({ Bucket: 'copied-blobs' }));
    const blobs = `s3://${store.credentials.accessKeyId}:${encodeURIComponent(store.credentials.secretAccessKey)}@copied-blobs/forte?endpoint=${encodeURIComponent(`${store.url}/s3`)}&forcePathStyle=true&region=us-east-1`;

    const embedded = await startTestCloud({ dataDir, database: 'sqlite' });
    let pool: { userPoolId: string; clientId: string };
    try {
      const { dynamodb, ssm, s3 } = clients(embedded);
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.jpg', Body: Buffer.alloc(300_000, 7) }));
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'Notes',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await dynamodb.send(new PutItemCommand({ TableName: 'Notes', Item: { id: { S: 'n1' }, text: { S: 'kept' }, bytes: { B: Buffer.from([0, 1, 2]) } } }));
      await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 's3cr3t', Type: 'SecureString' }));
      pool = await createTestUsers(embedded, { alice: ['admins'] });
    } finally {
      await embedded.close();
    }

    const copied = await copy(['--data-dir', dataDir, '--to-database', database, '--to-blobs', blobs]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /^Copied \d+ rows of \d+ tables from .*forte\.db\.$/m);
    assert.match(copied.stdout, /^Copied [1-9]\d* blobs \(\d+ bytes\) from .*blobs\.$/m);

    const onPostgres = await startTestCloud({ dataDir, database, blobs });
    try {
      assert.equal(onPostgres.kernel.sql.dialect, 'postgres');
      const { dynamodb, ssm, idp, s3 } = clients(onPostgres);
      const photo = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.jpg' }));
      assert.deepEqual(Buffer.from(await photo.Body!.transformToByteArray()), Buffer.alloc(300_000, 7), 'the object body, from the copied blobs');
      const item = (await dynamodb.send(new GetItemCommand({ TableName: 'Notes', Key: { id: { S: 'n1' } } }))).Item;
      assert.equal(item?.['text']?.S, 'kept');
      assert.deepEqual([...(item?.['bytes']?.B ?? [])], [0, 1, 2]);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }))).Parameter?.Value, 's3cr3t');
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'alice' }))).UserStatus, 'CONFIRMED');
      // Her password hash and the pool's (sealed) signing key came along: she signs in on the new database.
      const signedIn = await idp.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-9' },
        }),
      );
      assert.match(signedIn.AuthenticationResult?.IdToken ?? '', /^ey/);
    } finally {
      await onPostgres.close();
    }

    const again = await copy(['--data-dir', dataDir, '--to-database', database]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds tables: copy into an empty database/);
  });
});
