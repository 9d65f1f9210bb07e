import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import {
  createApiGatewayService,
  createCognitoIdpService,
  createDynamoDbService,
  createEventsService,
  createIamService,
  createLambdaService,
  createS3Service,
  OUTPUT_URL_REWRITES,
} from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { eventsOf, MINUTE, RECORDER, RULE, SCALE, SLOW_MACHINE, until } from './events-fixture.js';
import { clusterSkipReason, deployFunction, filledSdkCache, handlerOf, resourceContext, startCluster, type TestCloud, type TestCluster } from './index.js';

// What each instance of a cluster used to keep for itself (schedules, sign-in failures, transaction tokens),
// now in the shared database: two clouds in one process on one PostgreSQL schema and one NATS bus.
const skip = await clusterSkipReason();

/** The scheduled `time`s fired, each with the distinct event ids fired for it (a firing's retries share its id). */
function firings(events: Record<string, unknown>[]): Map<number, Set<string>> {
  const byTime = new Map<number, Set<string>>();
  for (const event of events) {
    const time = Date.parse(String(event.time));
    byTime.set(time, (byTime.get(time) ?? new Set()).add(String(event.id)));
  }
  return byTime;
}

void describe('a cluster of two instances: schedules', { skip }, () => {
  const origin = Date.now();
  const scheduleNow = (): number => origin + (Date.now() - origin) * SCALE;
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster([createIamService, createS3Service, createLambdaService, createEventsService], {
      lambda: { cacheDir: await filledSdkCache(), allowDownloads: false },
      events: { timeScale: SCALE, timeOrigin: origin },
    });
    // Through A only, after B started: B's timer learns of the rule from the bus.
    const arn = await deployFunction(cluster.a, { name: 'ticker', files: { 'index.js': RECORDER }, properties: SLOW_MACHINE });
    await handlerOf(cluster.a, RULE).create(
      { Name: 'ticker-rule', ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: arn, Id: 'ticker' }] },
      resourceContext(cluster.a, 'TickerRule'),
    );
  });
  after(async () => {
    await cluster?.close();
  });

  void it('fires rate(1 minute) once per period, though both instances run a timer for it', async () => {
    const events = await until(
      'four periods',
      () => eventsOf(cluster.b, 'ticker'),
      (e) => firings(e).size >= 4,
      30_000,
    );
    const fired = firings(events);
    for (const [time, ids] of fired) assert.equal(ids.size, 1, `${new Date(time).toISOString()} fired ${ids.size} times`);
    const times = [...fired.keys()].sort((x, y) => x - y);
    for (const t of times) assert.equal((t - times[0]!) % MINUTE, 0, 'each firing is at a whole period of the rate');
  });

  void it('goes on firing on B alone once A has stopped: B armed its own timer for the rule A created', async () => {
    await cluster.a.close();
    const stopped = scheduleNow();
    const events = await until(
      'two periods fired by B',
      () => eventsOf(cluster.b, 'ticker'),
      (e) => [...firings(e).keys()].filter((t) => t > stopped).length >= 2,
      30_000,
    );
    for (const [time, ids] of firings(events)) assert.equal(ids.size, 1, `${new Date(time).toISOString()} fired ${ids.size} times`);
  });
});

void describe('a cluster of two instances: sign-in lockout', { skip }, () => {
  let cluster: TestCluster;
  let clientId = '';
  let poolId = '';
  const idp = (cloud: TestCloud): CognitoIdentityProviderClient =>
    new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const signIn = (cloud: TestCloud, username: string, password: string) =>
    idp(cloud).send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
    );
  const PASSWORD = 'Correct-Horse-9';
  before(async () => {
    cluster = await startCluster([createIamService, createCognitoIdpService]);
    const { a } = cluster;
    const pool = await handlerOf(a, AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'locks' }, resourceContext(a, 'UserPool', 'amplify-app1-dev-auth'));
    poolId = pool.physicalId;
    const client = await handlerOf(a, AUTH_RESOURCE_TYPES.userPoolClient).create(
      { UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      resourceContext(a, 'UserPoolClientWeb', 'amplify-app1-dev-auth'),
    );
    clientId = client.physicalId;
    for (const username of ['mallory-target', 'bystander']) {
      await idp(a).send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp(a).send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }
  });
  after(async () => {
    await cluster?.close();
  });

  void it('refuses on B, even with the right password, a user locked out by failed sign-ins through A', async () => {
    const { a, b } = cluster;
    assert.ok((await signIn(b, 'mallory-target', PASSWORD)).AuthenticationResult, 'B signs the user in before the lockout');
    for (let n = 1; n <= 5; n++)
      await assert.rejects(signIn(a, 'mallory-target', `Wrong-${n}-pass`), (e: Error) => e.message === 'Incorrect username or password.');
    await assert.rejects(
      signIn(b, 'mallory-target', PASSWORD),
      (e: Error) => e.name === 'NotAuthorizedException' && e.message === 'Password attempts exceeded',
    );
    await assert.rejects(signIn(a, 'mallory-target', PASSWORD), (e: Error) => e.message === 'Password attempts exceeded');
    assert.ok((await signIn(b, 'bystander', PASSWORD)).AuthenticationResult, 'another user is not locked');
  });
});

void describe('a cluster of two instances: TransactWriteItems ClientRequestToken', { skip }, () => {
  let cluster: TestCluster;
  const dynamo = (cloud: TestCloud): DynamoDBClient =>
    new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const add = (by: number): TransactWriteItem[] => [
    {
      Update: {
        TableName: 'counters',
        Key: { id: { S: 'c' } },
        UpdateExpression: 'ADD n :by',
        ExpressionAttributeValues: { ':by': { N: String(by) } },
      },
    },
  ];
  const count = async (cloud: TestCloud): Promise<string | undefined> =>
    (await dynamo(cloud).send(new GetItemCommand({ TableName: 'counters', Key: { id: { S: 'c' } }, ConsistentRead: true }))).Item?.n?.N;
  before(async () => {
    cluster = await startCluster([createIamService, createDynamoDbService]);
    await dynamo(cluster.a).send(
      new CreateTableCommand({
        TableName: 'counters',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cluster?.close();
  });

  void it('applies a token sent to A then B once, and refuses it on B with another request', async () => {
    const { a, b } = cluster;
    await dynamo(a).send(new TransactWriteItemsCommand({ TransactItems: add(1), ClientRequestToken: 'token-1' }));
    await dynamo(b).send(new TransactWriteItemsCommand({ TransactItems: add(1), ClientRequestToken: 'token-1' }));
    assert.equal(await count(b), '1', 'the repeat through B wrote nothing');
    await assert.rejects(
      dynamo(b).send(new TransactWriteItemsCommand({ TransactItems: add(5), ClientRequestToken: 'token-1' })),
      (e: Error) => e.name === 'IdempotentParameterMismatchException',
    );
    await Promise.all(
      [a, b, a, b].map((cloud) => dynamo(cloud).send(new TransactWriteItemsCommand({ TransactItems: add(10), ClientRequestToken: 'token-2' }))),
    );
    assert.equal(await count(a), '11', 'a token sent to both at once is applied once');
  });
});

void describe('a cluster of two instances: REST API output URLs', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster([createIamService, createS3Service, createLambdaService, createApiGatewayService], {
      lambda: { cacheDir: await filledSdkCache(), allowDownloads: false },
    });
  });
  after(async () => {
    await cluster?.close();
  });

  /** What B makes of a stack output holding the API's execute-api URL, once it settles on `expected` (within 2 s). */
  const rewrittenOnB = async (apiId: string, expected: string | undefined): Promise<string | undefined> => {
    const output = `https://${apiId}.execute-api.us-east-1.amazonaws.com/dev`;
    const rewrite = (): string | undefined => cluster.b.kernel.capability(OUTPUT_URL_REWRITES)[0]!(output);
    for (const deadline = Date.now() + 2000; rewrite() !== expected && Date.now() < deadline;) await sleep(10);
    return rewrite();
  };

  void it('rewrites on B the URL of a REST API created through A, and stops once A deleted it', async () => {
    const { a, b } = cluster;
    const handler = handlerOf(a, 'AWS::ApiGateway::RestApi');
    const ctx = resourceContext(a, 'RestApi', 'amplify-app1-dev-api');
    const api = await handler.create({ Name: 'rest', Body: { swagger: '2.0', info: { title: 'rest' }, paths: {} } }, ctx);
    const apiId = api.physicalId;
    const served = `${b.kernel.baseUrl()}/restapis/${apiId}/dev`;
    assert.equal(await rewrittenOnB(apiId, served), served);
    await handler.delete(apiId, {}, ctx);
    assert.equal(await rewrittenOnB(apiId, undefined), undefined, 'a deleted API is no longer rewritten');
  });
});
