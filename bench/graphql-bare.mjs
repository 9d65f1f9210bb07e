#!/usr/bin/env node
// The limit of the GraphQL benchmark (bench/graphql.mjs): a bare node:http server that answers the
// benchmark's two requests from the cloud's own SQLite file with the same SELECTs the cloud's table
// engine runs, after verifying the access token with jose against the user pool's JWKS, in the same JSON
// shape and with the same response headers as the cloud. It parses no GraphQL: it recognises the two
// operations by name. Run by bench/graphql.mjs:
//   node bench/graphql-bare.mjs <forte.db> <table name> <JWKS URL> <response headers JSON>
// and prints the port it listens on (127.0.0.1). With a postgres:// URL (`?schema=` the cloud's) instead of
// forte.db, it runs the same SELECTs on PostgreSQL through a pg pool (BENCH_DATABASE=postgres).
import Database from 'better-sqlite3';
import pg from 'pg';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createServer } from 'node:http';

const [dbPath, tableName, jwksUrl, headersJson] = process.argv.slice(2);
const headers = JSON.parse(headersJson);
const keys = createLocalJWKSet(await (await fetch(jwksUrl)).json());

const INDEX_PAGE =
  'SELECT i.item, i.size FROM dynamodb_index_entries e JOIN dynamodb_items i ON i.table_id = e.table_id AND i.pk = e.pk AND i.sk = e.sk' +
  ' WHERE e.table_id = ? AND e.index_name = ? AND e.gpk = ? ORDER BY e.gpk DESC, e.gsk DESC, e.pk DESC, e.sk DESC LIMIT ?';
const GET_ITEM = 'SELECT item FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?';
const TABLE_ID = 'SELECT table_id FROM dynamodb_tables WHERE table_name = ?';
// The statements of the table engine (packages/cloud/src/services/dynamodb/table-store.ts): an item by
// its key, and a page of an index partition in descending key order (`items`: no key columns, as a page read).
let getItem;
let indexPage;
let tableId;
if (/^postgres(ql)?:\/\//.test(dbPath)) {
  const url = new URL(dbPath);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  url.searchParams.delete('pool');
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10, options: `-c search_path=${schema}` });
  const numbered = (sql) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const one = async (sql, params) => (await pool.query({ text: numbered(sql), values: params })).rows;
  tableId = (await one(TABLE_ID, [tableName]))[0]?.table_id;
  getItem = async (...params) => (await one(GET_ITEM, params))[0];
  indexPage = (...params) => one(INDEX_PAGE, params);
} else {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  tableId = db.prepare(TABLE_ID).get(tableName)?.table_id;
  const item = db.prepare(GET_ITEM);
  const page = db.prepare(INDEX_PAGE);
  getItem = async (...params) => item.get(...params);
  indexPage = async (...params) => page.all(...params);
}
if (!tableId) throw new Error(`no table ${tableName} in ${dbPath}`);
const NO_SORT_KEY = Buffer.alloc(0);
const FIELDS = ['id', 'content', 'done', 'owner', 'createdAt', 'updatedAt'];

const plain = (value) => {
  if (value === undefined) return null;
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  return null;
};
/** The owner as the API shows it: `<sub>::<username>` is stored, the username answered (Amplify's owner field resolver). */
const shownOwner = (owner) => (typeof owner === 'string' && owner.includes('::') ? owner.slice(owner.lastIndexOf('::') + 2) : owner);
const selected = (item) => Object.fromEntries(FIELDS.map((f) => [f, f === 'owner' ? shownOwner(plain(item[f])) : plain(item[f])]));

/** The owner values a caller matches under `{allow: owner}` (identity claim `sub::username`). */
async function ownerCandidates(token) {
  const { payload } = await jwtVerify(token, keys, { algorithms: ['RS256'] });
  if (payload.token_use !== 'access') throw new Error('not an access token');
  return [`${payload.sub}::${payload.username}`, payload.sub, payload.username];
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// Stopped with SIGTERM: exit normally, so that a CPU profile (--cpu-prof) is written.
process.on('SIGTERM', () => process.exit(0));

createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', async () => {
    let candidates;
    try {
      candidates = await ownerCandidates(String(req.headers.authorization ?? ''));
    } catch {
      answer(res, 401, { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] });
      return;
    }
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (query.startsWith('query GetTodo')) {
      const row = await getItem(tableId, Buffer.from(variables.id, 'utf8'), NO_SORT_KEY);
      const item = row ? JSON.parse(row.item) : undefined;
      if (item && !candidates.includes(plain(item.owner))) {
        answer(res, 200, {
          data: { getTodo: null },
          errors: [
            {
              path: ['getTodo'],
              data: null,
              errorType: 'Unauthorized',
              errorInfo: null,
              locations: [{ line: 1, column: 26 }],
              message: 'Not Authorized to access getTodo on type Query',
            },
          ],
        });
        return;
      }
      answer(res, 200, { data: { getTodo: item ? selected(item) : null } });
    } else if (query.startsWith('query TodosByOwner')) {
      const limit = variables.limit ?? 100;
      const rows = await indexPage(tableId, 'byOwner', Buffer.from(variables.owner, 'utf8'), limit);
      const items = rows.map((r) => JSON.parse(r.item));
      const last = rows.length === limit ? items.at(-1) : undefined;
      const nextToken = last ? Buffer.from(JSON.stringify({ id: last.id, owner: last.owner, createdAt: last.createdAt }), 'utf8').toString('base64') : null;
      answer(res, 200, { data: { todosByOwner: { items: items.filter((i) => candidates.includes(plain(i.owner))).map(selected), nextToken } } });
    } else {
      answer(res, 400, { errors: [{ message: 'unknown operation' }] });
    }
  });
}).listen(0, '127.0.0.1', function () {
  console.log(this.address().port);
});
