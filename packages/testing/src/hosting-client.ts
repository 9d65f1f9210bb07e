import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { hostingBlobPath, SIGNING_SERVICE } from '@forte/protocol';
import type { TestCloud } from './start-test-cloud.js';

/** An HTTP answer of a test cloud. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Raw HTTP to one cloud; `signed`: SigV4 with its admin keys (a site is reached by its Host header). */
export function send(
  cloud: TestCloud,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; signed?: boolean },
): Promise<Reply> {
  return (async () => {
    const method = options.method ?? 'GET';
    let headers: Record<string, string> = { host: `127.0.0.1:${cloud.port}`, ...options.headers };
    if (options.signed) {
      const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
      const signed = await signer.sign({
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: cloud.port,
        path: options.path,
        query: {},
        headers,
        body: options.body,
      });
      headers = signed.headers as Record<string, string>;
    }
    return new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: cloud.port, method, path: options.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  })();
}

/** The sha256 of a text, in hex. */
export const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');

/** A call of the hosting deploy API (`ForteHosting.<operation>`). */
export async function hosting(cloud: TestCloud, operation: string, input: unknown): Promise<Reply & { json: any }> {
  const reply = await send(cloud, {
    method: 'POST',
    path: '/hosting-api/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `ForteHosting.${operation}` },
    body: JSON.stringify(input),
    signed: true,
  });
  return { ...reply, json: JSON.parse(reply.body.toString('utf8')) };
}

/** CreateDeployment and the blobs it lacks, through one instance; answers the deployment id (not started). */
export async function uploadDeployment(cloud: TestCloud, siteId: string, files: Record<string, string>): Promise<string> {
  const list = Object.entries(files).map(([path, content]) => ({ path, sha256: sha256Hex(content), size: Buffer.byteLength(content) }));
  const created = await hosting(cloud, 'CreateDeployment', { siteId, files: list });
  assert.equal(created.status, 200, created.body.toString());
  for (const hash of created.json.missing as string[]) {
    const content = Object.values(files).find((c) => sha256Hex(c) === hash)!;
    const up = await send(cloud, {
      method: 'PUT',
      path: hostingBlobPath(siteId, hash),
      headers: { 'x-amz-content-sha256': hash },
      body: content,
      signed: true,
    });
    assert.equal(up.status, 200, up.body.toString());
  }
  return created.json.deployment.deploymentId as string;
}

/** StartDeployment, which must succeed. */
export async function startDeployment(cloud: TestCloud, siteId: string, deploymentId: string): Promise<void> {
  const started = await hosting(cloud, 'StartDeployment', { siteId, deploymentId });
  assert.equal(started.status, 200, started.body.toString());
}
