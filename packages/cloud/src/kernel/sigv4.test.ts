import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { writeErrorResponse } from './error-response.js';
import { splitTarget } from './http-dispatch.js';
import { uriEscape } from './sigv4-canonical.js';
import { verifySigV4 } from './sigv4.js';
import type { CredentialProvider } from './types.js';

const KEY = { accessKeyId: 'FKIATESTTESTTEST0001', secretAccessKey: 'secret/secret+secret/secret+secret/secre' };
const credentials: CredentialProvider = {
  lookup: async (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, principal: { kind: 'admin', accessKeyId: id } } : undefined),
};

let server: Server;
let port: number;
before(async () => {
  // Answers what verifySigV4 concluded: S3 paths in S3 shapes, others in JSON.
  server = createServer((req, res) => {
    const { rawPath, rawQuery } = splitTarget(req.url ?? '/');
    const s3 = rawPath.startsWith('/s3');
    verifySigV4({ req, rawPath, rawQuery, service: s3 ? 's3' : 'forte', readBody: !s3, credentials })
      .then(({ principal, body }) => {
        if (s3) {
          const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>${principal.kind}</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(xml);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ principal, body: body?.toString('utf8') }));
        }
      })
      .catch((error: unknown) => {
        if (!isForteError(error)) throw error;
        writeErrorResponse(res, s3 ? 'xml' : 'json', error, 'test-request');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const signer = (service: string, key = KEY) =>
  new SignatureV4({ service, region: 'us-east-1', credentials: key, sha256: Hash.bind(null, 'sha256'), uriEscapePath: service !== 's3' });

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends with node:http so the path goes out exactly as given (fetch would normalise `..`). */
function send(options: { method: string; path: string; query?: Record<string, string>; headers: Record<string, string>; body?: string }): Promise<Sent> {
  const query = Object.entries(options.query ?? {})
    .map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`)
    .join('&');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method, path: query ? `${options.path}?${query}` : options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function signAndSend(options: {
  service: string;
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  key?: typeof KEY;
  signingDate?: Date;
  tamper?: (headers: Record<string, string>) => void;
}): Promise<Sent> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...options.headers };
  if (options.service === 's3' && !headers['x-amz-content-sha256']) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer(options.service, options.key).sign(
    {
      method: options.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: options.path,
      query: options.query ?? {},
      headers,
      body: options.body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  const sendHeaders = { ...(signed.headers as Record<string, string>) };
  options.tamper?.(sendHeaders);
  return send({
    method: options.method ?? 'GET',
    path: options.path,
    query: signed.query as Record<string, string>,
    headers: sendHeaders,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

const jsonError = (sent: Sent): { __type: string; message: string } => JSON.parse(sent.body) as { __type: string; message: string };
const xmlCode = (sent: Sent): string | undefined => /<Code>([^<]*)<\/Code>/.exec(sent.body)?.[1];

void describe('SigV4 verification, Authorization header', () => {
  void it('accepts a JSON call signed by @smithy/signature-v4 and hands back the body it hashed', async () => {
    const body = JSON.stringify({ hello: 'wörld' });
    const sent = await signAndSend({
      service: 'forte',
      method: 'POST',
      path: '/control/',
      body,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'ForteControl.ListApps' },
    });
    assert.equal(sent.status, 200, sent.body);
    assert.deepEqual(JSON.parse(sent.body), { principal: { kind: 'admin', accessKeyId: KEY.accessKeyId }, body });
  });

  void it('double-encodes the path for non-S3 services and signs the query', async () => {
    const sent = await signAndSend({ service: 'forte', path: '/restapis/a%20b/stage/it%27s', query: { 'a b': 'c+d*', z: '\u00e9\u{1F600}', empty: '' } });
    assert.equal(sent.status, 200, sent.body);
  });

  void it('uses the raw path for S3, `..` and encoded slashes included', async () => {
    const sent = await signAndSend({ service: 's3', path: '/s3/bucket/a/../../etc/pa%2Fss%20wd', query: { 'list-type': '2', prefix: 'x y' } });
    assert.equal(sent.status, 200, sent.body);
    assert.match(sent.body, /<Prefix>admin<\/Prefix>/);
  });

  void it('answers anonymous for a request without any signature', async () => {
    const sent = await send({ method: 'POST', path: '/control/', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(JSON.parse(sent.body).principal.kind, 'anonymous');
  });

  void it('normalises signed header values as the signer does (inner runs of spaces and tabs), and only those', async () => {
    const sent = await signAndSend({
      service: 'forte',
      path: '/control/',
      headers: { 'x-amz-meta-spaced': 'a   b\t\tc  d', 'x-amz-meta-plain': 'one two' },
      tamper: (headers) => {
        headers['user-agent'] = 'not  signed\tat all';
      },
    });
    assert.equal(sent.status, 200, sent.body);
  });

  void it('refuses a tampered signed header', async () => {
    const sent = await signAndSend({
      service: 'forte',
      method: 'POST',
      path: '/control/',
      body: '{}',
      headers: { 'x-amz-target': 'ForteControl.ListApps' },
      tamper: (h) => (h['x-amz-target'] = 'ForteControl.DeleteApp'),
    });
    assert.equal(sent.status, 403);
    assert.equal(jsonError(sent).__type, 'InvalidSignatureException');
    assert.equal(sent.headers['x-amzn-errortype'], 'InvalidSignatureException');
  });

  void it('refuses a JSON call whose signature leaves out X-Amz-Target, which names the operation', async () => {
    const headers: Record<string, string> = {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'ForteControl.ListApps',
    };
    const request = { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/control/', query: {}, headers, body: '{}' };
    const signed = await signer('forte').sign(request, { unsignableHeaders: new Set(['x-amz-target']) });
    assert.doesNotMatch(String(signed.headers['authorization']), /x-amz-target/);
    const replayed = await send({
      method: 'POST',
      path: '/control/',
      headers: { ...(signed.headers as Record<string, string>), 'x-amz-target': 'ForteControl.DeleteApp' },
      body: '{}',
    });
    assert.equal(replayed.status, 403);
    assert.equal(jsonError(replayed).__type, 'IncompleteSignatureException');
    assert.match(jsonError(replayed).message, /SignedHeaders must include x-amz-target/);
  });

  void it('refuses a tampered body', async () => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-type': 'application/json' };
    const signed = await signer('forte').sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/control/',
      query: {},
      headers,
      body: '{"a":1}',
    });
    const sent = await send({ method: 'POST', path: '/control/', headers: signed.headers as Record<string, string>, body: '{"a":2}' });
    assert.equal(sent.status, 403);
    assert.equal(jsonError(sent).__type, 'InvalidSignatureException');
  });

  void it('refuses a signature made with the wrong secret (S3 and JSON codes)', async () => {
    const wrong = { ...KEY, secretAccessKey: 'not-the-secret' };
    const s3 = await signAndSend({ service: 's3', path: '/s3/b/k', key: wrong });
    assert.equal(s3.status, 403);
    assert.equal(xmlCode(s3), 'SignatureDoesNotMatch');
    const json = await signAndSend({ service: 'forte', method: 'POST', path: '/control/', body: '{}', key: wrong });
    assert.equal(json.status, 403);
    assert.equal(jsonError(json).__type, 'InvalidSignatureException');
  });

  void it('refuses an unknown access key', async () => {
    const stranger = { accessKeyId: 'FKIAUNKNOWNUNKNOWN00', secretAccessKey: KEY.secretAccessKey };
    assert.equal(xmlCode(await signAndSend({ service: 's3', path: '/s3/b/k', key: stranger })), 'InvalidAccessKeyId');
    assert.equal(
      jsonError(await signAndSend({ service: 'forte', method: 'POST', path: '/control/', body: '{}', key: stranger })).__type,
      'UnrecognizedClientException',
    );
  });

  void it('refuses a request signed more than 15 minutes away from now', async () => {
    const old = new Date(Date.now() - 20 * 60 * 1000);
    const s3 = await signAndSend({ service: 's3', path: '/s3/b/k', signingDate: old });
    assert.equal(s3.status, 403);
    assert.equal(xmlCode(s3), 'RequestTimeTooSkewed');
    const json = await signAndSend({ service: 'forte', method: 'POST', path: '/control/', body: '{}', signingDate: new Date(Date.now() + 20 * 60 * 1000) });
    assert.equal(jsonError(json).__type, 'InvalidSignatureException');
    assert.match(jsonError(json).message, /^Signature not yet current: \d{8}T\d{6}Z is still later than/);
    const expired = await signAndSend({ service: 'forte', method: 'POST', path: '/control/', body: '{}', signingDate: old });
    assert.match(jsonError(expired).message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    // The time is checked before the rest of the header, as AWS's JSON services do.
    const stale = await send({
      method: 'POST',
      path: '/control/',
      headers: {
        host: `127.0.0.1:${port}`,
        'x-amz-date': '20170101T010101Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=x/2/3/4/aws4_request SignedHeaders=host Signature=1',
      },
      body: '{}',
    });
    assert.match(jsonError(stale).message, /^Signature expired: 20170101T010101Z/);
    const fine = await signAndSend({ service: 's3', path: '/s3/b/k', signingDate: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(fine.status, 200);
  });

  void it('refuses a malformed Authorization header', async () => {
    const headers = {
      host: `127.0.0.1:${port}`,
      'x-amz-date': new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''),
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      authorization: 'AWS4-HMAC-SHA256 Credential=FKIA/20260101/us-east-1/s3/aws4_request',
    };
    const s3 = await send({ method: 'GET', path: '/s3/b/k', headers });
    assert.equal(s3.status, 400);
    assert.equal(xmlCode(s3), 'AuthorizationHeaderMalformed');
    const json = await send({ method: 'POST', path: '/control/', headers: { ...headers, authorization: 'Bearer abc' }, body: '{}' });
    assert.equal(jsonError(json).__type, 'IncompleteSignatureException');
  });

  void it('refuses SignedHeaders out of order or naming a header twice, before building anything of them', async () => {
    const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const headers = (signed: string, extra: Record<string, string> = {}) => ({
      host: `127.0.0.1:${port}`,
      'x-amz-date': date,
      ...extra,
      authorization: `AWS4-HMAC-SHA256 Credential=FKIA/${date.slice(0, 8)}/us-east-1/forte/aws4_request, SignedHeaders=${signed}, Signature=${'0'.repeat(64)}`,
    });
    for (const signed of ['x-amz-date;host', 'host;host;x-amz-date', `host;${'x;'.repeat(2000)}x-amz-date`]) {
      const sent = await send({ method: 'POST', path: '/control/', headers: headers(signed, { x: 'v'.repeat(4000) }), body: '{}' });
      assert.equal(jsonError(sent).__type, 'IncompleteSignatureException', signed.slice(0, 40));
      assert.match(jsonError(sent).message, /SignedHeaders must list lower-case header names in order, each once/);
    }
  });

  void it('refuses a credential scoped to another service', async () => {
    const sent = await signAndSend({ service: 'dynamodb', method: 'POST', path: '/control/', body: '{}' });
    assert.equal(jsonError(sent).__type, 'IncompleteSignatureException');
    assert.match(jsonError(sent).message, /'dynamodb'.*'forte'/);
  });

  void it('refuses a body over 10 MiB with 413', async () => {
    const body = 'x'.repeat(10 * 1024 * 1024 + 1);
    const sent = await signAndSend({ service: 'forte', method: 'POST', path: '/control/', body });
    assert.equal(sent.status, 413);
  });
});

void describe('SigV4 verification, presigned URLs', () => {
  /** Presigns like @aws-sdk/s3-request-presigner: payload UNSIGNED-PAYLOAD, x-amz-* headers hoisted to the query. */
  const presign = async (options: { path: string; expiresIn?: number; signingDate?: Date; query?: Record<string, string>; key?: typeof KEY }) => {
    const signed = await signer('s3', options.key).presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: options.path,
        query: options.query ?? {},
        headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: options.expiresIn ?? 900, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
    );
    return signed.query as Record<string, string>;
  };

  void it('accepts a presigned GET, extra query parameters included', async () => {
    const query = await presign({
      path: '/s3/b/my%20file.txt',
      query: { 'x-id': 'GetObject', 'response-content-disposition': 'attachment; filename="a b.txt"' },
    });
    const sent = await send({ method: 'GET', path: '/s3/b/my%20file.txt', query, headers: {} });
    assert.equal(sent.status, 200, sent.body);
  });

  void it('signs presigned S3 URLs with UNSIGNED-PAYLOAD, as S3 and amplify-js do, not the empty-body hash', async () => {
    const signed = await signer('s3').presign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path: '/s3/b/k', query: {}, headers: { host: `127.0.0.1:${port}` } },
      { expiresIn: 60 },
    );
    const query = signed.query as Record<string, string>;
    // amplify-js signs UNSIGNED-PAYLOAD without putting it in the query; @smithy used the empty-body hash here.
    assert.equal(query['X-Amz-Content-Sha256'], undefined);
    const sent = await send({ method: 'GET', path: '/s3/b/k', query, headers: {} });
    assert.equal(xmlCode(sent), 'SignatureDoesNotMatch', 'the server signs presigned S3 URLs with UNSIGNED-PAYLOAD, as S3 does');
  });

  void it('refuses an expired presigned URL', async () => {
    const query = await presign({ path: '/s3/b/k', expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60 * 1000) });
    const sent = await send({ method: 'GET', path: '/s3/b/k', query, headers: {} });
    assert.equal(sent.status, 403);
    assert.equal(xmlCode(sent), 'AccessDenied');
    assert.match(sent.body, /Request has expired/);
  });

  void it('refuses X-Amz-Expires over one week', async () => {
    const query = await presign({ path: '/s3/b/k' });
    const sent = await send({ method: 'GET', path: '/s3/b/k', query: { ...query, 'X-Amz-Expires': '604801' }, headers: {} });
    assert.equal(sent.status, 400);
    assert.equal(xmlCode(sent), 'AuthorizationQueryParametersError');
  });

  void it('refuses a presigned URL whose path or query was changed', async () => {
    const query = await presign({ path: '/s3/b/k', query: { 'x-id': 'GetObject' } });
    assert.equal(xmlCode(await send({ method: 'GET', path: '/s3/b/other', query, headers: {} })), 'SignatureDoesNotMatch');
    assert.equal(xmlCode(await send({ method: 'GET', path: '/s3/b/k', query: { ...query, 'x-id': 'PutObject' }, headers: {} })), 'SignatureDoesNotMatch');
    assert.equal(xmlCode(await send({ method: 'PUT', path: '/s3/b/k', query, headers: {} })), 'SignatureDoesNotMatch');
  });

  void it('refuses a presigned URL with missing parameters', async () => {
    const query = await presign({ path: '/s3/b/k' });
    const { 'X-Amz-Credential': _dropped, ...rest } = query;
    assert.equal(xmlCode(await send({ method: 'GET', path: '/s3/b/k', query: rest, headers: {} })), 'AuthorizationQueryParametersError');
  });
});

void describe('SigV4 verification against the real S3 client', () => {
  const client = (key = KEY) =>
    new S3Client({ endpoint: `http://127.0.0.1:${port}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: key, maxAttempts: 1 });

  void it('accepts what @aws-sdk/client-s3 signs, odd prefixes included', async () => {
    const result = await client().send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a b/ü+*' }));
    assert.equal(result.Prefix, 'admin');
  });

  void it('refuses the real client with a wrong secret with SignatureDoesNotMatch', async () => {
    await assert.rejects(client({ ...KEY, secretAccessKey: 'wrong' }).send(new ListObjectsV2Command({ Bucket: 'bucket' })), (e: unknown) => {
      assert.equal((e as { name?: string }).name, 'SignatureDoesNotMatch');
      assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403);
      return true;
    });
  });
});

void describe('verifySigV4 with signedHost (a request signed for another host, sent to the cloud)', () => {
  const signedFor = async (host: string) => {
    const signed = await signer('s3').sign({
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/public/a%20b.txt',
      query: { 'x-id': 'GetObject' },
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    // As it reaches the cloud: the cloud's own Host header, the signature of the AWS host.
    const headers: Record<string, string> = { ...signed.headers, host: '127.0.0.1:20002' };
    const req = { method: 'GET', headers, rawHeaders: Object.entries(headers).flat() } as unknown as Parameters<typeof verifySigV4>[0]['req'];
    return (signedHost?: string) =>
      verifySigV4({
        req,
        rawPath: '/public/a%20b.txt',
        rawQuery: 'x-id=GetObject',
        service: 's3',
        readBody: false,
        credentials,
        ...(signedHost ? { signedHost } : {}),
      });
  };

  void it('verifies against the host the client signed, and only that one', async () => {
    const verify = await signedFor('appfiles.s3.us-east-1.amazonaws.com');
    assert.equal((await verify('appfiles.s3.us-east-1.amazonaws.com')).principal.kind, 'admin');
    for (const wrong of [undefined, 'other.s3.us-east-1.amazonaws.com', 'appfiles.s3.eu-west-1.amazonaws.com']) {
      await assert.rejects(verify(wrong), (error: unknown) => isForteError(error) && error.code === 'SignatureDoesNotMatch', String(wrong));
    }
  });
});
