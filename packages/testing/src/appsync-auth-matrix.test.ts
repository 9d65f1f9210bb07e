import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import type { GraphQLPlanModel } from '@forte/protocol';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestIdentityPool, createTestUsers } from './test-identity-pool.js';
import { startTestCloud, type TestCloud } from './index.js';

/**
 * The `@auth` policy as one table: for each rule kind, what the owner, another user, a group member and a
 * guest may do, over HTTP and on the realtime endpoint, each cell checked against a running cloud. The
 * expected outcomes are Amplify's (the auth transformer's resolvers and the role policies it grants).
 */

const SCHEMA = /* GraphQL */ `
  type OwnerOnly @model @auth(rules: [{ allow: owner }]) {
    id: ID!
    name: String
  }
  type AdminOnly @model @auth(rules: [{ allow: groups, groups: ["Admin"] }]) {
    id: ID!
    name: String
  }
  type TeamOnly @model @auth(rules: [{ allow: groups, groupsField: "team" }]) {
    id: ID!
    name: String
    team: String
  }
  type SignedInOnly @model @auth(rules: [{ allow: private }]) {
    id: ID!
    name: String
  }
  type KeyPublic @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
  }
  type GuestPublic @model @auth(rules: [{ allow: public, provider: iam }]) {
    id: ID!
    name: String
  }
  type IamSignedIn @model @auth(rules: [{ allow: private, provider: iam }]) {
    id: ID!
    name: String
  }
  type OwnerPublicRead @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
    id: ID!
    name: String
  }
`;

const ACTORS = ['owner', 'other', 'member', 'guest'] as const;
type Actor = (typeof ACTORS)[number];
const ACTOR_LABELS: Record<Actor, string> = { owner: 'owner', other: 'another user', member: 'group member', guest: 'guest' };
/** alice owns the items; the group rules only let members create, so she is in the groups they name, as carol is. */
const USERS = { owner: 'alice', other: 'bob', member: 'carol' } as const;
const GROUPS: Record<string, string[]> = { alice: ['Admin', 'red'], bob: [], carol: ['Admin', 'red'] };

const OPERATIONS = ['create', 'get', 'list', 'update', 'delete', 'onCreate'] as const;
type Operation = (typeof OPERATIONS)[number];

/**
 * `allowed`: the call answers the item (list: it is among the items; onCreate: the event is delivered).
 * `hidden`: the call succeeds without it (list: not among the items; onCreate: started, never delivered).
 * `refused`: an authorization error (`Unauthorized` in errors[], HTTP 401 UnauthorizedException, or an
 * `error` frame for the subscription's start).
 */
type Outcome = 'allowed' | 'hidden' | 'refused';
const Y: Outcome = 'allowed';
const H: Outcome = 'hidden';
const N: Outcome = 'refused';
const ALL = (o: Outcome): Outcome[] => OPERATIONS.map(() => o);

type Credential = { kind: 'token'; token: string } | { kind: 'apiKey' } | { kind: 'none' } | { kind: 'iam'; credentials: AwsCredentials };
type CredentialKind = Credential['kind'];
interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

interface RuleKind {
  directive: string;
  model: string;
  /** What the signed-in actors present: their user pool access token, or identity pool credentials of their sign-in. */
  signedIn: 'token' | 'iam';
  /** What the guest presents; each is tried, and all must agree. */
  guest: CredentialKind[];
  /** Who creates the items the other operations act on (public rules: the guest, as nobody signed in may). */
  creator: Actor;
  input: Record<string, unknown>;
  /** create, get, list, update, delete, onCreate. */
  expected: Record<Actor, Outcome[]>;
}

const RULES: RuleKind[] = [
  {
    directive: '{allow: owner}',
    model: 'OwnerOnly',
    signedIn: 'token',
    guest: ['apiKey', 'none'],
    creator: 'owner',
    input: {},
    //          create get list update delete onCreate
    expected: { owner: ALL(Y), other: [Y, N, H, N, N, H], member: [Y, N, H, N, N, H], guest: ALL(N) },
  },
  {
    directive: '{allow: groups, groups: ["Admin"]}',
    model: 'AdminOnly',
    signedIn: 'token',
    guest: ['apiKey', 'none'],
    creator: 'owner',
    input: {},
    expected: { owner: ALL(Y), other: ALL(N), member: ALL(Y), guest: ALL(N) },
  },
  {
    // Amplify refuses a caller without any group outright (no auth filter can be built), for list and listen too.
    directive: '{allow: groups, groupsField: "team"}',
    model: 'TeamOnly',
    signedIn: 'token',
    guest: ['apiKey', 'none'],
    creator: 'owner',
    input: { team: 'red' },
    expected: { owner: ALL(Y), other: ALL(N), member: ALL(Y), guest: ALL(N) },
  },
  {
    directive: '{allow: private}',
    model: 'SignedInOnly',
    signedIn: 'token',
    guest: ['apiKey', 'none'],
    creator: 'owner',
    input: {},
    expected: { owner: ALL(Y), other: ALL(Y), member: ALL(Y), guest: ALL(N) },
  },
  {
    directive: '{allow: public}',
    model: 'KeyPublic',
    signedIn: 'token',
    guest: ['apiKey'],
    creator: 'guest',
    input: {},
    expected: { owner: ALL(N), other: ALL(N), member: ALL(N), guest: ALL(Y) },
  },
  {
    // Only the unauthenticated role: signed-in identities are refused by the resolver, though their role may call the fields.
    directive: '{allow: public, provider: iam}',
    model: 'GuestPublic',
    signedIn: 'iam',
    guest: ['iam'],
    creator: 'guest',
    input: {},
    expected: { owner: ALL(N), other: ALL(N), member: ALL(N), guest: ALL(Y) },
  },
  {
    directive: '{allow: private, provider: iam}',
    model: 'IamSignedIn',
    signedIn: 'iam',
    guest: ['iam'],
    creator: 'owner',
    input: {},
    expected: { owner: ALL(Y), other: ALL(Y), member: ALL(Y), guest: ALL(N) },
  },
  {
    directive: '{allow: owner}, {allow: public, operations: [read]}',
    model: 'OwnerPublicRead',
    signedIn: 'token',
    guest: ['apiKey'],
    creator: 'owner',
    input: {},
    expected: { owner: ALL(Y), other: [Y, N, H, N, N, H], member: [Y, N, H, N, N, H], guest: [N, Y, Y, N, N, Y] },
  },
];

let cloud: TestCloud;
let api: DeployedTestApi;
const tokens: Record<string, string> = {};
const iamCredentials: Record<string, AwsCredentials> = {};
/** What each cell did: an Outcome, or a description of an answer that is none of them. */
const actual = new Map<string, string>();
const cellKey = (rule: RuleKind, actor: Actor, operation: Operation): string => `${rule.model}/${actor}/${operation}`;

const modelOf = (rule: RuleKind): GraphQLPlanModel => api.compiled.plan.models.find((m) => m.name === rule.model)!;
const fieldsOf = (rule: RuleKind): { get: string; list: string; create: string; update: string; delete: string; onCreate: string } => {
  const o = modelOf(rule).operations;
  return { get: o.get!, list: o.list!, create: o.create!, update: o.update!, delete: o.delete!, onCreate: o.onCreate![0]! };
};

/** The credentials an actor presents for a rule (the guest may have several). */
function credentialsOf(rule: RuleKind, actor: Actor): Credential[] {
  const kinds: CredentialKind[] = actor === 'guest' ? rule.guest : [rule.signedIn];
  return kinds.map((kind): Credential => {
    switch (kind) {
      case 'token':
        return { kind, token: tokens[USERS[actor as Exclude<Actor, 'guest'>]]! };
      case 'iam':
        return { kind, credentials: iamCredentials[actor === 'guest' ? 'guest' : USERS[actor]]! };
      case 'apiKey':
      case 'none':
        return { kind };
    }
  });
}

/** SigV4 headers for `POST <path>` with `body`, service `appsync`, as aws-amplify signs IAM requests. */
async function signedHeaders(credentials: AwsCredentials, path: string, body: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const url = new URL(api.url);
  const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { ...headers, host: url.host },
    body,
  });
  return signed.headers as Record<string, string>;
}

interface Answer {
  status: number;
  errorType: string | null;
  body: { data?: Record<string, any> | null; errors?: { errorType?: string; message?: string }[] };
}

async function graphql(credential: Credential, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credential.kind === 'token') headers.authorization = credential.token;
  if (credential.kind === 'apiKey') headers['x-api-key'] = api.apiKey;
  if (credential.kind === 'iam') {
    const { host: _host, ...signed } = await signedHeaders(credential.credentials, new URL(api.url).pathname, body, headers);
    headers = signed;
  }
  const res = await fetch(api.url, { method: 'POST', headers, body });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Answer['body'] };
}

const isRefusal = (answer: Answer, field: string): boolean =>
  answer.status === 401
    ? answer.errorType === 'UnauthorizedException'
    : answer.status === 200 && answer.body.data?.[field] == null && answer.body.errors?.[0]?.errorType === 'Unauthorized';

/** Classifies an answer; `found` says whether the field's value shows the item. */
function outcomeOf(answer: Answer, field: string, found: (value: any) => boolean): string {
  if (isRefusal(answer, field)) return N;
  const value = answer.body.data?.[field];
  if (answer.status === 200 && answer.body.errors === undefined && value != null) return found(value) ? Y : H;
  return `unexpected answer ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`;
}

/** One outcome from the guest's several credentials: theirs if they agree, else each named. */
const agreed = (outcomes: { kind: CredentialKind; outcome: string }[]): string =>
  outcomes.every((o) => o.outcome === outcomes[0]!.outcome) ? outcomes[0]!.outcome : outcomes.map((o) => `${o.kind}: ${o.outcome}`).join('; ');

const createDocument = (rule: RuleKind): string => `mutation ($input: Create${rule.model}Input!) { ${fieldsOf(rule).create}(input: $input) { id } }`;

/** Creates an item as the rule's creator; the matrix needs it, so a refusal here fails the whole run. */
async function seed(rule: RuleKind, name: string): Promise<string> {
  const answer = await graphql(credentialsOf(rule, rule.creator)[0]!, createDocument(rule), { input: { name, ...rule.input } });
  const id = answer.body.data?.[fieldsOf(rule).create]?.id as string | undefined;
  if (!id) throw new Error(`the ${ACTOR_LABELS[rule.creator]} could not create a ${rule.model}: ${JSON.stringify(answer.body)}`);
  return id;
}

/** create, get, list, update and delete for one actor and credential, on an item of its own (so cells never interfere). */
async function runHttpCell(rule: RuleKind, actor: Actor, credential: Credential): Promise<Record<Exclude<Operation, 'onCreate'>, string>> {
  const f = fieldsOf(rule);
  const created = await graphql(credential, createDocument(rule), { input: { name: `created by ${actor}`, ...rule.input } });
  const create = outcomeOf(created, f.create, (v) => typeof v.id === 'string');
  const id = await seed(rule, `for ${actor}`);
  const got = await graphql(credential, `query ($id: ID!) { ${f.get}(id: $id) { id } }`, { id });
  const listed = await graphql(credential, `query { ${f.list}(limit: 1000) { items { id } } }`, {});
  const updated = await graphql(credential, `mutation ($input: Update${rule.model}Input!) { ${f.update}(input: $input) { id } }`, {
    input: { id, name: `updated by ${actor}` },
  });
  const deleted = await graphql(credential, `mutation ($input: Delete${rule.model}Input!) { ${f.delete}(input: $input) { id } }`, { input: { id } });
  return {
    create,
    get: outcomeOf(got, f.get, (v) => v.id === id),
    list: outcomeOf(listed, f.list, (v) => (v.items as { id: string }[]).some((item) => item.id === id)),
    update: outcomeOf(updated, f.update, (v) => v.id === id),
    delete: outcomeOf(deleted, f.delete, (v) => v.id === id),
  };
}

async function runHttpCells(): Promise<void> {
  await Promise.all(
    RULES.flatMap((rule) =>
      ACTORS.map(async (actor) => {
        const runs = await Promise.all(
          credentialsOf(rule, actor).map(async (credential) => ({ kind: credential.kind, result: await runHttpCell(rule, actor, credential) })),
        );
        for (const operation of ['create', 'get', 'list', 'update', 'delete'] as const) {
          actual.set(cellKey(rule, actor, operation), agreed(runs.map((r) => ({ kind: r.kind, outcome: r.result[operation] }))));
        }
      }),
    ),
  );
}

interface Frame {
  type: string;
  id?: string;
  payload?: any;
}

/** One realtime socket (opened with the API key); every start carries its own authorization, as aws-amplify sends it. */
async function openRealtime(): Promise<{ socket: WebSocket; frames: Frame[]; until(done: () => boolean, ms: number): Promise<void> }> {
  const host = new URL(api.url).host;
  const header = Buffer.from(JSON.stringify({ host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey })).toString('base64url');
  const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}/realtime`, ['graphql-ws', `header-${header}`]);
  const frames: Frame[] = [];
  const wakers = new Set<() => void>();
  socket.on('message', (raw) => {
    frames.push(JSON.parse(String(raw)) as Frame);
    for (const wake of [...wakers]) wake();
  });
  /** Resolves when `done()` holds or `ms` have passed, whichever is first. */
  const until = (done: () => boolean, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        wakers.delete(check);
        resolve();
      };
      const check = (): void => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, ms);
      wakers.add(check);
      check();
    });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => frames.some((f) => f.type === 'connection_ack'), 5000);
  assert.ok(
    frames.some((f) => f.type === 'connection_ack'),
    `the realtime connection is acknowledged: ${JSON.stringify(frames)}`,
  );
  return { socket, frames, until };
}

async function startAuthorization(credential: Credential, data: string): Promise<Record<string, string>> {
  const host = new URL(api.url).host;
  switch (credential.kind) {
    case 'token':
      return { host, Authorization: credential.token };
    case 'apiKey':
      return { host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey };
    case 'none':
      return { host };
    case 'iam':
      return signedHeaders(credential.credentials, new URL(api.url).pathname, data, {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
      });
  }
}

/**
 * Starts onCreate for every actor of every rule, waits for each start's answer, has each rule's creator create
 * one item, and records who heard of it: the deliveries the matrix expects are awaited, then 500 ms more pass
 * for any it does not.
 */
async function runSubscriptionCells(): Promise<void> {
  const realtime = await openRealtime();
  const starts: { rule: RuleKind; actor: Actor; kind: CredentialKind; id: string }[] = [];
  for (const rule of RULES) {
    for (const actor of ACTORS) {
      for (const credential of credentialsOf(rule, actor)) {
        const id = `${rule.model}/${actor}/${credential.kind}`;
        const data = JSON.stringify({ query: `subscription { ${fieldsOf(rule).onCreate} { id } }`, variables: {} });
        realtime.socket.send(
          JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization: await startAuthorization(credential, data) } } }),
        );
        starts.push({ rule, actor, kind: credential.kind, id });
      }
    }
  }
  const answered = (id: string): Frame | undefined => realtime.frames.find((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
  await realtime.until(() => starts.every((s) => answered(s.id)), 5000);

  const items = new Map<string, string>();
  await Promise.all(RULES.map(async (rule) => items.set(rule.model, await seed(rule, 'announced'))));
  const delivered = (start: (typeof starts)[number]): boolean =>
    realtime.frames.some((f) => f.id === start.id && f.type === 'data' && f.payload?.data?.[fieldsOf(start.rule).onCreate]?.id === items.get(start.rule.model));
  const expectedDeliveries = starts.filter((s) => s.rule.expected[s.actor][OPERATIONS.indexOf('onCreate')] === Y);
  await realtime.until(() => expectedDeliveries.every(delivered), 5000);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const outcomeOfStart = (start: (typeof starts)[number]): string => {
    const answer = answered(start.id);
    if (!answer) return 'no answer to the start';
    if (answer.type === 'error') {
      const errorType = answer.payload?.errors?.[0]?.errorType as string | undefined;
      return errorType === 'UnauthorizedException' || errorType === 'Unauthorized' ? N : `unexpected error frame: ${JSON.stringify(answer.payload)}`;
    }
    return delivered(start) ? Y : H;
  };
  for (const rule of RULES) {
    for (const actor of ACTORS) {
      const mine = starts.filter((s) => s.rule === rule && s.actor === actor);
      actual.set(cellKey(rule, actor, 'onCreate'), agreed(mine.map((s) => ({ kind: s.kind, outcome: outcomeOfStart(s) }))));
    }
  }
  realtime.socket.close();
}

const SYMBOLS: Record<string, string> = { allowed: '✓', hidden: '–', refused: '✗' };

/** The matrix as a text table: ✓ allowed, – hidden, ✗ refused; a cell that differs from Amplify shows both. */
function printMatrix(): void {
  const header = ['rule', 'actor', ...OPERATIONS];
  const rows = RULES.flatMap((rule) =>
    ACTORS.map((actor) => [
      actor === 'owner' ? rule.directive : '',
      `${ACTOR_LABELS[actor]} (${credentialsOf(rule, actor)
        .map((c) => c.kind)
        .join('/')})`,
      ...OPERATIONS.map((operation, i) => {
        const got = actual.get(cellKey(rule, actor, operation)) ?? '?';
        const want = rule.expected[actor][i]!;
        return got === want ? SYMBOLS[got]! : `${SYMBOLS[got] ?? '?'} (want ${SYMBOLS[want]})`;
      }),
    ]),
  );
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(['@auth matrix (✓ allowed, – hidden: listed without it / event not delivered, ✗ refused)', line(header), ...rows.map(line)].join('\n'));
}

before(async () => {
  cloud = await startTestCloud();
  const users = await createTestUsers(cloud, GROUPS);
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    name: 'matrix',
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
    },
  });
  // What the api category grants the root stack's roles, as Amplify does: a public iam rule opens the model's
  // fields to both roles, a private one to the authenticated role.
  const grants = (models: string[]): string[] =>
    models.flatMap((name) => {
      const o = api.compiled.plan.models.find((m) => m.name === name)!.operations;
      const fields = [
        ['Query', o.get],
        ['Query', o.list],
        ['Mutation', o.create],
        ['Mutation', o.update],
        ['Mutation', o.delete],
        ...[...(o.onCreate ?? []), ...(o.onUpdate ?? []), ...(o.onDelete ?? [])].map((s) => ['Subscription', s]),
      ];
      return [`${api.arn}/types/${name}/*`, ...fields.map(([type, field]) => `${api.arn}/types/${type}/fields/${field}`)];
    });
  const identityPoolId = await createTestIdentityPool(
    cloud,
    users,
    { authenticated: grants(['GuestPublic', 'IamSignedIn']), unauthenticated: grants(['GuestPublic']) },
    { name: 'matrix' },
  );

  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  // GetId and GetCredentialsForIdentity are sent unsigned, as to AWS.
  const identity = new CognitoIdentityClient({
    endpoint: `${cloud.url}/cognito-identity/`,
    region: 'us-east-1',
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  const credentialsFor = async (logins?: Record<string, string>): Promise<AwsCredentials> => {
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, ...(logins ? { Logins: logins } : {}) }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, ...(logins ? { Logins: logins } : {}) }));
    return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };
  };
  for (const username of Object.values(USERS)) {
    const auth = await idp.send(
      new InitiateAuthCommand({
        ClientId: users.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
      }),
    );
    tokens[username] = auth.AuthenticationResult!.AccessToken!;
    iamCredentials[username] = await credentialsFor({ [users.providerName]: auth.AuthenticationResult!.IdToken! });
  }
  iamCredentials.guest = await credentialsFor();

  await runHttpCells();
  await runSubscriptionCells();
  printMatrix();
});
after(() => cloud.close());

for (const rule of RULES) {
  void describe(`@auth matrix: ${rule.directive} (${rule.model})`, () => {
    for (const actor of ACTORS) {
      OPERATIONS.forEach((operation, i) => {
        const expected = rule.expected[actor][i]!;
        void it(`${ACTOR_LABELS[actor]} · ${operation} · ${expected}`, () => {
          assert.equal(actual.get(cellKey(rule, actor, operation)), expected);
        });
      });
    }
  });
}
