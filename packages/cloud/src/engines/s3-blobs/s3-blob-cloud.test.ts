import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, readCloudSettings } from '../../config-file.js';
import { startS3Server, S3_SERVER_BUCKET, S3_SERVER_KEYS, type S3Server } from './s3-server.test-helper.js';

const BIN = fileURLToPath(new URL('../../bin.js', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
let server: S3Server;

before(async () => {
  server = await startS3Server();
});
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  await server[Symbol.asyncDispose]();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-s3-cloud-'));
  dirs.push(dir);
  return dir;
}

/** Starts the bin; answers its URL once it listens, or its exit code and output when it does not start. */
async function startBin(args: string[], env: Record<string, string> = {}): Promise<{ url?: string; code?: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Generous: on a loaded 2-core machine, starting Node and the cloud can take seconds.
  for (let i = 0; i < 1200; i++) {
    const listening = /^Forte Cloud listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
    if (listening) return { url: listening[1]!, output };
    if (child.exitCode !== null) return { code: await exited, output };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the cloud neither listened nor exited: ${output}`);
}

/** Every file below `dir`. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

void describe('forte-cloud --blobs s3://…', () => {
  void it('keeps an S3 PutObject body in the external store, and GetObject answers it', async () => {
    const dataDir = await tempDir();
    // config.json names a bucket that does not exist: the flag wins over it.
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ blobs: server.urlFor('cloud').replace(`@${S3_SERVER_BUCKET}/`, '@no-such-bucket/') }));
    const started = await startBin(['--data-dir', dataDir, '--blobs', server.urlFor('cloud')]);
    assert.ok(started.url, started.output);
    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const cloud = new S3Client({ endpoint: `${started.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts: 1 });
    const body = randomBytes(300 * 1024);
    await cloud.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await cloud.send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: body }));
    const got = await cloud.send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.jpg' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
    cloud.destroy();

    // The body is an object of the S3-compatible server, under the URL's prefix, and in no file of the data folder.
    const stored = filesUnder(join(server.directory, S3_SERVER_BUCKET, 'cloud')).filter((file) => file.endsWith('._S3rver_object'));
    const holding = stored.filter((file) => readFileSync(file).equals(body));
    assert.equal(holding.length, 1, `objects of the external store: ${stored.join(', ')}`);
    assert.ok(!filesUnder(dataDir).some((file) => readFileSync(file).equals(body)), 'the body is not in the data folder');
    const key = holding[0]!.slice(join(server.directory, S3_SERVER_BUCKET).length + 1).replace(/\._S3rver_object$/, '');
    assert.match(key, /^cloud\/s3\/[0-9a-f]+$/);
    const external = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3_SERVER_KEYS });
    const direct = await external.send(new GetObjectCommand({ Bucket: S3_SERVER_BUCKET, Key: key }));
    assert.deepEqual(Buffer.from(await direct.Body!.transformToByteArray()), body);
    external.destroy();

    const log = readFileSync(join(dataDir, 'logs', 'cloud.log'), 'utf8');
    assert.match(log, /"blobs":"s3:\/\/forte-blobs\/cloud\?endpoint=/);
    assert.doesNotMatch(log, /S3RVER/, 'the log holds no credentials');
  });

  void it('does not start on a bucket that does not exist (config.json), and refuses a --blobs that is no s3:// URL', async () => {
    const dataDir = await tempDir();
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ blobs: server.urlFor('cloud').replace(`@${S3_SERVER_BUCKET}/`, '@no-such-bucket/') }));
    const missing = await startBin(['--data-dir', dataDir]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.output,
      /Forte Cloud could not start: the blob store s3:\/\/no-such-bucket\/cloud\?.* cannot be used: the bucket no-such-bucket does not exist/,
    );
    assert.doesNotMatch(missing.output, /S3RVER/);

    const wrong = await startBin(['--data-dir', dataDir, '--blobs', '/var/blobs']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.output, /--blobs: takes s3:\/\/bucket\/prefix\?endpoint=…/);
  });
});

void describe('the blobs setting', () => {
  it('comes from FORTE_BLOBS, which wins, or config.json; a bad one names where it was written', async () => {
    const dataDir = await tempDir();
    assert.equal(readCloudSettings(dataDir, {}).blobs, undefined);
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ blobs: 's3://from-file/p' }));
    assert.equal(readCloudSettings(dataDir, {}).blobs, 's3://from-file/p');
    assert.equal(readCloudSettings(dataDir, { FORTE_BLOBS: 's3://k:secret@from-env' }).blobs, 's3://k:secret@from-env');
    assert.throws(
      () => readCloudSettings(dataDir, { FORTE_BLOBS: 's3://k:secret@Bad_Bucket' }),
      (error: Error) =>
        error instanceof ConfigError && /^FORTE_BLOBS: the blob store URL names the bucket "Bad_Bucket"/.test(error.message) && !/secret/.test(error.message),
    );
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ blobs: 's3://bucket?endpont=x' }));
    assert.throws(() => readCloudSettings(dataDir, {}), /config\.json: blobs: the blob store URL has the parameter "endpont"/);
  });
});
