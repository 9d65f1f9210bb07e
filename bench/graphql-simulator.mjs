#!/usr/bin/env node
// The peer of the GraphQL benchmark (bench/graphql.mjs): the AppSync simulator that `amplify mock api`
// runs (@aws-amplify/amplify-appsync-simulator), serving getTodo and todosByOwner through VTL mapping
// templates with an owner check and a Lambda data source over an in-memory copy of the same to-dos
// (read once from the cloud's SQLite file at start). The simulator does not verify token signatures:
// OPENID_CONNECT with the user pool's issuer lets it accept the same access tokens. It is installed
// outside the repository (see installSimulator in bench/graphql.mjs). Run by bench/graphql.mjs:
//   node bench/graphql-simulator.mjs <peer folder> <forte.db> <table name> <issuer> <port> <ws port>
// and prints "ready" once it listens (on all interfaces: the simulator has no host option).
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [peerDir, dbPath, tableName, issuer, port, wsPort] = process.argv.slice(2);
const require = createRequire(join(peerDir, 'package.json'));
const { AmplifyAppSyncSimulator } = require('@aws-amplify/amplify-appsync-simulator');

// The in-memory data: every to-do by id, and each owner's to-dos in the index's order (createdAt, id).
const db = new Database(dbPath, { readonly: true, fileMustExist: true });
const tableId = db.prepare('SELECT table_id FROM dynamodb_tables WHERE table_name = ?').get(tableName)?.table_id;
if (!tableId) throw new Error(`no table ${tableName} in ${dbPath}`);
const plain = (value) => ('S' in value ? value.S : 'N' in value ? Number(value.N) : 'BOOL' in value ? value.BOOL : null);
const byId = new Map();
const byOwner = new Map();
for (const row of db.prepare('SELECT item FROM dynamodb_items WHERE table_id = ?').iterate(tableId)) {
  const item = Object.fromEntries(Object.entries(JSON.parse(row.item)).map(([k, v]) => [k, plain(v)]));
  byId.set(item.id, item);
  if (!byOwner.has(item.owner)) byOwner.set(item.owner, []);
  byOwner.get(item.owner).push(item);
}
db.close();
/** The owner as the API shows it: `<sub>::<username>` is stored, the username answered (Amplify's owner field resolver). */
const shownOwner = (owner) => (typeof owner === 'string' && owner.includes('::') ? owner.slice(owner.lastIndexOf('::') + 2) : owner);
const shown = (item) => (item ? { ...item, owner: shownOwner(item.owner) } : null);
const ascending = (a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
for (const items of byOwner.values()) items.sort(ascending);

/** The Lambda data source: one invocation per resolver, as a function in this process. */
async function invoke(payload) {
  if (payload.op === 'get') return byId.has(payload.id) ? { ...byId.get(payload.id) } : null;
  const all = byOwner.get(payload.owner) ?? [];
  const ordered = payload.desc ? [...all].reverse() : all;
  const page = ordered.slice(0, payload.limit);
  const last = page.length === payload.limit ? page.at(-1) : undefined;
  return {
    items: page.filter((i) => payload.authOwners.includes(i.owner)).map(shown),
    nextToken: last ? Buffer.from(JSON.stringify({ id: last.id, owner: last.owner, createdAt: last.createdAt }), 'utf8').toString('base64') : null,
  };
}

const schema = `
type Todo { id: ID! content: String! done: Boolean owner: String createdAt: AWSDateTime updatedAt: AWSDateTime! }
type ModelTodoConnection { items: [Todo]! nextToken: String }
enum ModelSortDirection { ASC DESC }
type Query {
  getTodo(id: ID!): Todo
  todosByOwner(owner: String!, sortDirection: ModelSortDirection, limit: Int, nextToken: String): ModelTodoConnection
}
`;
// The owner values of the caller under `{allow: owner}` with the `sub::username` identity claim, as
// Amplify's generated auth templates compare them.
const owners = '#set($authOwners = ["${ctx.identity.sub}::${ctx.identity.claims.username}", $ctx.identity.sub, $ctx.identity.claims.username])';
const resolvers = [
  {
    kind: 'UNIT',
    typeName: 'Query',
    fieldName: 'getTodo',
    dataSourceName: 'todos',
    requestMappingTemplate: '{ "version": "2018-05-29", "operation": "Invoke", "payload": { "op": "get", "id": $util.toJson($ctx.args.id) } }',
    responseMappingTemplate: `${owners}
#if($ctx.error) $util.error($ctx.error.message, $ctx.error.type) #end
#if(!$util.isNull($ctx.result) && !$authOwners.contains($ctx.result.owner)) $util.unauthorized() #end
#if(!$util.isNull($ctx.result) && $ctx.result.owner.contains("::")) $util.qr($ctx.result.put("owner", $ctx.result.owner.split("::")[1])) #end
$util.toJson($ctx.result)`,
  },
  {
    kind: 'UNIT',
    typeName: 'Query',
    fieldName: 'todosByOwner',
    dataSourceName: 'todos',
    requestMappingTemplate: `${owners}
#set($desc = $ctx.args.sortDirection == "DESC")
{ "version": "2018-05-29", "operation": "Invoke", "payload": { "op": "byOwner", "owner": $util.toJson($ctx.args.owner), "limit": $util.defaultIfNull($ctx.args.limit, 100), "desc": $desc, "authOwners": $util.toJson($authOwners) } }`,
    responseMappingTemplate: '#if($ctx.error) $util.error($ctx.error.message, $ctx.error.type) #end\n$util.toJson($ctx.result)',
  },
];

const simulator = new AmplifyAppSyncSimulator({ port: Number(port), wsPort: Number(wsPort) });
simulator.init({
  schema: { content: schema },
  resolvers,
  dataSources: [{ type: 'AWS_LAMBDA', name: 'todos', invoke }],
  appSync: {
    name: 'bench',
    defaultAuthenticationType: { authenticationType: 'OPENID_CONNECT', openIDConnectConfig: { Issuer: issuer } },
    additionalAuthenticationProviders: [],
  },
});
await simulator.start();
console.log('ready');
process.on('SIGTERM', () => process.exit(0));
