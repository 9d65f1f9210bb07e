import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CONTROL_TARGET_PREFIX, SIGNING_SERVICE } from '@forte/protocol';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

// SDK clients given only the cloud's base URL (AWS_ENDPOINT_URL, as functions get it) call POST / with X-Amz-Target.
let cloud: TestCloud;
before(async () => {
  cloud = await startTestCloud();
});
after(() => cloud.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** POST `path` with these headers (Host included, which fetch cannot set), answered as sent back. */
function post(path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const url = new URL(cloud.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON-protocol call to `/`, signed with the admin keys for `service`. */
async function signedRootCall(target: string, service: string, input: unknown, extra: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(cloud.url);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
  const headers = { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...extra };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body });
  return post('/', signed.headers as Record<string, string>, body);
}

void describe('the cloud root endpoint for AWS JSON APIs', () => {
  void it('serves @aws-sdk/client-ssm and @aws-sdk/client-dynamodb configured with the base URL alone', async () => {
    const ssm = new SSMClient({ endpoint: cloud.url, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    await ssm.send(new PutParameterCommand({ Name: '/root/p', Value: 'v', Type: 'String' }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/root/p' }))).Parameter?.Value, 'v');
    assert.equal((await callFailure(ssm.send(new GetParameterCommand({ Name: '/root/none' })))).name, 'ParameterNotFound');

    const dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'root-table',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamodb.send(new PutItemCommand({ TableName: 'root-table', Item: { id: { S: 'a' }, n: { N: '1' } } }));
    assert.deepEqual((await dynamodb.send(new GetItemCommand({ TableName: 'root-table', Key: { id: { S: 'a' } } }))).Item, { id: { S: 'a' }, n: { N: '1' } });
  });

  void it('checks the signing service of the API the target names', async () => {
    const wrong = await signedRootCall('AmazonSSM.GetParameter', 'dynamodb', { Name: '/root/p' });
    assert.equal(wrong.status, 403);
    assert.match(wrong.body, /ssm/);
    const right = await signedRootCall('AmazonSSM.GetParameter', 'ssm', { Name: '/root/p' });
    assert.equal(right.status, 200, right.body);
  });

  void it('answers UnknownOperationException for a target no API of the cloud serves', async () => {
    for (const target of ['Firehose_20150804.PutRecord', 'NoDot', 'AmazonSSM.NoSuchOperation']) {
      const answer = await signedRootCall(target, 'ssm', {});
      assert.equal(answer.status, 400, target);
      assert.equal((JSON.parse(answer.body) as { __type: string }).__type, 'UnknownOperationException');
    }
  });

  void it("keeps the admin APIs' browser rule at /: no CORS headers for another origin", async () => {
    const answer = await signedRootCall(`${CONTROL_TARGET_PREFIX}ListApps`, SIGNING_SERVICE, {}, { origin: 'http://elsewhere.example' });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    const ssm = await signedRootCall('AmazonSSM.GetParameter', 'ssm', { Name: '/root/p' }, { origin: 'http://elsewhere.example' });
    assert.ok(ssm.headers['access-control-allow-origin'] !== undefined, 'the AWS APIs keep answering browsers');
  });

  void it('changes nothing for S3 virtual hosts, hosted sites and requests without a target', async () => {
    const port = new URL(cloud.url).port;
    for (const host of [`photos.s3.localhost:${port}`, `myapp-dev.localhost:${port}`, new URL(cloud.url).host]) {
      const without = await post('/', { host, 'content-type': 'application/x-amz-json-1.1' }, '{}');
      const withTarget = await post('/', { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' }, '{}');
      if (host === new URL(cloud.url).host) {
        // The cloud's own host: without a target nothing is served at /; with one, the API answers (unsigned: refused).
        assert.equal(without.status, 404);
        assert.equal(withTarget.status, 403);
        assert.equal((JSON.parse(withTarget.body) as { __type: string }).__type, 'MissingAuthenticationTokenException');
        continue;
      }
      assert.equal(withTarget.status, without.status, host);
      assert.equal(withTarget.headers['content-type'], without.headers['content-type'], host);
      assert.doesNotMatch(withTarget.body, /AmazonSSM|MissingAuthenticationToken/, host);
    }
  });
});
