#!/usr/bin/env node
// The limit of the realtime benchmark (bench/realtime.mjs): a bare node:http + `ws` server speaking the
// same realtime frames (connection_init/ack, start/start_ack, data) at /graphql/realtime, and answering
// createTodo at POST /graphql: it verifies the access token with jose (at connect, at each start and on
// each mutation), inserts the to-do into SQLite (WAL, synchronous=NORMAL, as the cloud's store), answers
// it, and sends it to the subscriptions of its owner, one JSON frame each. No GraphQL parsing, no rules
// beyond "same owner". Run by bench/realtime.mjs:
//   node bench/realtime-bare.mjs <JWKS URL> <SQLite file>
// and prints the port it listens on (127.0.0.1).
import Database from 'better-sqlite3';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const [jwksUrl, dbPath] = process.argv.slice(2);
const keys = createLocalJWKSet(await (await fetch(jwksUrl)).json());
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, item TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO todos (id, item) VALUES (?, ?)');

const ownerOf = async (token) => {
  const { payload } = await jwtVerify(token, keys, { algorithms: ['RS256'] });
  return { stored: `${payload.sub}::${payload.username}`, shown: payload.username };
};
const decodeHeader = (protocols) => {
  const encoded = [...protocols].find((p) => p.startsWith('header-'))?.slice('header-'.length);
  return encoded ? JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) : {};
};

/** owner → Set of {socket, id}. */
const subscribers = new Map();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', async () => {
    let owner;
    try {
      owner = await ownerOf(String(req.headers.authorization ?? ''));
    } catch {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"errorType":"UnauthorizedException"}]}');
      return;
    }
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const now = new Date().toISOString();
    const item = {
      id: randomUUID(),
      content: variables.input.content,
      done: variables.input.done ?? null,
      owner: owner.stored,
      createdAt: now,
      updatedAt: now,
    };
    insert.run(item.id, JSON.stringify(item));
    // The owner as the API shows it: the username (Amplify's owner field resolver).
    item.owner = owner.shown;
    owner = owner.stored;
    const body = JSON.stringify({ data: { createTodo: item } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    for (const s of subscribers.get(owner) ?? []) s.socket.send(JSON.stringify({ id: s.id, type: 'data', payload: { data: { onCreateTodo: item } } }));
  });
});

const wss = new WebSocketServer({ server, path: '/graphql/realtime', handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false) });
wss.on('connection', (socket, req) => {
  const header = decodeHeader(
    new Set(
      String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim()),
    ),
  );
  const mine = [];
  socket.on('message', async (raw) => {
    const frame = JSON.parse(String(raw));
    try {
      if (frame.type === 'connection_init') {
        await ownerOf(header.Authorization);
        socket.send(JSON.stringify({ type: 'connection_ack', payload: { connectionTimeoutMs: 300_000 } }));
      } else if (frame.type === 'start') {
        const owner = (await ownerOf(frame.payload.extensions.authorization.Authorization)).stored;
        const entry = { socket, id: frame.id };
        if (!subscribers.has(owner)) subscribers.set(owner, new Set());
        subscribers.get(owner).add(entry);
        mine.push([owner, entry]);
        socket.send(JSON.stringify({ id: frame.id, type: 'start_ack' }));
      }
    } catch {
      socket.send(JSON.stringify({ id: frame.id, type: 'error', payload: { errors: [{ errorType: 'UnauthorizedException', message: 'denied' }] } }));
    }
  });
  socket.on('close', () => {
    for (const [owner, entry] of mine) subscribers.get(owner)?.delete(entry);
  });
});

server.listen(0, '127.0.0.1', () => console.log(server.address().port));
