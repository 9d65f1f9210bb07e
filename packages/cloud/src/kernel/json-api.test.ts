import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { defineErrorTable, ForteError } from '@forte/protocol';
import { z } from 'zod';
import { CREDENTIAL_PROVIDERS, POLICY_SOURCES } from './capabilities.js';
import { provide } from './capability.js';
import { createRequestListener } from './http-dispatch.js';
import { defineOperation, jsonApiRoute } from './json-api.js';
import { createTestKernel } from './kernel.test-helper.js';

const ADMIN = { accessKeyId: 'FKIAADMINADMINADMIN0', secretAccessKey: 'admin-secret-admin-secret-admin-secret00' };
const ROLE_KEY = { accessKeyId: 'ASIAROLEROLEROLEROLE', secretAccessKey: 'role-secret-role-secret-role-secret-0000' };
const ECHO_ERRORS = defineErrorTable('echo', { ValidationException: 400 });
const logLines: string[] = [];
/** Thrown by a second copy of the protocol's error module, as a plugin bundling its own copy would. */
let foreignError: Error;
let server: Server;
let url: string;

before(async () => {
  const copy = (await import(new URL('errors.js?second-copy', import.meta.resolve('@forte/protocol')).href)) as typeof import('@forte/protocol');
  const pluginErrors = copy.defineErrorTable('plugin', { ConflictException: 409 });
  foreignError = pluginErrors.error('ConflictException', 'the name is taken', { fields: { name: 'blog' }, cause: new Error('unique constraint') });
  const kernel = createTestKernel(logLines);
  kernel.addService({
    name: 'keys',
    routes: [],
    provides: [
      provide(CREDENTIAL_PROVIDERS, {
        lookup: async (id) =>
          id === ADMIN.accessKeyId ? { secretAccessKey: ADMIN.secretAccessKey, principal: { kind: 'admin', accessKeyId: id } } : undefined,
      }),
      provide(CREDENTIAL_PROVIDERS, {
        lookup: async (id) =>
          id === ROLE_KEY.accessKeyId
            ? { secretAccessKey: ROLE_KEY.secretAccessKey, principal: { kind: 'role', accessKeyId: id, roleArn: 'arn:aws:iam::123456789012:role/reader' } }
            : undefined,
      }),
      provide(POLICY_SOURCES, async (p) =>
        p.kind === 'role'
          ? [
              {
                Statement: [
                  { Effect: 'Allow', Action: 'echo:Echo', Resource: '*' },
                  // aws:SourceIp is the caller's address (these tests call from 127.0.0.1).
                  { Effect: 'Allow', Action: 'echo:Increment', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
                  { Effect: 'Allow', Action: 'echo:Foreign', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
                ],
              },
            ]
          : [],
      ),
    ],
  });
  kernel.addService({
    name: 'echo',
    routes: [
      jsonApiRoute({
        name: 'echo',
        path: '/echo/',
        targetPrefix: 'Echo.',
        signingService: 'forte',
        actionPrefix: 'echo',
        operations: {
          Echo: defineOperation({
            input: z.object({ text: z.string().min(1), times: z.number().int().min(1).default(1) }),
            // The handler's input is the schema's output: `times` is a number here, its default applied.
            handler: async (input, call) => {
              // @ts-expect-error the schema declares no such field
              void input.nope;
              return { text: input.text.repeat(input.times), caller: call.principal.kind };
            },
          }),
          Increment: defineOperation({
            raw: true,
            handler: async (input) => {
              if (typeof input.n !== 'number') throw ECHO_ERRORS.error('ValidationException', 'n: must be a number');
              return { n: input.n + 1 };
            },
          }),
          Explode: defineOperation({
            raw: true,
            handler: async () => {
              throw new Error('database password is hunter2');
            },
          }),
          Foreign: defineOperation({
            raw: true,
            handler: async () => {
              throw foreignError;
            },
          }),
        },
        errors: ECHO_ERRORS,
        validationErrorCode: 'ValidationException',
      }),
    ],
  });
  server = createServer(createRequestListener(kernel, { version: '9.9.9' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(
  target: string,
  body: unknown,
  options: { key?: typeof ADMIN; sign?: boolean; tamper?: boolean } = {},
): Promise<{ status: number; errorType: string | null; json: Record<string, unknown> }> {
  const u = new URL('/echo/', url);
  const payload = JSON.stringify(body);
  let headers: Record<string, string> = { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  if (options.sign !== false) {
    const signer = new SignatureV4({ service: 'forte', region: 'us-east-1', credentials: options.key ?? ADMIN, sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: '/echo/',
      query: {},
      headers,
      body: payload,
    });
    headers = signed.headers as Record<string, string>;
  }
  if (options.tamper) headers.authorization = headers.authorization!.replace(/Signature=[0-9a-f]/, 'Signature=z');
  const { host: _host, ...sendHeaders } = headers;
  const res = await fetch(u, { method: 'POST', headers: sendHeaders, body: payload });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: (await res.json()) as Record<string, unknown> };
}

void describe('jsonApiRoute through the kernel', () => {
  void it('answers a signed call with the operation result', async () => {
    const res = await call('Echo.Echo', { text: 'hi' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { text: 'hi', caller: 'admin' });
  });

  void it('refuses an unsigned call with MissingAuthenticationTokenException', async () => {
    const res = await call('Echo.Echo', { text: 'hi' }, { sign: false });
    assert.equal(res.status, 403);
    assert.equal(res.errorType, 'MissingAuthenticationTokenException');
    assert.equal(res.json.__type, 'MissingAuthenticationTokenException');
    assert.equal(typeof res.json.message, 'string');
  });

  void it('holds an unsigned body to 256 KiB, and refuses any body nesting more than 128 levels before parsing it', async () => {
    const big = await call('Echo.Echo', { text: 'x'.repeat(300 * 1024) }, { sign: false });
    assert.equal(big.status, 413);
    assert.equal(big.errorType, 'RequestEntityTooLargeException');
    const nested = (depth: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
      return value;
    };
    assert.deepEqual((await call('Echo.Increment', { n: 1, deep: nested(120) })).json, { n: 2 }, '128 levels with the body');
    const deep = await call('Echo.Increment', { n: 1, deep: nested(200) });
    assert.equal(deep.status, 400);
    assert.equal(deep.errorType, 'ValidationException', "the API's own validation error, as DynamoDB answers too deep an item");
    assert.match(String(deep.json.message), /nests more than 128 levels/);
    const quoted = await call('Echo.Increment', { n: 1, text: '['.repeat(1000) + '{'.repeat(1000) + '\\"[[[' });
    assert.deepEqual(quoted.json, { n: 2 }, 'brackets inside strings are not nesting');
  });

  void it("gives the handler the schema's output", async () => {
    const res = await call('Echo.Echo', { text: 'ab', times: 2 });
    assert.deepEqual(res.json, { text: 'abab', caller: 'admin' });
  });

  void it('declares an operation with a schema or as raw, nothing else', () => {
    // @ts-expect-error without a schema, an operation says that it checks its input itself (raw: true)
    defineOperation({ handler: async () => ({}) });
    // @ts-expect-error a raw operation's input is the JSON object, not a schema's output
    defineOperation({ raw: true, handler: async (input: { text: string }) => input });
  });

  void it('passes a raw operation the JSON object, which it checks itself', async () => {
    assert.deepEqual((await call('Echo.Increment', { n: 41 })).json, { n: 42 });
    const refused = await call('Echo.Increment', { n: 'x' });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, { __type: 'ValidationException', message: 'n: must be a number' });
  });

  void it('answers an error of another copy of the error classes with its code, status and fields', async () => {
    assert.ok(!(foreignError instanceof ForteError), 'the copy has its own class');
    const res = await call('Echo.Foreign', {});
    assert.equal(res.status, 409);
    assert.equal(res.errorType, 'ConflictException');
    assert.deepEqual(res.json, { __type: 'ConflictException', message: 'the name is taken', name: 'blog' });
  });

  void it('refuses a badly signed call with InvalidSignatureException', async () => {
    const res = await call('Echo.Echo', { text: 'hi' }, { tamper: true });
    assert.equal(res.status, 403);
    assert.deepEqual(Object.keys(res.json).sort(), ['__type', 'message']);
    assert.equal(res.json.__type, 'InvalidSignatureException');
  });

  void it('refuses an unknown key with UnrecognizedClientException', async () => {
    const res = await call('Echo.Echo', { text: 'hi' }, { key: { accessKeyId: 'FKIANOBODY', secretAccessKey: 'x' } });
    assert.equal(res.json.__type, 'UnrecognizedClientException');
  });

  void it('names the invalid field with ValidationException', async () => {
    const res = await call('Echo.Echo', { text: '' });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'ValidationException');
    assert.match(String(res.json.message), /^text:/);
  });

  void it('refuses a body that is not a JSON object, schema or not, naming it', async () => {
    for (const body of [[], 'text', null, 7]) {
      for (const target of ['Echo.Echo', 'Echo.Explode']) {
        const res = await call(target, body);
        assert.equal(res.status, 400, `${target} ${JSON.stringify(body)}`);
        assert.deepEqual(res.json, { __type: 'ValidationException', message: 'request: the body must be a JSON object.' });
      }
    }
  });

  void it('answers UnknownOperationException for an unknown target', async () => {
    const res = await call('Echo.Nope', {});
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'UnknownOperationException');
  });

  void it('applies role policies: allowed operations pass, others are AccessDeniedException', async () => {
    assert.equal((await call('Echo.Echo', { text: 'x' }, { key: ROLE_KEY })).json.caller, 'role');
    const denied = await call('Echo.Explode', {}, { key: ROLE_KEY });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.__type, 'AccessDeniedException');
  });

  void it("evaluates aws:SourceIp conditions against the caller's address", async () => {
    const near = await call('Echo.Increment', { n: 1 }, { key: ROLE_KEY });
    assert.equal(near.status, 200, JSON.stringify(near.json));
    assert.deepEqual(near.json, { n: 2 });
    const far = await call('Echo.Foreign', {}, { key: ROLE_KEY });
    assert.equal(far.status, 403);
    assert.equal(far.json.__type, 'AccessDeniedException');
  });

  void it('masks unexpected errors and logs them in full', async () => {
    const res = await call('Echo.Explode', {});
    assert.equal(res.status, 500);
    assert.equal(res.json.__type, 'InternalFailure');
    assert.doesNotMatch(JSON.stringify(res.json), /hunter2/);
    assert.ok(logLines.some((line) => line.includes('unexpected error') && line.includes('hunter2')));
  });

  void it('never logs secrets or signatures', () => {
    const all = logLines.join('');
    assert.doesNotMatch(all, new RegExp(ADMIN.secretAccessKey));
    assert.doesNotMatch(all, /Signature=/);
    assert.ok(
      logLines.some((line) => line.includes(`"accessKeyId":"${ADMIN.accessKeyId}"`)),
      'the access key id is logged',
    );
  });
});
