import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CapabilityError, defineCapability, defineCapabilityList, provide } from './kernel/capability.js';
import type { ServiceFactory } from './kernel/types.js';
import { createCloud, type Cloud, type CloudOptions } from './server.js';
import { createAppSyncService } from './services/appsync/index.js';
import { createCognitoIdentityService } from './services/cognito-identity/index.js';
import { createCognitoIdpService } from './services/cognito-idp/index.js';
import { createControlService } from './services/control/index.js';
import { TEST_RESOURCE_TYPE } from './services/control/test-resource.js';
import { createHostingService } from './services/hosting/index.js';
import { createIamService } from './services/iam/index.js';
import { createS3Service } from './services/s3/index.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function start(options: Omit<CloudOptions, 'dataDir'>): Promise<Cloud> {
  const dataDir = await mkdtemp(join(tmpdir(), 'forte-composition-'));
  dirs.push(dataDir);
  return createCloud({ dataDir, port: 0, logStream: { write: () => true }, ...options });
}

/** A plain GET with the Host header given (fetch cannot set it). */
function get(cloud: Cloud, path: string, host?: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cloud.url}${path}`, { headers: host === undefined ? {} : { host: `${host}:${cloud.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A test capability, a service that provides it and one that requires it (serving what it gives).
const GREETER = defineCapability<{ greet(name: string): string }>('test-greeter', { providedBy: 'greeter' });
const WORDS = defineCapabilityList<string>('test-words');
const greeterService: ServiceFactory = () => ({
  name: 'greeter',
  routes: [],
  provides: [provide(GREETER, { greet: (name) => `hello, ${name}` }), provide(WORDS, 'first')],
});
const wordsService: ServiceFactory = () => ({ name: 'words', routes: [], provides: [provide(WORDS, 'second')] });
const welcomeService: ServiceFactory = (kernel) => ({
  name: 'welcome',
  requires: [GREETER],
  routes: [
    {
      name: 'welcome',
      errorFormat: 'text',
      match: { path: (req, pathname) => req.method === 'GET' && pathname === '/welcome' },
      async handle(ctx) {
        const body = `${kernel.capability(GREETER).greet('forte')} (${kernel.capability(WORDS).join(', ')})`;
        ctx.res.writeHead(200, { 'content-type': 'text/plain' });
        ctx.res.end(body);
      },
    },
  ],
});

void describe('createCloud({ services })', () => {
  void it('runs only the services given', async () => {
    const cloud = await start({ services: [createIamService, createCognitoIdpService] });
    try {
      assert.deepEqual(
        cloud.kernel.services.map((s) => s.name),
        ['admin-credentials', 'iam', 'cognito-idp'],
      );
      assert.ok(cloud.kernel.resourceHandler('Forte::Cognito::UserPool'));
      assert.equal(cloud.kernel.resourceHandler('Forte::DynamoDB::Table'), undefined);
      const cognito = await fetch(`${cloud.url}/cognito-idp/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'nope', AuthParameters: { USERNAME: 'a', PASSWORD: 'b' } }),
      });
      assert.equal(((await cognito.json()) as { __type: string }).__type, 'ResourceNotFoundException');
      const dynamodb = await fetch(`${cloud.url}/dynamodb/`, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
      assert.equal(dynamodb.status, 404, 'no table service in this cloud');
    } finally {
      await cloud.close();
    }
  });

  void it('gives the built-ins among the services their settings from the cloud options', async () => {
    for (const testFaults of [true, false]) {
      const cloud = await start({ services: [createControlService], testFaults });
      try {
        assert.equal(cloud.kernel.resourceHandler(TEST_RESOURCE_TYPE) !== undefined, testFaults, `testFaults: ${testFaults}`);
      } finally {
        await cloud.close();
      }
    }
  });

  void it('gives a service the capability another provides, whichever comes first in the list', async () => {
    const cloud = await start({ services: [welcomeService, greeterService, wordsService] });
    try {
      const res = await get(cloud, '/welcome');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'hello, forte (first, second)', 'a single capability answers its provider; a list every provider, in order');
    } finally {
      await cloud.close();
    }
  });

  void it('refuses to start when a required capability has no provider, naming the service, the capability and the fix', async () => {
    await assert.rejects(start({ services: [welcomeService, wordsService] }), (error: unknown) => {
      assert.ok(error instanceof CapabilityError);
      assert.equal(error.message, 'welcome requires capability "test-greeter", which no service provides (start greeter)');
      return true;
    });
    await assert.rejects(start({ services: [createIamService, createAppSyncService] }), {
      name: 'CapabilityError',
      message: 'appsync requires capability "tables", which no service provides (start dynamodb)',
    });
    await assert.rejects(start({ services: [createCognitoIdentityService] }), {
      message: 'cognito-identity requires capability "trust-policy-sources", which no service provides (start iam)',
    });
  });

  void it('refuses a single capability provided twice', async () => {
    const twin: ServiceFactory = () => ({ name: 'twin', routes: [], provides: [provide(GREETER, { greet: () => 'hi' })] });
    await assert.rejects(start({ services: [greeterService, twin] }), {
      name: 'CapabilityError',
      message: 'services greeter and twin both provide capability "test-greeter", which only one service may provide',
    });
  });

  void it('dispatches by declared route order, not by the order services are given: a site host name wins over S3', async () => {
    for (const services of [
      [createS3Service, createHostingService],
      [createHostingService, createS3Service],
    ]) {
      const cloud = await start({ services });
      try {
        const site = await get(cloud, '/s3/bucket/key', 'nosite-dev.localhost');
        assert.equal(site.status, 404);
        assert.match(site.body, /No site is named nosite-dev/, `the hosting service answers (${services.map((s) => s.name).join(', ')})`);
        const object = await get(cloud, '/s3/bucket/key', '127.0.0.1');
        assert.match(object.contentType, /xml/, 'S3 still answers on the API host');
      } finally {
        await cloud.close();
      }
    }
  });
});
