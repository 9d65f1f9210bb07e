import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { evalWorker } from '../engines/eval-worker.js';

/** Where the cloud's own HTTPS certificate lives in its data dir. */
export const TLS_FOLDER = 'tls';
export const CERTIFICATE_FILE = 'cert.pem';
export const KEY_FILE = 'key.pem';

/** A new certificate is made when the current one has less than this left. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
/** 825 days: the longest validity browsers accept for a server certificate they are told to trust. */
const VALIDITY_DAYS = 825;

/** The names a local cloud answers at: localhost, the loopback addresses, and the host it listens on. */
function namesFor(host: string): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (host !== '0.0.0.0' && host !== '::' && host !== '') names.add(host);
  return [...names];
}

function covers(certificate: X509Certificate, names: readonly string[]): boolean {
  return names.every((name) => (isIP(name) ? certificate.checkIP(name) !== undefined : certificate.checkHost(name) !== undefined));
}

export interface LocalCertificate {
  cert: string;
  key: string;
  file: string;
  /** Made now (a first start, or the last one was near its end or did not name the host). */
  created: boolean;
}

/**
 * The cloud's HTTPS certificate and key: `<dataDir>/tls/cert.pem` and `key.pem` (0600), a self-signed
 * certificate made at the first start (and again when it nears its end or no longer names the listen host),
 * kept so that a browser or system told to trust it once keeps trusting it. `signal` stops its making (the cloud
 * closing): then nothing is written.
 */
export async function localCertificate(dataDir: string, host: string, signal?: AbortSignal): Promise<LocalCertificate> {
  const folder = join(dataDir, TLS_FOLDER);
  const certFile = join(folder, CERTIFICATE_FILE);
  const keyFile = join(folder, KEY_FILE);
  const names = namesFor(host);
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const parsed = new X509Certificate(cert);
    if (Date.parse(parsed.validTo) - Date.now() > RENEW_BEFORE_MS && covers(parsed, names)) return { cert, key, file: certFile, created: false };
  } catch {
    // Missing or unreadable: made below.
  }
  const now = new Date();
  // ECDSA P-256: what every browser accepts, made in milliseconds (an RSA key takes a fifth of a second or more,
  // paid by every first start of a cloud, tests included).
  const made = await generateOffThread(signal, [{ name: 'commonName', value: 'Forte Cloud (local)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  signal?.throwIfAborted();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  // Written beside and renamed, so a crash never leaves half a key; the key is the owner's alone.
  writeFileSync(`${keyFile}.tmp`, made.private, { mode: 0o600 });
  writeFileSync(`${certFile}.tmp`, made.cert, { mode: 0o644 });
  renameSync(`${keyFile}.tmp`, keyFile);
  renameSync(`${certFile}.tmp`, certFile);
  return { cert: made.cert, key: made.private, file: certFile, created: true };
}

/** What the worker runs: selfsigned's `generate` with the options it is given, its answer posted back. */
const GENERATE = `const { parentPort, workerData } = require('node:worker_threads');
require(workerData.module).generate(workerData.attributes, workerData.options).then(
  (made) => parentPort.postMessage({ cert: made.cert, private: made.private }),
  (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }),
);`;

/**
 * selfsigned's `generate`, on a thread of its own: loading it (and the X.509 library under it) takes about a sixth
 * of a second, which a first start would otherwise spend on its main thread, before it can answer anything; on a
 * thread it overlaps the rest of the start (createCloud begins it first).
 */
function generateOffThread(signal: AbortSignal | undefined, attributes: unknown, options: unknown): Promise<{ cert: string; private: string }> {
  signal?.throwIfAborted();
  const module = createRequire(import.meta.url).resolve('selfsigned');
  return new Promise((resolve, reject) => {
    const worker = evalWorker(GENERATE, { workerData: { module, attributes, options } });
    signal?.addEventListener(
      'abort',
      () => {
        reject(signal.reason);
        void worker.terminate();
      },
      { once: true },
    );
    worker.once('message', (answer: { cert: string; private: string } | { error: string }) => {
      if ('error' in answer) reject(new Error(`The HTTPS certificate could not be made: ${answer.error}`));
      else resolve(answer);
      void worker.terminate();
    });
    worker.once('error', (error) => reject(new Error(`The HTTPS certificate could not be made: ${error.message}`, { cause: error })));
    worker.once('exit', (code) => reject(new Error(`The HTTPS certificate could not be made: its thread stopped (${code}).`)));
  });
}
