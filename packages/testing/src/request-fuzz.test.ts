import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import * as cognitoIdentity from '@aws-sdk/client-cognito-identity';
import * as cognitoIdp from '@aws-sdk/client-cognito-identity-provider';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { after, before, describe, it } from 'node:test';
import type { JsonApiDescription, ResourceContext } from '@forte/cloud';
import {
  AUTH_RESOURCE_TYPES,
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  RESOURCE_TYPES,
  SIGNING_SERVICE,
  hostingBlobBatchPath,
  hostingBlobPath,
} from '@forte/protocol';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

// Malformed input, table-driven over every operation the cloud registers: whatever a client sends is
// answered with the protocol's 4xx error (never a 5xx, never a dropped connection), and the cloud goes on
// serving. The JSON operations are enumerated from the routes themselves; their members from the AWS SDK's
// schemas where the SDK knows the operation, else from the member the empty request is refused for.

let cloud: TestCloud;
let api: DeployedTestApi;
let poolId: string;
let siteId: string;
let appId: string;
let identityPoolId: string;
let identityId: string;
let clientId: string;
const Bucket = 'fuzz';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  service?: string;
  query?: Record<string, string>;
}

/** Sends one request over its own connection, signed with the admin keys for `service` over the body as is. */
async function send(sent: Sent): Promise<Answer> {
  const url = new URL(cloud.url);
  const body = Buffer.from(sent.body ?? '');
  let headers: Record<string, string> = { host: url.host, 'content-length': String(body.length), ...sent.headers };
  if (sent.service !== undefined) {
    const signer = new SignatureV4({
      service: sent.service,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: sent.service !== 's3',
      applyChecksum: false,
    });
    const signed = await signer.sign({
      method: sent.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: sent.path,
      query: sent.query ?? {},
      headers,
      body,
    });
    headers = signed.headers as Record<string, string>;
  }
  const search = sent.query ? `?${new URLSearchParams(sent.query).toString()}` : '';
  return new Promise((resolve, reject) => {
    const req = request({ method: sent.method, host: url.hostname, port: url.port, path: sent.path + search, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', (error) => reject(new Error(`${sent.method} ${sent.path}: the answer broke off: ${error.message}`)));
    });
    req.on('error', (error) => reject(new Error(`${sent.method} ${sent.path}${search}: no answer: ${error.message}`)));
    req.end(body);
  });
}

/** POSTs `size` bytes to the first operation of `described` without a Content-Length (chunked), unsigned. */
async function streamedBody(described: JsonApiDescription, size: number): Promise<Answer> {
  const url = new URL(cloud.url);
  const headers = {
    'content-type': `application/x-amz-json-${described.jsonVersion}`,
    'x-amz-target': `${described.targetPrefix}${described.operations[0]!}`,
    'transfer-encoding': 'chunked',
  };
  return new Promise((resolve, reject) => {
    const req = request({ method: 'POST', host: url.hostname, port: url.port, path: described.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (error) => reject(new Error(`${described.path}: no answer to a streamed oversized body: ${error.message}`)));
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

async function assertServing(after: string): Promise<void> {
  const res = await fetch(`${cloud.url}/_forte/health`);
  assert.equal(res.status, 200, `the cloud still answers after ${after}`);
}

/** Failed checks of the running test, reported together so that one run lists every bad answer. */
const failures: string[] = [];

/** Runs `check` on each item, a few at a time, collecting what fails into `failures`. */
async function inBatches<T>(items: readonly T[], check: (item: T) => Promise<void>, width = 8): Promise<void> {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(
      items
        .slice(i, i + width)
        .map((item) => check(item).catch((error: unknown) => void failures.push(error instanceof Error ? error.message : String(error)))),
    );
  }
}

function assertNoFailures(): void {
  const found = failures.splice(0);
  assert.deepEqual(found, [], `${found.length} bad answers:\n${found.join('\n')}`);
}

const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : { nested: deep(levels - 1), list: [levels] });

/** Values put in place of one member: every JSON type, empty and nested shapes, a deep object. */
const MEMBER_VALUES: unknown[] = [
  null,
  7,
  -1,
  1.5,
  1e300,
  'text',
  '',
  true,
  [],
  [null],
  [7],
  [{}],
  {},
  { x: null },
  { x: [null] },
  { x: [{ y: null }] },
  deep(40),
];
/** Whole bodies that are not a JSON object, or not JSON at all. */
const BAD_BODIES = ['not json', '{"TableName":', '{"a":1}}', '[]', '[{}]', '42', '"text"', 'null', 'true', '\u0000\u00ff', '{"a":"\\ud800"}'];

/** The members of an AWS operation's input, from the SDK's schema of that operation (`<Operation>$`). */
function sdkMembers(operation: string, sdk: Record<string, unknown> | undefined): string[] | undefined {
  const schema = sdk?.[`${operation}$`];
  if (!Array.isArray(schema) || typeof schema[4] !== 'function') return undefined;
  const input = (schema[4] as () => unknown)();
  return Array.isArray(input) && Array.isArray(input[4]) ? (input[4] as string[]) : undefined;
}

const SDKS: Record<string, Record<string, unknown>> = {
  'DynamoDB_20120810.': dynamodb as unknown as Record<string, unknown>,
  'AWSCognitoIdentityProviderService.': cognitoIdp as unknown as Record<string, unknown>,
  'AWSCognitoIdentityService.': cognitoIdentity as unknown as Record<string, unknown>,
};

/** Nested shapes a top-level mutation cannot reach: members of list elements and map values. */
const NESTED: Record<string, unknown[]> = {
  BatchWriteItem: [
    { RequestItems: { t: [{ PutRequest: null }] } },
    { RequestItems: { t: [{ DeleteRequest: null }] } },
    { RequestItems: { t: [{ PutRequest: 'x' }] } },
    { RequestItems: { t: [{ PutRequest: { Item: null } }] } },
    { RequestItems: { t: [{ PutRequest: { Item: { a: null } } }] } },
    { RequestItems: { t: [{ PutRequest: { Item: { a: { S: 7 } } } }] } },
    { RequestItems: { t: [{ PutRequest: null, DeleteRequest: { Key: { a: { S: 'x' } } } }] } },
    { RequestItems: { t: null } },
    { RequestItems: { t: [null] } },
  ],
  BatchGetItem: [
    { RequestItems: { t: null } },
    { RequestItems: { t: { Keys: [null] } } },
    { RequestItems: { t: { Keys: [{ a: null }] } } },
    { RequestItems: { t: { Keys: 'x' } } },
  ],
  TransactWriteItems: [
    { TransactItems: [null] },
    { TransactItems: [{ Put: null }] },
    { TransactItems: [{ Put: 'x' }] },
    { TransactItems: [{ Update: { TableName: 't', Key: null } }] },
    { TransactItems: [{ Put: { TableName: 't', Item: { a: { N: 'x' } } } }] },
    { TransactItems: [{ Put: null, Delete: null }] },
  ],
  TransactGetItems: [{ TransactItems: [null] }, { TransactItems: [{ Get: null }] }, { TransactItems: [{ Get: { TableName: 't', Key: 'x' } }] }],
  PutItem: [
    { TableName: 't', Item: { a: null } },
    { TableName: 't', Item: { a: { S: null } } },
    { TableName: 't', Item: { a: { L: null } } },
    { TableName: 't', Item: { a: { M: [1] } } },
    { TableName: 't', Item: { a: { SS: [7] } } },
  ],
  Query: [
    { TableName: 't', KeyConditionExpression: 'a = :v', ExpressionAttributeValues: { ':v': null } },
    { TableName: 't', ExpressionAttributeNames: { '#a': null } },
  ],
  UpdateItem: [
    {
      TableName: 't',
      Key: { a: { S: 'x' } },
      UpdateExpression: 'SET #a = :v',
      ExpressionAttributeNames: { '#a': 'b' },
      ExpressionAttributeValues: { ':v': { S: null } },
    },
  ],
  CreateTable: [
    { TableName: 't', KeySchema: [null], AttributeDefinitions: [null] },
    { TableName: 't', KeySchema: [{ AttributeName: null, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] },
    {
      TableName: 't',
      KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [null],
    },
    {
      TableName: 't',
      KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'i', KeySchema: null, Projection: null }],
    },
  ],
};

const key = { pk: { S: 'a' }, sk: { N: '1' } };
/**
 * Valid requests to a table the test creates (`fuzzed`: pk string, sk number, index `gsi`): every path in each
 * is replaced in turn by each of NESTED_VALUES, so the checks deep in each operation are reached too.
 */
const VALID: Record<string, Record<string, unknown>> = {
  PutItem: {
    TableName: 'fuzzed',
    Item: { ...key, n: { N: '2' }, l: { L: [{ S: 'x' }, { M: { m: { BOOL: true } } }] }, ss: { SS: ['a', 'b'] } },
    ConditionExpression: 'attribute_not_exists(#p) OR #n < :v',
    ExpressionAttributeNames: { '#p': 'pk', '#n': 'n' },
    ExpressionAttributeValues: { ':v': { N: '5' } },
    ReturnValues: 'ALL_OLD',
  },
  GetItem: { TableName: 'fuzzed', Key: key, ProjectionExpression: '#n, l[0]', ExpressionAttributeNames: { '#n': 'n' }, ConsistentRead: true },
  UpdateItem: {
    TableName: 'fuzzed',
    Key: key,
    UpdateExpression: 'SET #n = #n + :one, l = list_append(l, :l) REMOVE x ADD ss :ss',
    ConditionExpression: 'size(l) < :max',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':one': { N: '1' }, ':l': { L: [{ S: 'y' }] }, ':ss': { SS: ['c'] }, ':max': { N: '10' } },
    ReturnValues: 'UPDATED_NEW',
  },
  DeleteItem: { TableName: 'fuzzed', Key: key, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' },
  Query: {
    TableName: 'fuzzed',
    IndexName: 'gsi',
    KeyConditionExpression: 'g = :g',
    FilterExpression: 'contains(ss, :s) AND begins_with(pk, :p)',
    ExpressionAttributeValues: { ':g': { S: 'g' }, ':p': { S: 'a' }, ':s': { S: 'a' } },
    Limit: 5,
    ScanIndexForward: false,
    ExclusiveStartKey: { ...key, g: { S: 'g' } },
    Select: 'ALL_ATTRIBUTES',
  },
  Scan: {
    TableName: 'fuzzed',
    FilterExpression: 'n BETWEEN :a AND :b',
    ExpressionAttributeValues: { ':a': { N: '1' }, ':b': { N: '9' } },
    Limit: 2,
    Segment: 0,
    TotalSegments: 2,
    ExclusiveStartKey: key,
  },
  BatchWriteItem: {
    RequestItems: { fuzzed: [{ PutRequest: { Item: { ...key, n: { N: '3' } } } }, { DeleteRequest: { Key: { pk: { S: 'b' }, sk: { N: '2' } } } }] },
  },
  BatchGetItem: { RequestItems: { fuzzed: { Keys: [key, { pk: { S: 'b' }, sk: { N: '2' } }], ProjectionExpression: 'pk, n', ConsistentRead: false } } },
  TransactWriteItems: {
    TransactItems: [
      { Put: { TableName: 'fuzzed', Item: { pk: { S: 'c' }, sk: { N: '1' } } } },
      { Update: { TableName: 'fuzzed', Key: key, UpdateExpression: 'SET n = :v', ExpressionAttributeValues: { ':v': { N: '4' } } } },
      { ConditionCheck: { TableName: 'fuzzed', Key: { pk: { S: 'd' }, sk: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Delete: { TableName: 'fuzzed', Key: { pk: { S: 'e' }, sk: { N: '1' } } } },
    ],
    ClientRequestToken: 'token',
  },
  TransactGetItems: { TransactItems: [{ Get: { TableName: 'fuzzed', Key: key, ProjectionExpression: 'n' } }] },
  CreateTable: {
    TableName: 'fuzzed-new',
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'gsi', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['n'] } },
    ],
    StreamSpecification: { StreamEnabled: false },
    Tags: [{ Key: 'k', Value: 'v' }],
  },
  UpdateTable: {
    TableName: 'fuzzed',
    AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }],
    GlobalSecondaryIndexUpdates: [
      { Create: { IndexName: 'hidx', KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } },
    ],
  },
  UpdateTimeToLive: { TableName: 'fuzzed', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } },
  ListTables: { Limit: 5, ExclusiveStartTableName: 'fuzzed' },
};
const POOL = 'us-east-1_fuzzpool';
/**
 * Valid user pool requests (the pool, its client and a confirmed user the test creates; the ids are
 * filled in by `withPool`), mutated like VALID.
 */
const VALID_USER_POOL: Record<string, Record<string, unknown>> = {
  SignUp: {
    ClientId: 'CLIENT',
    Username: 'new@example.com',
    Password: 'Passw0rd!',
    UserAttributes: [
      { Name: 'email', Value: 'new@example.com' },
      { Name: 'name', Value: 'N' },
    ],
    ValidationData: [{ Name: 'v', Value: 'w' }],
    ClientMetadata: { k: 'v' },
  },
  ConfirmSignUp: { ClientId: 'CLIENT', Username: 'new@example.com', ConfirmationCode: '123456', ForceAliasCreation: false },
  InitiateAuth: {
    ClientId: 'CLIENT',
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: 'user@example.com', PASSWORD: 'Passw0rd!' },
    ClientMetadata: { k: 'v' },
  },
  RespondToAuthChallenge: {
    ClientId: 'CLIENT',
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: 'session',
    ChallengeResponses: { USERNAME: 'user@example.com', NEW_PASSWORD: 'Passw0rd!2' },
  },
  ForgotPassword: { ClientId: 'CLIENT', Username: 'user@example.com' },
  ConfirmForgotPassword: { ClientId: 'CLIENT', Username: 'user@example.com', ConfirmationCode: '123456', Password: 'Passw0rd!' },
  ResendConfirmationCode: { ClientId: 'CLIENT', Username: 'new@example.com' },
  GetTokensFromRefreshToken: { ClientId: 'CLIENT', RefreshToken: 'token' },
  AdminCreateUser: {
    UserPoolId: POOL,
    Username: 'made@example.com',
    TemporaryPassword: 'Passw0rd!',
    UserAttributes: [{ Name: 'email', Value: 'made@example.com' }],
    MessageAction: 'SUPPRESS',
    DesiredDeliveryMediums: ['EMAIL'],
  },
  AdminUpdateUserAttributes: { UserPoolId: POOL, Username: 'user@example.com', UserAttributes: [{ Name: 'name', Value: 'U' }] },
  AdminSetUserPassword: { UserPoolId: POOL, Username: 'user@example.com', Password: 'Passw0rd!', Permanent: true },
  AdminGetUser: { UserPoolId: POOL, Username: 'user@example.com' },
  ListUsers: { UserPoolId: POOL, Limit: 5, Filter: 'email ^= "user"', AttributesToGet: ['email'] },
  CreateGroup: { UserPoolId: POOL, GroupName: 'g', Description: 'd', Precedence: 1 },
  AdminAddUserToGroup: { UserPoolId: POOL, Username: 'user@example.com', GroupName: 'g' },
  ListUsersInGroup: { UserPoolId: POOL, GroupName: 'g', Limit: 5 },
};

const HELLO_SHA = createHash('sha256').update('hello').digest('hex');
/** Valid hosting deploy requests to a site the test creates (`SITE` is replaced by its id), mutated like VALID. */
const VALID_HOSTING: Record<string, Record<string, unknown>> = {
  CreateDeployment: {
    siteId: 'SITE',
    files: [
      { path: 'index.html', sha256: HELLO_SHA, size: 5 },
      { path: 'a/b.css', sha256: HELLO_SHA, size: 5 },
    ],
  },
  StartDeployment: { siteId: 'SITE', deploymentId: 'deployment' },
  GetSite: { siteId: 'SITE' },
  ListDeployments: { siteId: 'SITE' },
};

/** Valid control requests for an app and environment the test creates (`APP` is replaced by its id), mutated like VALID. */
const VALID_CONTROL: Record<string, Record<string, unknown>> = {
  CreateChangeSet: {
    appId: 'APP',
    envName: 'dev',
    initiatedBy: 'fuzz',
    parameters: { env: 'dev' },
    template: {
      FormatVersion: 'forte-2026-01',
      Parameters: { env: { Type: 'String', Default: 'dev', AllowedValues: ['dev'] } },
      Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'env' }, 'dev'] } },
      Resources: {
        Files: { Type: 'Forte::S3::Bucket', Properties: { BucketName: { 'Fn::Join': ['-', ['fuzz', { Ref: 'env' }]] } } },
        Role: {
          Type: 'Forte::IAM::Role',
          Condition: 'IsDev',
          DependsOn: ['Files'],
          Properties: {
            RoleName: { 'Fn::Sub': 'fuzz-${env}' },
            Policies: [
              {
                PolicyName: 'p',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{ 'Fn::GetAtt': ['Files', 'Arn'] }] }],
                },
              },
            ],
          },
        },
      },
      Outputs: { Bucket: { Value: { Ref: 'Files' } }, Arn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    },
  },
  CreateEnvironment: { appId: 'APP', envName: 'test' },
  DescribeStackEvents: { appId: 'APP', envName: 'dev', afterSeq: 0 },
};

/** Valid identity pool requests (a guest-enabled pool and one guest identity the test creates), mutated like VALID. */
const VALID_IDENTITY_POOL: Record<string, Record<string, unknown>> = {
  GetId: { IdentityPoolId: 'IDPOOL', AccountId: '123456789012' },
  GetCredentialsForIdentity: { IdentityId: 'IDENTITY' },
  DescribeIdentity: { IdentityId: 'IDENTITY' },
  ListIdentities: { IdentityPoolId: 'IDPOOL', MaxResults: 5, HideDisabled: true },
  DescribeIdentityPool: { IdentityPoolId: 'IDPOOL' },
  GetIdentityPoolRoles: { IdentityPoolId: 'IDPOOL' },
};

/** What replaces one nested path of a valid request. */
const NESTED_VALUES: unknown[] = [null, 7, 'text', true, [], [null], {}, { x: null }];

/** `base` with one path (object member or list element, at any depth) replaced by each of `values`. */
function mutations(base: unknown, values: readonly unknown[]): unknown[] {
  if (typeof base !== 'object' || base === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(base) ? base.map((v, i) => [i, v]) : Object.entries(base);
  return entries.flatMap(([name, child]) => {
    const replaced = (value: unknown): unknown => (Array.isArray(base) ? base.map((v, i) => (i === name ? value : v)) : { ...base, [name]: value });
    return [...values.map(replaced), ...mutations(child, values).map(replaced)];
  });
}

/** The JSON APIs the cloud serves, read from its routes. */
function jsonApis(): JsonApiDescription[] {
  return [...cloud.kernel.rawRoutes, ...cloud.kernel.urlRoutes].flatMap((route) => (route.jsonApi ? [route.jsonApi] : []));
}

function assertJsonClientError(answer: Answer, what: string): void {
  assert.ok(answer.status < 500, `${what}: answered ${answer.status} ${answer.body}`);
  if (answer.status >= 400) {
    const parsed = JSON.parse(answer.body) as { __type?: unknown };
    assert.equal(typeof parsed.__type, 'string', `${what}: an AWS JSON error: ${answer.body}`);
  }
}

before(async () => {
  cloud = await startTestCloud({ logLevel: 'warn' });
  api = await deployTestApi(cloud, {
    schema: 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! title: String }',
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    name: 'fuzz',
  });
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'fuzz',
    appSlug: 'fuzz',
    envName: 'dev',
    stackName: 'amplify-fuzz-dev-auth',
    logicalId,
    region: cloud.credentials.region,
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const pool = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.userPool)!
    .create({ PoolName: 'fuzz', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }, ctx('UserPool'));
  poolId = pool.physicalId;
  clientId = (
    await cloud.kernel
      .resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!
      .create({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }, ctx('UserPoolClient'))
  ).physicalId;
  for (const [target, body] of [
    [
      'AdminCreateUser',
      { UserPoolId: poolId, Username: 'user@example.com', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'user@example.com' }] },
    ],
    ['AdminSetUserPassword', { UserPoolId: poolId, Username: 'user@example.com', Password: 'Passw0rd!', Permanent: true }],
    ['CreateGroup', { UserPoolId: poolId, GroupName: 'g' }],
  ] as const) {
    const made = await send({
      method: 'POST',
      path: '/cognito-idp/',
      service: 'cognito-idp',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
      body: JSON.stringify(body),
    });
    assert.equal(made.status, 200, made.body);
  }
  const guestRole = await cloud.kernel.resourceHandler(RESOURCE_TYPES.role)!.create(
    {
      RoleName: 'fuzz-guest',
      AssumeRolePolicyDocument: identityPoolTrust(),
      Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }],
    },
    ctx('GuestRole'),
  );
  const identityPool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!.create(
    {
      IdentityPoolName: 'fuzz_pool',
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: `cognito-idp.${cloud.credentials.region}.amazonaws.com/${poolId}`, ClientId: clientId }],
      Roles: { authenticated: String(guestRole.attributes.Arn), unauthenticated: String(guestRole.attributes.Arn) },
    },
    ctx('IdentityPool'),
  );
  identityPoolId = String(identityPool.attributes.IdentityPoolId);
  const guest = await send({
    method: 'POST',
    path: '/cognito-identity/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
    body: JSON.stringify({ IdentityPoolId: identityPoolId }),
  });
  assert.equal(guest.status, 200, guest.body);
  identityId = (JSON.parse(guest.body) as { IdentityId: string }).IdentityId;
  siteId = (await cloud.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!.create({ AppId: 'fuzz', EnvName: 'dev' }, ctx('Site'))).physicalId;
  const control = async (target: string, input: unknown): Promise<Answer> =>
    send({
      method: 'POST',
      path: CONTROL_PATH,
      service: SIGNING_SERVICE,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}${target}` },
      body: JSON.stringify(input),
    });
  const app = await control('CreateApp', { name: 'fuzzapp' });
  appId = (JSON.parse(app.body) as { app: { appId: string } }).app.appId;
  assert.equal((await control('CreateEnvironment', { appId, envName: 'dev' })).status, 200);
  const changeSet = await control('CreateChangeSet', { ...VALID_CONTROL.CreateChangeSet, appId });
  assert.equal(changeSet.status, 200, `the request the control mutations start from is valid: ${changeSet.body}`);
  const table = await send({
    method: 'POST',
    path: '/dynamodb/',
    service: 'dynamodb',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.CreateTable' },
    body: JSON.stringify({ ...VALID.CreateTable, TableName: 'fuzzed' }),
  });
  assert.equal(table.status, 200, table.body);
  const created = await send({ method: 'PUT', path: `/s3/${Bucket}`, service: 's3', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  assert.equal(created.status, 200, created.body);
});
after(() => cloud.close());

void describe('malformed requests to every operation', () => {
  void it('finds the JSON APIs and their operations on the routes', () => {
    const prefixes = jsonApis().map((described) => described.targetPrefix);
    for (const prefix of Object.keys(SDKS)) assert.ok(prefixes.includes(prefix), `${prefix} is served`);
    assert.ok(jsonApis().length >= 6, prefixes.join(' '));
  });

  void it('answers every JSON operation a 4xx for bodies and members of the wrong shape', async () => {
    for (const described of jsonApis()) {
      const contentType = `application/x-amz-json-${described.jsonVersion}`;
      const call = async (operation: string, body: string, headers: Record<string, string> = {}): Promise<Answer> =>
        send({
          method: 'POST',
          path: described.path,
          service: described.signingService,
          body,
          headers: { 'content-type': contentType, 'x-amz-target': `${described.targetPrefix}${operation}`, ...headers },
        });
      for (const operation of described.operations) {
        const what = (body: string): string => `${described.targetPrefix}${operation} ${body.slice(0, 1200)}`;
        let members = sdkMembers(operation, SDKS[described.targetPrefix]);
        if (!members) {
          // Forte's own APIs: the member the empty request is refused for (`member: message`).
          const refused = /^([A-Za-z]\w*)[.:]/.exec((JSON.parse((await call(operation, '{}')).body) as { message?: string }).message ?? '')?.[1];
          members = refused ? [refused] : [];
        }
        const bodies = [
          ...BAD_BODIES,
          ...members.flatMap((member) => MEMBER_VALUES.map((value) => JSON.stringify({ [member]: value }))),
          ...(NESTED[operation] ?? []).map((body) => JSON.stringify(body)),
          ...(described.targetPrefix === 'DynamoDB_20120810.' && VALID[operation]
            ? mutations(VALID[operation], NESTED_VALUES).map((body) => JSON.stringify(body))
            : []),
          ...(described.targetPrefix === 'AWSCognitoIdentityService.' && VALID_IDENTITY_POOL[operation]
            ? mutations(VALID_IDENTITY_POOL[operation], NESTED_VALUES).map((body) =>
                JSON.stringify(body).replaceAll('IDPOOL', identityPoolId).replaceAll('IDENTITY', identityId),
              )
            : []),
          ...(described.targetPrefix === 'ForteControl.' && VALID_CONTROL[operation]
            ? mutations(VALID_CONTROL[operation], NESTED_VALUES).map((body) => JSON.stringify(body).replaceAll('APP', appId))
            : []),
          ...(described.targetPrefix === 'ForteHosting.' && VALID_HOSTING[operation]
            ? mutations(VALID_HOSTING[operation], NESTED_VALUES).map((body) => JSON.stringify(body).replaceAll('SITE', siteId))
            : []),
          ...(described.targetPrefix === 'AWSCognitoIdentityProviderService.' && VALID_USER_POOL[operation]
            ? mutations(VALID_USER_POOL[operation], NESTED_VALUES).map((body) => JSON.stringify(body).replaceAll('CLIENT', clientId).replaceAll(POOL, poolId))
            : []),
        ];
        await inBatches(bodies, async (body) => assertJsonClientError(await call(operation, body), what(body)));
        await inBatches(['{}'], async (body) =>
          assertJsonClientError(await call(operation, body, { 'content-type': 'text/plain' }), `${what(body)} as text/plain`),
        );
        await assertServing(`${described.targetPrefix}${operation}`);
      }
      // A body over the limit is refused before it is read; one without a declared length once it passes the limit.
      const oversized = await call(described.operations[0]!, `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`);
      assert.equal(oversized.status, 413, oversized.body);
      const streamed = await streamedBody(described, 11 * 1024 * 1024);
      assert.equal(streamed.status, 413, `${described.targetPrefix}: a body without Content-Length past the limit: ${streamed.body}`);
      await assertServing(`an oversized ${described.targetPrefix} body`);
    }
    assertNoFailures();
  });

  void it('answers GraphQL POSTs of the wrong shape with a 4xx', async () => {
    const path = new URL(api.url).pathname;
    const valid = [
      {
        query: 'mutation Make($input: CreateNoteInput!, $condition: ModelNoteConditionInput) { createNote(input: $input, condition: $condition) { id title } }',
        operationName: 'Make',
        variables: { input: { id: 'n1', title: 't' }, condition: { title: { attributeExists: false } } },
      },
      {
        query:
          'query Find($filter: ModelNoteFilterInput, $limit: Int, $nextToken: String) { listNotes(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id } nextToken } }',
        variables: { filter: { or: [{ title: { beginsWith: 't' } }, { not: { id: { eq: 'x' } } }] }, limit: 5, nextToken: null },
      },
    ];
    const bodies = [
      ...BAD_BODIES,
      ...['query', 'variables', 'operationName', 'extensions'].flatMap((member) =>
        MEMBER_VALUES.map((value) => JSON.stringify({ query: '{ listNotes { items { id } } }', [member]: value })),
      ),
      ...valid.flatMap((request) => mutations(request, NESTED_VALUES).map((body) => JSON.stringify(body))),
    ];
    await inBatches(bodies, async (body) => {
      const answer = await send({ method: 'POST', path, body, headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey } });
      assert.ok(answer.status < 500, `GraphQL ${body.slice(0, 120)}: answered ${answer.status} ${answer.body}`);
    });
    await assertServing('GraphQL');
    assertNoFailures();
  });

  void it('answers S3 requests with malformed bodies, lengths, checksums, ranges and queries with S3 XML 4xx errors', async () => {
    const key = `/s3/${Bucket}/object`;
    const stored = await send({ method: 'PUT', path: key, service: 's3', body: 'stored body', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal(stored.status, 200, stored.body);
    const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const chunked = { ...unsigned, 'content-encoding': 'aws-chunked' };
    const cases: Sent[] = [
      // Bodies that do not match their framing or their checksums.
      ...['', 'x', 'zz\r\nab\r\n', '5\r\nab\r\n', '5\r\nhello', '5\r\nhelloXX0\r\n\r\n', 'ffffffffffffffff\r\nx', '-1\r\n\r\n', `${'9'.repeat(5000)}\r\n`].map(
        (body) => ({ method: 'PUT', path: key, body, headers: chunked }),
      ),
      { method: 'PUT', path: key, body: '5\r\nhello\r\n0\r\n\r\n', headers: { ...chunked, 'x-amz-decoded-content-length': 'many' } },
      { method: 'PUT', path: key, body: '5\r\nhello\r\n0\r\n\r\n', headers: { ...chunked, 'x-amz-decoded-content-length': '99999999999999999999' } },
      {
        method: 'PUT',
        path: key,
        body: '5\r\nhello\r\n0\r\n\r\n',
        headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked' },
      },
      {
        method: 'PUT',
        path: key,
        body: '5;chunk-signature=zz\r\nhello\r\n0;chunk-signature=zz\r\n\r\n',
        headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked' },
      },
      {
        method: 'PUT',
        path: key,
        body: '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:!!\r\n\r\n',
        headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-trailer': 'x-amz-checksum-crc32' },
      },
      ...['', '!!!', 'AAAAAA==', 'x'.repeat(1000)].flatMap((value) => [
        { method: 'PUT', path: key, body: 'hello', headers: { ...unsigned, 'x-amz-checksum-crc32': value } },
        { method: 'PUT', path: key, body: 'hello', headers: { ...unsigned, 'content-md5': value } },
        { method: 'PUT', path: key, body: 'hello', headers: { ...unsigned, 'x-amz-checksum-sha256': value, 'x-amz-sdk-checksum-algorithm': 'SHA256' } },
        { method: 'PUT', path: key, body: 'hello', headers: { 'x-amz-content-sha256': value } },
      ]),
      // Ranges and conditions.
      ...[
        'bytes=',
        'bytes=5-2',
        'bytes=-0',
        'bytes=99999999999999999999-',
        'bytes=0-1,3-4',
        'items=0-1',
        'bytes=a-b',
        `bytes=${'1'.repeat(400)}-`,
        'bytes=-99999999999999999999',
      ].map((range) => ({ method: 'GET', path: key, headers: { range } })),
      ...['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'].map((name) => ({
        method: 'GET',
        path: key,
        headers: { [name]: 'garbage' },
      })),
      // Query parameters.
      ...(
        [
          { 'list-type': '2', 'max-keys': '-1' },
          { 'list-type': '2', 'max-keys': 'many' },
          { 'list-type': '2', 'max-keys': '99999999999999999999' },
          { 'list-type': '2', 'continuation-token': '!!!' },
          { 'list-type': '2', 'start-after': 'x'.repeat(5000) },
          { 'list-type': '3' },
          { marker: '\u0000' },
          { 'encoding-type': 'bogus' },
          { delimiter: '' },
          { prefix: 'x'.repeat(5000) },
          { uploads: '', 'max-uploads': '-5' },
          { uploads: '', 'key-marker': 'k', 'upload-id-marker': '!!' },
        ] as Record<string, string>[]
      ).map((query) => ({ method: 'GET', path: `/s3/${Bucket}`, query })),
      ...(
        [
          { partNumber: '1' },
          { uploadId: 'nope', partNumber: '0' },
          { uploadId: 'nope', partNumber: '10001' },
          { uploadId: 'nope', partNumber: 'x' },
          { uploadId: '' },
        ] as Record<string, string>[]
      ).map((query) => ({ method: 'PUT', path: key, query, body: 'part', headers: unsigned })),
      ...(
        [{ uploadId: 'nope', 'max-parts': '-1' }, { uploadId: 'nope', 'part-number-marker': 'x' }, { partNumber: '99999999999' }, { versionId: 'x' }] as Record<
          string,
          string
        >[]
      ).map((query) => ({ method: 'GET', path: key, query })),
      // Bodies of the XML operations.
      ...[
        '',
        'not xml',
        '<Delete>',
        '<Delete><Object></Object></Delete>',
        '<Delete><Object><Key></Key></Object></Delete>',
        `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`,
        '<!DOCTYPE x [<!ENTITY a "b">]><Delete/>',
      ].map((body) => ({ method: 'POST', path: `/s3/${Bucket}`, query: { delete: '' }, body, headers: unsigned })),
      ...['', 'not xml', '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>'].map((body) => ({
        method: 'POST',
        path: key,
        query: { uploadId: 'nope' },
        body,
        headers: unsigned,
      })),
      ...['', 'not xml', '<CreateBucketConfiguration><LocationConstraint>nowhere</LocationConstraint></CreateBucketConfiguration>'].map((body) => ({
        method: 'PUT',
        path: '/s3/fuzz-created',
        body,
        headers: unsigned,
      })),
      // Copies from nowhere.
      ...['', '/', 'nobucket', `/${Bucket}`, `/${Bucket}/missing`, '%zz', `/${Bucket}/object?versionId=x`].map((source) => ({
        method: 'PUT',
        path: `/s3/${Bucket}/copy`,
        headers: { ...unsigned, 'x-amz-copy-source': source },
      })),
      // Methods and names S3 does not have.
      { method: 'PATCH', path: key },
      { method: 'POST', path: key },
      { method: 'PUT', path: '/s3/A_Bad_Bucket' },
      { method: 'GET', path: '/s3/%ff/x' },
    ];
    await inBatches(cases, async (sent) => {
      const answer = await send({ service: 's3', ...sent, headers: { ...unsigned, ...sent.headers } });
      const what = `S3 ${sent.method} ${sent.path} ${JSON.stringify(sent.query ?? {})} ${JSON.stringify(sent.headers ?? {}).slice(0, 200)} ${String(sent.body ?? '').slice(0, 60)}`;
      assert.ok(
        answer.status < 500 || (answer.status === 501 && answer.body.includes('<Code>NotImplemented</Code>')),
        `${what}: answered ${answer.status} ${answer.body}`,
      );
      if (answer.status >= 400 && sent.method !== 'HEAD') assert.match(answer.body, /<Error><Code>\w+<\/Code>/, what);
      if (sent.method === 'PUT' && sent.path === key) assert.ok(answer.status >= 400, `${what}: stored (every upload above is malformed)`);
    });
    await assertServing('S3');
    assertNoFailures();
    const kept = await send({ method: 'GET', path: key, service: 's3', headers: unsigned });
    assert.equal(kept.body, 'stored body', 'no malformed upload replaced the object');
  });

  void it('answers hosting blob uploads and batches that do not match their hashes or framing with a 4xx', async () => {
    const other = createHash('sha256').update('other').digest('hex');
    const cases: Sent[] = [
      { method: 'PUT', path: hostingBlobPath(siteId, HELLO_SHA), headers: { 'x-amz-content-sha256': HELLO_SHA }, body: 'not hello' },
      { method: 'PUT', path: hostingBlobPath(siteId, HELLO_SHA), headers: { 'x-amz-content-sha256': other }, body: 'hello' },
      { method: 'PUT', path: hostingBlobPath(siteId, 'f'.repeat(63)), headers: { 'x-amz-content-sha256': 'f'.repeat(63) }, body: 'hello' },
      { method: 'PUT', path: hostingBlobPath('no-such-site', HELLO_SHA), headers: { 'x-amz-content-sha256': HELLO_SHA }, body: 'hello' },
      ...[
        'garbage',
        `${HELLO_SHA} 5\n`,
        `${HELLO_SHA} 5\nhel`,
        `${HELLO_SHA} 5\nhelloX`,
        `${HELLO_SHA} 99999999999\nhello`,
        `${HELLO_SHA} -1\n`,
        `${other} 5\nhello`,
        `${HELLO_SHA}\nhello`,
        `${'z'.repeat(64)} 5\nhello`,
        `${HELLO_SHA} 5 \nhello`,
        '\n'.repeat(1000),
      ].map((body) => ({ method: 'POST', path: hostingBlobBatchPath(siteId), body })),
    ];
    await inBatches(cases, async (sent) => {
      const answer = await send({ service: SIGNING_SERVICE, ...sent });
      assertJsonClientError(answer, `${sent.method} ${sent.path} ${String(sent.body).slice(0, 80)}`);
      assert.ok(answer.status >= 400, `${sent.method} ${sent.path} ${String(sent.body).slice(0, 80)}: refused`);
    });
    await assertServing('hosting blob uploads');
    assertNoFailures();
  });

  void it('answers S3 uploads whose Content-Length does not match the body', async () => {
    const url = new URL(cloud.url);
    // A declared length longer than the body, then the client hangs up: nobody is left to answer, the cloud serves on.
    await new Promise<void>((resolve) => {
      const req = request({
        method: 'PUT',
        host: url.hostname,
        port: url.port,
        path: `/s3/${Bucket}/short`,
        headers: { 'content-length': '100', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write('only a few bytes', () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50),
      );
    });
    await assertServing('an upload cut short');
    const missing = await send({ method: 'GET', path: `/s3/${Bucket}/short`, service: 's3', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal(missing.status, 404, 'the cut upload stored nothing');
  });
});
