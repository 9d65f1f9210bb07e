#!/usr/bin/env node
// DataStore sync benchmark (docs/benchmarks.md, "DataStore sync"). Loopback only, a temporary data folder.
//
// Set-up, through the cloud's own resource handlers (as a push does) in a fresh data folder: an API key
// GraphQL API whose schema comes from the transformer with DataStore conflict detection on (a project-wide
// ResolverConfig: VERSION, AUTOMERGE), so its model is versioned and has `syncNotes`; one note created through
// the createNote mutation and BENCH_ITEMS − 1 more (10,000 in all) written with BatchWriteItem in the shape of
// the created one (`_version`, `_lastChangedAt` included). Then the cloud runs as its own process on that folder
// and, in the same run, a bare node:http + better-sqlite3 server (this file, `bare` mode) reading the cloud's
// own SQLite file read-only and answering the same sync pages from it: the limit.
//
// Each sync is what DataStore sends (reference/datastore-sync.md §1.2): `query operation(...) { syncNotes(...) {
// items { <the model's fields> _version _lastChangedAt _deleted } nextToken startedAt } }` with limit 1000, page
// after page until `nextToken` is null, one connection (a keep-alive agent), each page parsed as the client does.
// 1. First sync: lastSync 0, every item.
// 2. Delta sync: 100 notes are updated through updateNote (after the first sync), then a sync with lastSync =
//    the first sync's startedAt (the last page's, which DataStore stores). The items each server answers are
//    counted and reported: a delta sync answers the 100 changes; a server that answers a full sync there
//    answers every item, and the figure says so.
// Before timing, both servers' first syncs are checked to answer the same items. Runs alternate between the
// servers; medians of BENCH_RUNS (default 5) per measure, ratios = medians of per-run bare time / cloud time
// (≥ 0.5 is the target: the cloud at most twice the bare server's time). Where `taskset` exists (BENCH_PIN=0
// turns it off) both servers run on core 0 and this client on core 1. BENCH_PROFILE=DIR: a CPU profile of the cloud.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const ENV = 'bench';
const LIMIT = 1000;
const SCHEMA = `
type Note @model @auth(rules: [{ allow: public }]) {
  id: ID!
  title: String!
  body: String
  done: Boolean
}
`;
/** The selection set DataStore builds for the model: its scalar fields in schema order, then the sync fields. */
const FIELDS = ['id', 'title', 'body', 'done', 'createdAt', 'updatedAt', '_version', '_lastChangedAt', '_deleted'];
const SYNC_QUERY = `query operation($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: ModelNoteFilterInput){
  syncNotes(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter){
    items { ${FIELDS.join(' ')} }
    nextToken
    startedAt
  }
}`;
const UPDATE_NOTE = `mutation operation($input: UpdateNoteInput!){ updateNote(input: $input){ ${FIELDS.join(' ')} } }`;
const CREATE_NOTE = `mutation operation($input: CreateNoteInput!){ createNote(input: $input){ ${FIELDS.join(' ')} } }`;

if (process.argv[2] === 'bare') await bareServer(process.argv.slice(3));
else await bench();

async function bench() {
  const { PIN, createResults, load, pin, startBare } = await import('./bench-kit.mjs');
  const { cpuMsOf, median, postJson, startCloud } = await import('./graphql-deploy.mjs');
  const RUNS = Number(process.env.BENCH_RUNS ?? 5);
  const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
  const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
  const results = createResults('datastore');
  const work = mkdtempSync(join(tmpdir(), 'forte-bench-datastore-'));
  const stops = [];
  try {
    const dataDir = join(work, 'cloud');
    let t0 = process.hrtime.bigint();
    const { apiId, apiKey, tableName } = await deploy(dataDir, ITEMS);
    results.record(`set-up: API, ${ITEMS} notes`, Number(process.hrtime.bigint() - t0) / 1e6, 'ms');

    const cloud = await startCloud(dataDir, process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
    stops.push(() => cloud.stop());
    const cloudUrl = `${cloud.url}/graphql/${apiId}`;
    const headers = { 'x-api-key': apiKey };
    const probe = await postJson(cloudUrl, headers, { query: SYNC_QUERY, variables: { limit: 1, nextToken: null, lastSync: 0, filter: null } });
    assert.equal(probe.status, 200, probe.text);
    const { connection: _c, 'keep-alive': _k, date: _d, 'content-length': _l, ...answerHeaders } = probe.headers;
    const bare = await startBare(fileURLToPath(import.meta.url), ['bare', join(dataDir, 'forte.db'), tableName, apiKey, JSON.stringify(answerHeaders)]);
    stops.push(bare.stop);
    const servers = { cloud: { url: cloudUrl, pid: cloud.pid }, bare: { url: `${bare.url}/graphql`, pid: bare.pid } };
    pin(cloud.pid, 0);
    pin(bare.pid, 0);
    if (PIN) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
    console.log(PIN ? 'servers on core 0, this client on core 1 (BENCH_PIN=0: unpinned)' : 'unpinned (no taskset, one core, or BENCH_PIN=0)');

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sync = (server, lastSync) => syncAll(agent, server.url, headers, lastSync);
    // Checks (and warm-up): both answer every item, the same items.
    const first = { cloud: await sync(servers.cloud, 0), bare: await sync(servers.bare, 0) };
    for (const [name, s] of Object.entries(first)) assert.equal(s.items.length, ITEMS, `${name}: the first sync answers every note`);
    const byId = (items) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(byId(first.bare.items), byId(first.cloud.items), 'bare: the same notes as the cloud');
    const lastSync = first.cloud.startedAt;
    console.log(
      `checked: ${ITEMS} notes in ${first.cloud.pages} pages (cloud) / ${first.bare.pages} (bare); the cloud's pages carried ${first.cloud.startedAts} startedAt value(s)`,
    );

    // The changes after the first sync, through the API (as other clients' mutations).
    t0 = process.hrtime.bigint();
    const changed = first.cloud.items.slice(0, CHANGES);
    for (const note of changed) {
      const r = await postJson(cloudUrl, headers, {
        query: UPDATE_NOTE,
        variables: { input: { id: note.id, title: `${note.title} (changed)`, _version: note._version } },
      });
      assert.equal(r.json.errors, undefined, r.text);
    }
    results.record(`set-up: ${CHANGES} updateNote mutations`, Number(process.hrtime.bigint() - t0) / 1e6, 'ms');
    const delta = { cloud: await sync(servers.cloud, lastSync), bare: await sync(servers.bare, lastSync) };
    assert.equal(delta.bare.items.length, CHANGES, 'bare: the delta sync answers the changes');
    const cloudById = new Map(delta.cloud.items.map((i) => [i.id, i]));
    for (const item of delta.bare.items) assert.deepEqual(cloudById.get(item.id), item, `cloud: the delta answers the change of ${item.id}`);
    const deltaKind = delta.cloud.items.length === CHANGES ? 'a delta sync' : `${delta.cloud.items.length} items: not a delta sync yet`;
    console.log(`delta with lastSync ${lastSync}: cloud ${delta.cloud.items.length} items (${delta.cloud.pages} pages), bare ${delta.bare.items.length}`);

    const rows = {};
    const push = (key, value) => (rows[key] ??= []).push(value);
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? ['bare', 'cloud'] : ['cloud', 'bare'];
      for (const [kind, since] of [
        ['full', 0],
        ['delta', lastSync],
      ]) {
        const timed = {};
        for (const name of order) {
          const cpu0 = cpuMsOf(servers[name].pid);
          const s = await sync(servers[name], since);
          timed[name] = { ...s, cpuMs: cpuMsOf(servers[name].pid) - cpu0 };
          push(`${kind}.${name}`, timed[name]);
        }
        push(`${kind}.ratio`, timed.bare.ms / timed.cloud.ms);
        // /proc counts CPU in 10 ms ticks: a sync that took none has no CPU ratio.
        if (timed.cloud.cpuMs > 0) push(`${kind}.cpuRatio`, timed.bare.cpuMs / timed.cloud.cpuMs);
      }
      console.log(
        `run ${run + 1}: full cloud ${rows['full.cloud'].at(-1).ms.toFixed(0)} / bare ${rows['full.bare'].at(-1).ms.toFixed(0)} ms; ` +
          `delta cloud ${rows['delta.cloud'].at(-1).ms.toFixed(1)} / bare ${rows['delta.bare'].at(-1).ms.toFixed(1)} ms`,
      );
    }
    agent.destroy();

    const note = `(one client, pages of ${LIMIT}, median of ${RUNS}${PIN ? ', servers on core 0, client on core 1' : ', unpinned'}; load ${load()})`;
    for (const [kind, label] of [
      ['full', `first sync of ${ITEMS} notes`],
      ['delta', `delta sync after ${CHANGES} changes`],
    ]) {
      const stat = (name, field) => median(rows[`${kind}.${name}`].map((r) => r[field]));
      for (const [name, who] of [
        ['bare', 'bare node:http + better-sqlite3'],
        ['cloud', 'cloud'],
      ]) {
        results.record(
          `${label}: ${who} (ms)`,
          stat(name, 'ms'),
          'ms',
          '',
          `${stat(name, 'count')} items in ${stat(name, 'pages')} page(s), ${stat(name, 'cpuMs').toFixed(0)} CPU ms`,
        );
      }
      results.record(
        `${label}: bare time / cloud time`,
        median(rows[`${kind}.ratio`]),
        'ratio',
        '≥ 0.50',
        kind === 'delta' ? `${note}; the cloud answered ${deltaKind}` : note,
      );
      if (rows[`${kind}.cpuRatio`])
        results.record(
          `${label}: bare CPU / cloud CPU`,
          median(rows[`${kind}.cpuRatio`]),
          'ratio',
          '',
          "(the servers' CPU from /proc in 10 ms ticks; less sensitive to what else runs)",
        );
    }
    results.record(`delta sync: items the cloud answered (${CHANGES} changed)`, median(rows['delta.cloud'].map((r) => r.count)), 'items', String(CHANGES));
  } finally {
    for (const stop of stops.reverse()) await stop();
    results.write();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A whole sync as DataStore runs it: pages of LIMIT until `nextToken` is null; its items, pages, time and startedAt. */
async function syncAll(agent, url, headers, lastSync) {
  const items = [];
  const startedAts = new Set();
  let nextToken = null;
  let pages = 0;
  let startedAt;
  const t0 = process.hrtime.bigint();
  do {
    const text = await post(agent, url, headers, { query: SYNC_QUERY, variables: { limit: LIMIT, nextToken, lastSync, filter: null } });
    const body = JSON.parse(text);
    if (body.errors || !body.data?.syncNotes) throw new Error(`${url} answered: ${text.slice(0, 500)}`);
    const page = body.data.syncNotes;
    items.push(...page.items);
    nextToken = page.nextToken;
    startedAt = page.startedAt;
    startedAts.add(startedAt);
    pages++;
  } while (nextToken !== null);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { items, count: items.length, pages, ms, startedAt, startedAts: startedAts.size };
}

function post(agent, url, headers, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Through `createCloud()` from dist in this process: the API (API key), its tables and schema, and the notes:
 * one created with createNote, the rest written with BatchWriteItem in its stored shape.
 */
async function deploy(dataDir, count) {
  const { randomUUID } = await import('node:crypto');
  const { createCloud } = await import(join(root, 'packages/cloud/dist/server.js'));
  const { transform } = await import(join(root, 'packages/graphql-transformer/dist/index.js'));
  const { APPSYNC_RESOURCE_TYPES, DYNAMODB_RESOURCE_TYPES } = await import(join(root, 'packages/protocol/dist/index.js'));
  const { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { postJson } = await import('./graphql-deploy.mjs');
  const cloud = await createCloud({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn' });
  try {
    const kernel = cloud.kernel;
    const ctx = (logicalId) => ({
      appId: 'bench',
      appSlug: 'bench',
      envName: ENV,
      stackName: 'amplify-bench-bench-api',
      logicalId,
      region: 'us-east-1',
      accountId: kernel.config.accountId,
      log: kernel.log,
    });
    const handler = (type) => {
      const h = kernel.resourceHandler(type);
      if (!h) throw new Error(`the cloud has no handler for ${type}`);
      return h;
    };
    const compiled = transform({
      schema: SCHEMA,
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
      resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'AUTOMERGE' } },
    });
    const api = await handler(APPSYNC_RESOURCE_TYPES.graphQLApi).create({ Name: `bench-${ENV}`, AuthenticationType: 'API_KEY' }, ctx('GraphQLAPI'));
    const apiId = String(api.attributes.ApiId);
    const tables = {};
    for (const table of compiled.plan.tables) {
      const name = table.modelName ?? table.properties.TableName;
      const created = await handler(DYNAMODB_RESOURCE_TYPES.table).create({ ...table.properties, TableName: `${name}-${apiId}-${ENV}` }, ctx(`${name}Table`));
      tables[name] = String(created.attributes.TableName);
    }
    await handler(APPSYNC_RESOURCE_TYPES.graphQLSchema).create(
      { ApiId: apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
      ctx('GraphQLSchema'),
    );
    const key = await handler(APPSYNC_RESOURCE_TYPES.apiKey).create({ ApiId: apiId, ExpirationDays: 7 }, ctx('GraphQLAPIKey'));
    const apiKey = String(key.attributes.ApiKey);

    const created = await postJson(
      `${cloud.url}/graphql/${apiId}`,
      { 'x-api-key': apiKey },
      { query: CREATE_NOTE, variables: { input: { title: 'note 0', done: false } } },
    );
    if (created.json.errors) throw new Error(`createNote failed: ${created.text}`);
    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
    const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: `${cloud.url}/dynamodb`, credentials, maxAttempts: 1 });
    const stored = (await dynamodb.send(new GetItemCommand({ TableName: tables.Note, Key: { id: { S: created.json.data.createNote.id } } }))).Item;
    if (!stored?._version || !stored._lastChangedAt) throw new Error(`the created note is not versioned: ${JSON.stringify(stored)}`);
    const start = Date.parse(stored.createdAt.S) - count * 1000;
    for (let n = 1; n < count; n += 25) {
      const batch = [];
      for (let i = n; i < Math.min(n + 25, count); i++) {
        const at = new Date(start + i * 1000).toISOString();
        const item = { ...stored, id: { S: randomUUID() }, title: { S: `note ${i}` }, done: { BOOL: i % 2 === 0 }, createdAt: { S: at }, updatedAt: { S: at } };
        if (i % 3 === 0) item.body = { S: `the body of note ${i}, a line or two of text as a note would hold.` };
        batch.push({ PutRequest: { Item: item } });
      }
      await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tables.Note]: batch } }));
    }
    dynamodb.destroy();
    return { apiId, apiKey, tableName: tables.Note };
  } finally {
    await cloud.close();
  }
}

/**
 * The limit: a bare node:http server answering `syncNotes` from the cloud's SQLite file (read-only) with the
 * SELECTs a sync needs, in the cloud's JSON shape and response headers. It parses no GraphQL. A base sync
 * (lastSync 0, absent, or older than the 30-minute delta window) pages through the table in key order; a delta
 * sync answers the items changed after lastSync (`_lastChangedAt`), oldest first. `startedAt` is taken before the
 * first page is read and carried in the token. Prints the port it listens on (127.0.0.1).
 */
async function bareServer([dbPath, tableName, apiKey, headersJson]) {
  const { createServer } = await import('node:http');
  const { default: Database } = await import('better-sqlite3');
  const headers = JSON.parse(headersJson);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const tableId = db.prepare('SELECT table_id FROM dynamodb_tables WHERE table_name = ?').get(tableName)?.table_id;
  if (!tableId) throw new Error(`no table ${tableName} in ${dbPath}`);
  const basePage = db.prepare('SELECT pk, item FROM dynamodb_items WHERE table_id = ? AND pk > ? ORDER BY pk LIMIT ?');
  const changed = "CAST(json_extract(item, '$._lastChangedAt.N') AS INTEGER)";
  const deltaPage = db.prepare(
    `SELECT pk, item, ${changed} AS changed FROM dynamodb_items WHERE table_id = ? AND (${changed}, pk) > (?, ?) ORDER BY ${changed}, pk LIMIT ?`,
  );
  const DELTA_WINDOW_MS = 30 * 60 * 1000;
  const plain = (value) => {
    if (value === undefined || value === null || value.NULL) return null;
    if ('S' in value) return value.S;
    if ('N' in value) return Number(value.N);
    if ('BOOL' in value) return value.BOOL;
    return null;
  };
  const selected = (item) => Object.fromEntries(FIELDS.map((f) => [f, plain(item[f])]));
  const answer = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  process.on('SIGTERM', () => process.exit(0));
  createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      if (req.headers['x-api-key'] !== apiKey) {
        answer(res, 401, { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
        return;
      }
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!query.includes('syncNotes(')) {
        answer(res, 400, { errors: [{ message: 'unknown operation' }] });
        return;
      }
      const limit = variables.limit ?? 100;
      const token = variables.nextToken ? JSON.parse(Buffer.from(variables.nextToken, 'base64').toString('utf8')) : undefined;
      const startedAt = token?.startedAt ?? Date.now();
      const lastSync = variables.lastSync ?? 0;
      const delta = lastSync > 0 && lastSync >= startedAt - DELTA_WINDOW_MS;
      const after = token ? Buffer.from(token.pk, 'base64') : Buffer.alloc(0);
      const rows = delta ? deltaPage.all(tableId, token?.changed ?? lastSync, after, limit) : basePage.all(tableId, after, limit);
      const last = rows.length === limit ? rows.at(-1) : undefined;
      const nextToken = last
        ? Buffer.from(JSON.stringify({ pk: last.pk.toString('base64'), startedAt, ...(delta ? { changed: last.changed } : {}) })).toString('base64')
        : null;
      answer(res, 200, { data: { syncNotes: { items: rows.map((r) => selected(JSON.parse(r.item))), nextToken, startedAt } } });
    });
  }).listen(0, '127.0.0.1', function () {
    console.log(this.address().port);
  });
}
