import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { UserError } from '@forte/protocol';
import { createControlClient, type ControlClient } from './control-client.js';
import { createSignedClient } from './signed-client.js';

/**
 * The control client against a fake cloud that answers each operation with a canned body, as a cloud of
 * another version of Forte might: answers that break the contract fail naming the operation and the field.
 */

const answers = new Map<string, unknown>();
let server: Server;
let endpoint: string;
let control: ControlClient;

before(async () => {
  server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^ForteControl\./, '');
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(answers.get(operation) ?? {});
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  control = createControlClient(createSignedClient({ endpoint, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', region: 'us-east-1' }));
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const app = { appId: 'a1', name: 'demo', slug: 'demo', createdAt: '2026-12-01T00:00:00.000Z' };

describe('control client', () => {
  it('answers what the contract declares, dropping fields it does not know', async () => {
    answers.set('GetApp', { app: { ...app, addedLater: true } });
    assert.deepEqual(await control.call('GetApp', { appId: 'a1' }), { app });
  });

  it('refuses an answer with a field of another shape, naming the operation and the field', async () => {
    answers.set('GetDeployment', {
      deployment: { deploymentId: 'd1', appId: 'a1', envName: 'dev', kind: 'deploy', status: 'DONE', initiatedBy: 'x', startedAt: '2026-12-01T00:00:00.000Z' },
    });
    await assert.rejects(control.call('GetDeployment', { deploymentId: 'd1' }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(
        error.message,
        new RegExp(`^The cloud at ${endpoint} answered GetDeployment with a response this CLI does not understand: deployment\\.status: `),
      );
      assert.match(error.resolution, /same version/);
      return true;
    });
  });

  it('refuses an answer that lacks a field', async () => {
    answers.set('ListEnvironments', { environments: [{ appId: 'a1', envName: 'dev', stackName: 's', status: 'DEPLOYED', createdAt: 'c', updatedAt: 'u' }] });
    await assert.rejects(control.call('ListEnvironments', { appId: 'a1' }), /answered ListEnvironments .*: environments\.0\.outputs: /);
    answers.set('ListApps', { applications: [app] });
    await assert.rejects(control.call('ListApps', {}), /answered ListApps .*: apps: /);
  });
});
