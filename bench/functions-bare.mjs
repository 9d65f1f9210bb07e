#!/usr/bin/env node
// The bare baselines of the functions benchmarks (bench/functions.mjs), each a node:http server on loopback
// that prints its port on its first line:
// - `invoke <handler file>`: forwards each request's body to a warm child process (child_process.fork of
//   this file with `worker`) over IPC and answers the child's result as JSON. Like the function runtime
//   (and Lambda), a child runs one invocation at a time; a request that finds no idle child forks one, so
//   under N connections the pool grows to N warm children, as the cloud's does. No SigV4 check, no
//   function lookup, no logs: the limit of "HTTP in, IPC to a warm process, HTTP out".
// - `graphql <handler file>`: parses the GraphQL request body minimally (the field is the first name after
//   the opening brace, its arguments the request's variables), calls the handler in this process with an
//   AppSync-shaped Lambda event and answers `{data: {<field>: result}}`.
// - `worker <handler file>` (the forked child): loads the handler and answers each message with its result.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [mode, handlerFile] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { handler } = require(resolve(handlerFile));

const readBody = (req) =>
  new Promise((done, fail) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });

const listen = (server) => server.listen(0, '127.0.0.1', () => console.log(server.address().port));

if (mode === 'worker') {
  process.on('message', async ({ id, payload }) => {
    const result = await handler(JSON.parse(payload), { awsRequestId: id });
    process.send({ id, result: JSON.stringify(result ?? null) });
  });
} else if (mode === 'invoke') {
  const idle = [];
  let nextId = 0;
  const spawnWorker = () => {
    const child = fork(new URL(import.meta.url).pathname, ['worker', handlerFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.pending = new Map();
    child.on('message', ({ id, result }) => {
      const done = child.pending.get(id);
      child.pending.delete(id);
      idle.push(child);
      done(result);
    });
    return child;
  };
  const invoke = (payload) =>
    new Promise((done) => {
      const child = idle.pop() ?? spawnWorker();
      const id = String(nextId++);
      child.pending.set(id, done);
      child.send({ id, payload });
    });
  listen(
    createServer(async (req, res) => {
      const result = await invoke((await readBody(req)) || '{}');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(result) });
      res.end(result);
    }),
  );
} else if (mode === 'graphql') {
  listen(
    createServer(async (req, res) => {
      const { query, variables } = JSON.parse(await readBody(req));
      const fieldName = /\{\s*(\w+)/.exec(query)[1];
      const event = {
        typeName: 'Query',
        fieldName,
        arguments: variables ?? {},
        identity: null,
        source: null,
        request: { headers: req.headers, domainName: null },
        prev: null,
      };
      const body = JSON.stringify({ data: { [fieldName]: (await handler(event)) ?? null } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }),
  );
} else {
  throw new Error(`usage: functions-bare.mjs invoke|graphql|worker <handler file>`);
}
