#!/usr/bin/env node
// The bare baselines of the REST benchmark (bench/rest.mjs), node:http servers on loopback that print their
// port on a line of its own:
// - `app <function src folder>`: loads the function's own `app.js` (Amplify's Serverless ExpressJS app, its
//   dependencies installed beside it) and serves it with `app.listen` on bare node:http. No API Gateway, no
//   Lambda event, no aws-serverless-express: the same Express routes straight from the socket.
// - `handler <function src folder>`: calls the function's `index.handler` (aws-serverless-express in front of
//   the same app) in this process with a REST (v1) proxy event made from the request, and answers its
//   statusCode, headers and body: what the function itself costs, with no gateway, no IPC and no other process.
// The template's app.js also calls `app.listen(3000)` (harmless in Lambda, where nothing connects to it); here
// that listen is sent to a free port so it cannot clash with anything else on the machine.
import { createServer, Server } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [mode, srcDir] = process.argv.slice(2);
if (!['app', 'handler'].includes(mode) || !srcDir) throw new Error('usage: rest-bare.mjs app|handler <function src folder>');
const require = createRequire(import.meta.url);
const listen = Server.prototype.listen;
Server.prototype.listen = function (port, ...rest) {
  return listen.call(this, port === 3000 ? 0 : port, ...rest);
};
const app = require(join(resolve(srcDir), 'app.js'));
const { handler } = mode === 'handler' ? require(join(resolve(srcDir), 'index.js')) : {};
Server.prototype.listen = listen;

if (mode === 'app') {
  const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
} else {
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const url = new URL(req.url, 'http://localhost');
      const body = Buffer.concat(chunks);
      const headers = {};
      const multiValueHeaders = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
        (multiValueHeaders[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
      }
      const event = {
        resource: url.pathname,
        path: url.pathname,
        httpMethod: req.method,
        headers,
        multiValueHeaders,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        requestContext: { stage: 'bare', requestId: String(++requests), httpMethod: req.method, path: url.pathname, identity: { sourceIp: '127.0.0.1' } },
        body: body.length > 0 ? body.toString('utf8') : null,
        isBase64Encoded: false,
      };
      const answer = await handler(event, { awsRequestId: String(requests) });
      const out = Buffer.from(answer.body ?? '', answer.isBase64Encoded ? 'base64' : 'utf8');
      res.writeHead(answer.statusCode, { ...answer.headers, 'content-length': out.length });
      res.end(out);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
}
