import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { deployFunction, startLambdaCloud } from './lambda-fixture.js';
import { makeTempDir } from './make-temp-dir.js';
import type { TestCloud } from './index.js';

// The handler's answer is chosen by the stored item's `mode`, and, as in AppSync's sample, by the mutation.
const HANDLER = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.writeFileSync(process.env.OUT, JSON.stringify(event));
  const existing = event.existingItem;
  const deleting = event.resolver.field.startsWith('delete');
  switch (existing.mode) {
    case 'accept':
      if (deleting) return { action: 'REMOVE' };
      // Replaces the stored item: 'mode' is left out, the version asked for is ignored.
      return {
        action: 'RESOLVE',
        item: { id: existing.id, name: existing.name + '+' + event.newItem.name, tags: [...existing.tags, 'resolved'], createdAt: existing.createdAt, updatedAt: event.newItem.updatedAt, _version: 99 },
      };
    case 'reject':
      return { action: 'REJECT' };
    case 'swapped':
      // What AppSync takes only about the other operation.
      return deleting ? { action: 'RESOLVE', item: existing } : { action: 'REMOVE' };
    case 'throw':
      throw new Error('the handler broke');
    case 'hang':
      await new Promise((resolve) => setTimeout(resolve, 60000));
      return { action: 'REJECT' };
    default:
      return { action: 'MAYBE', item: 'not an item' };
  }
};
`;

const SCHEMA = /* GraphQL */ `
  type Doc @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    mode: String
    tags: [String]
  }
`;
const FIELDS = 'id name mode tags createdAt updatedAt _version _lastChangedAt _deleted';

let cloud: TestCloud;
let api: DeployedTestApi;
let recorded: string;

interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ path: string[] | null; data: any; errorType: string | null; errorInfo: unknown; message: string }>;
}
async function gql(query: string, variables: Record<string, unknown>, target: DeployedTestApi = api): Promise<Answer> {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': target.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Answer;
}

// The documents DataStore's outbox sends (§2.1 of the sync protocol): `condition: null` on update and delete.
const createDoc = `mutation operation($input: CreateDocInput!){ createDoc(input: $input){ ${FIELDS} } }`;
const updateDoc = `mutation operation($input: UpdateDocInput!, $condition: ModelDocConditionInput){ updateDoc(input: $input, condition: $condition){ ${FIELDS} } }`;
const deleteDoc = `mutation operation($input: DeleteDocInput!, $condition: ModelDocConditionInput){ deleteDoc(input: $input, condition: $condition){ ${FIELDS} } }`;
const getDoc = async (id: string): Promise<any> => (await gql(`query ($id: ID!) { getDoc(id: $id) { ${FIELDS} } }`, { id })).data!.getDoc;

/** An item at version 2 (created, then edited elsewhere): a write naming version 1 is stale. */
async function itemAtVersion2(mode: string): Promise<any> {
  const id = randomUUID();
  const created = await gql(createDoc, { input: { id, name: 'first', mode, tags: ['a'] } });
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const edited = await gql(updateDoc, { input: { id, name: 'server', _version: 1 }, condition: null });
  assert.equal(edited.errors, undefined, JSON.stringify(edited.errors));
  return edited.data!.updateDoc;
}

/** The event the handler was invoked with by the last conflict, and forgets it. */
async function takeEvent(): Promise<any> {
  const event = JSON.parse(await readFile(recorded, 'utf8')) as unknown;
  await rm(recorded);
  return event;
}
const handlerRan = async (): Promise<boolean> => (await readFile(recorded, 'utf8').catch(() => undefined)) !== undefined;

function assertConflictError(answer: Answer, field: string, message: RegExp): void {
  assert.deepEqual(answer.data, { [field]: null });
  assert.equal(answer.errors?.length, 1);
  const [error] = answer.errors!;
  assert.deepEqual({ errorType: error!.errorType, data: error!.data, path: error!.path }, { errorType: 'ConflictError', data: null, path: [field] });
  assert.match(error!.message, message);
}

before(async () => {
  cloud = await startLambdaCloud();
  recorded = join(await makeTempDir('forte-conflict-event'), 'event.json');
  await deployFunction(cloud, { name: 'docConflicts-dev', files: { 'index.js': HANDLER }, variables: { OUT: recorded }, properties: { Timeout: 3 } });
  api = await deployTestApi(cloud, {
    name: 'lambdaconflicts',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: {
      project: { ConflictDetection: 'VERSION', ConflictHandler: 'LAMBDA', LambdaConflictHandler: { name: 'docConflicts-${env}' } },
    },
  });
});
after(() => cloud.close());

void describe('a LAMBDA conflict handler', () => {
  void it('is not asked about writes of the current version', async () => {
    const server = await itemAtVersion2('reject');
    const current = await gql(updateDoc, { input: { id: server.id, name: 'current', _version: 2 }, condition: null });
    assert.equal(current.errors, undefined, JSON.stringify(current.errors));
    assert.equal(current.data!.updateDoc._version, 3);
    assert.equal(await handlerRan(), false);
  });

  void it("is invoked with AppSync's event: newItem, existingItem, arguments, resolver and identity", async () => {
    const server = await itemAtVersion2('reject');
    const input = { id: server.id, name: 'client-edit', _version: 1 };
    await gql(updateDoc, { input, condition: null });
    const event = await takeEvent();
    assert.deepEqual(Object.keys(event).sort(), ['arguments', 'existingItem', 'identity', 'newItem', 'resolver']);
    assert.deepEqual(event.arguments, { input, condition: null });
    assert.deepEqual(event.resolver, { tableName: `Doc-${api.apiId}-dev`, awsRegion: 'us-east-1', parentType: 'Mutation', field: 'updateDoc' });
    assert.equal(event.identity, null, 'an API key caller');
    const { _deleted: _none, ...stored } = server as Record<string, unknown>;
    assert.deepEqual(event.existingItem, { ...stored, __typename: 'Doc' }, 'the stored item, version 2');
    assert.equal(event.newItem.name, 'client-edit', 'the item as the mutation would leave it');
    assert.equal(event.newItem.mode, 'reject');
    assert.equal(event.newItem._version, 2);
    assert.ok(event.newItem.updatedAt >= server.updatedAt);
  });

  void it("RESOLVE about an update: its item replaces the stored one (key and versions the server's) and is answered", async () => {
    const server = await itemAtVersion2('accept');
    const stale = await gql(updateDoc, { input: { id: server.id, name: 'client-edit', _version: 1 }, condition: null });
    assert.equal(stale.errors, undefined, JSON.stringify(stale.errors));
    const resolved = stale.data!.updateDoc;
    assert.deepEqual(
      {
        name: resolved.name,
        tags: resolved.tags,
        mode: resolved.mode,
        createdAt: resolved.createdAt,
        _version: resolved._version,
        _deleted: resolved._deleted,
      },
      { name: 'server+client-edit', tags: ['a', 'resolved'], mode: null, createdAt: server.createdAt, _version: 3, _deleted: null },
    );
    assert.ok(resolved._lastChangedAt >= server._lastChangedAt);
    assert.deepEqual(await getDoc(server.id), resolved);
    await takeEvent();
  });

  void it('REJECT: ConflictUnhandled with the server item, through the selection set; nothing changes (update and delete)', async () => {
    const server = await itemAtVersion2('reject');
    for (const [document, field, input] of [
      [updateDoc, 'updateDoc', { id: server.id, name: 'client-edit', _version: 1 }],
      [deleteDoc, 'deleteDoc', { id: server.id, _version: 1 }],
    ] as const) {
      const stale = await gql(document, { input, condition: null });
      assert.deepEqual(stale.data, { [field]: null });
      const [error] = stale.errors!;
      assert.deepEqual(
        { errorType: error!.errorType, message: error!.message, data: error!.data },
        { errorType: 'ConflictUnhandled', message: 'Conflict resolver rejects mutation.', data: server },
      );
      assert.deepEqual(await getDoc(server.id), server);
      await takeEvent();
    }
  });

  void it('REMOVE about a delete: the item is soft-deleted under a new version; the handler saw no new item', async () => {
    const server = await itemAtVersion2('accept');
    const deleted = await gql(deleteDoc, { input: { id: server.id, _version: 1 }, condition: null });
    assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
    assert.deepEqual({ ...deleted.data!.deleteDoc, _lastChangedAt: null }, { ...server, _deleted: true, _version: 3, _lastChangedAt: null });
    assert.equal((await getDoc(server.id))._deleted, true);
    const event = await takeEvent();
    assert.equal(event.newItem, null);
    assert.equal(event.resolver.field, 'deleteDoc');
  });

  void it('a handler that throws, answers garbage or times out: ConflictError, the field null, nothing written', async () => {
    for (const [mode, message] of [
      ['throw', /conflict handler docConflicts-dev failed: the handler broke/],
      [
        'garbage',
        /conflict handler docConflicts-dev answered .*MAYBE.* about updateDoc; about an update it must answer \{"action":"RESOLVE","item":\{\.\.\.\}\} or \{"action":"REJECT"\}/,
      ],
      ['swapped', /answered \{"action":"REMOVE"\} about updateDoc/],
      ['hang', /conflict handler docConflicts-dev failed: .*timed out/i],
    ] as const) {
      const server = await itemAtVersion2(mode);
      const stale = await gql(updateDoc, { input: { id: server.id, name: 'client-edit', _version: 1 }, condition: null });
      assertConflictError(stale, 'updateDoc', message);
      assert.deepEqual(await getDoc(server.id), server, `${mode}: unchanged`);
      await takeEvent();
    }
    const server = await itemAtVersion2('swapped');
    const stale = await gql(deleteDoc, { input: { id: server.id, _version: 1 }, condition: null });
    assertConflictError(
      stale,
      'deleteDoc',
      /answered \{"action":"RESOLVE".* about deleteDoc; about a delete it must answer \{"action":"REMOVE"\} or \{"action":"REJECT"\}/,
    );
    assert.deepEqual(await getDoc(server.id), server);
    await takeEvent();
  });
});

void describe('deploying a LAMBDA conflict handler', () => {
  void it('deploys with a warning naming the function and the fix when the function does not exist, as AppSync does; each conflict then answers ConflictError', async () => {
    const missing = await deployTestApi(cloud, {
      name: 'missinghandler',
      schema: SCHEMA,
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
      resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'LAMBDA', LambdaConflictHandler: { name: 'nowhere-${env}' } } },
    });
    assert.equal(missing.warnings.length, 1);
    assert.match(
      missing.warnings[0]!,
      /^Doc resolves conflicts with the function "nowhere-dev", which does not exist in this environment \(dev\): each conflict answers ConflictError until it does\. Add the function, or fix LambdaConflictHandler\.name/,
    );
    const id = randomUUID();
    assert.equal((await gql(createDoc, { input: { id, name: 'first', mode: 'accept', tags: [] } }, missing)).errors, undefined);
    assert.equal((await gql(updateDoc, { input: { id, name: 'server', _version: 1 }, condition: null }, missing)).errors, undefined);
    const stale = await gql(updateDoc, { input: { id, name: 'client', _version: 1 }, condition: null }, missing);
    assertConflictError(
      stale,
      'updateDoc',
      /^The conflict handler nowhere-dev could not be invoked: Function not found: arn:aws:lambda:us-east-1:\d{12}:function:nowhere-dev$/,
    );
    assert.equal((await gql(`query ($id: ID!) { getDoc(id: $id) { name _version } }`, { id }, missing)).data!.getDoc.name, 'server', 'unchanged');
  });
});
