import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { createCloud } from '../server.js';

/** A GET over HTTPS that trusts only `ca`: it fails unless the cloud's certificate names the address. */
function getTrusting(url: string, ca: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, ca === undefined ? {} : { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTPS listener', () => {
  it('does not keep a stopping cloud waiting for a certificate it has not made, nor write one after it stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-tls-'));
    try {
      const lines: string[] = [];
      const cloud = await createCloud({
        dataDir: dir,
        port: 0,
        httpsPort: 0,
        logLevel: 'warn' as const,
        logStream: { write: (line) => void lines.push(line) },
      });
      // A connection that waits for the certificate: closing ends it rather than waiting for it.
      const socket = connect(Number(new URL(cloud.httpsUrl!).port), '127.0.0.1');
      await once(socket, 'connect');
      const ended = once(socket, 'close');
      await cloud.close();
      await ended;
      await assert.rejects(cloud.httpsReady, /stopped before its HTTPS certificate was made/);
      assert.equal(existsSync(join(dir, 'tls', 'cert.pem')), false);
      assert.deepEqual(lines, [], 'a close is not an error');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves the cloud over TLS with a certificate made once in the data dir, which hosted-UI domains are addressed by', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-tls-'));
    try {
      const quiet = { dataDir: dir, port: 0, httpsPort: 0, logLevel: 'warn' as const, logStream: { write: () => undefined } };
      let cloud = await createCloud(quiet);
      // The port takes a connection before its certificate is made (a first start makes it on a thread of its own).
      const early = new Promise<number>((resolve, reject) =>
        request(`${cloud.httpsUrl}/_forte/health`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
      await cloud.httpsReady;
      assert.equal(await early, 200);
      const certFile = join(dir, 'tls', 'cert.pem');
      const cert = readFileSync(certFile, 'utf8');
      if (process.platform !== 'win32') assert.equal(statSync(join(dir, 'tls', 'key.pem')).mode & 0o777, 0o600);
      assert.match(cloud.httpsUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await getTrusting(`${cloud.httpsUrl}/_forte/health`, cert), 200);
      assert.equal(await getTrusting(`${cloud.httpsUrl!.replace('127.0.0.1', 'localhost')}/_forte/health`, cert), 200);
      // Self-signed: trusted by whoever is told to, by nobody else.
      await assert.rejects(getTrusting(`${cloud.httpsUrl}/_forte/health`, undefined), /self-signed/);
      const ctx = {
        appId: 'a',
        appSlug: 'a',
        envName: 'dev',
        stackName: 's',
        region: 'us-east-1',
        accountId: cloud.kernel.config.accountId,
        log: cloud.kernel.log,
      };
      const pool = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPool)!.create({ PoolName: 'p' }, { ...ctx, logicalId: 'UserPool' });
      const domain = await cloud.kernel
        .resourceHandler(AUTH_RESOURCE_TYPES.userPoolDomain)!
        .create({ UserPoolId: pool.physicalId, Domain: 'tls-test' }, { ...ctx, logicalId: 'UserPoolDomain' });
      assert.equal(domain.attributes.Address, `${cloud.httpsUrl!.slice('https://'.length)}/hosted-ui/tls-test`);
      await cloud.close();
      cloud = await createCloud(quiet);
      await cloud.httpsReady;
      assert.equal(readFileSync(certFile, 'utf8'), cert, 'kept: a browser told to trust it keeps trusting it');
      assert.equal(await getTrusting(`${cloud.httpsUrl}/_forte/health`, cert), 200);
      await cloud.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
