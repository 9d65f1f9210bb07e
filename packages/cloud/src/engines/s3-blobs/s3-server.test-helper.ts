import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The access key pair s3rver accepts (it checks SigV4 signatures made with it). */
export const S3_SERVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A bucket the server makes at start. */
export const S3_SERVER_BUCKET = 'forte-blobs';

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Where the server keeps its objects (it survives a restart). */
  directory: string;
  /** `s3://KEY:SECRET@bucket/prefix?endpoint=…` for this server. */
  urlFor(prefix: string): string;
  /** Ends the server at once (SIGKILL): as a server that crashes or loses its network. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Ends it and removes its folder. */
  [Symbol.asyncDispose](): Promise<void>;
}

// An S3-compatible server that is not Forte: s3rver (MIT; objects in a folder, SigV4 checked, multipart
// uploads, ranges, CopyObject), run in a process of its own so that its memory is not the tests'.
const SERVER_SCRIPT = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: Number(process.argv[2]), directory: process.argv[3], silent: true,
  vhostBuckets: false, configureBuckets: [{ name: process.argv[4], configs: [] }] });
server.run().then((address) => console.log('listening ' + address.port), (error) => { console.error(error); process.exit(1); });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Starts s3rver on a free port of 127.0.0.1 with an empty folder and the bucket S3_SERVER_BUCKET. */
export async function startS3Server(): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'forte-s3rver-'));
  const entry = createRequire(import.meta.url).resolve('@20minutes/s3rver');
  let child: ChildProcess | undefined;
  const launch = async (port: number): Promise<number> => {
    const started = spawn(process.execPath, ['-e', SERVER_SCRIPT, entry, String(port), directory, S3_SERVER_BUCKET], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let out = '';
    let err = '';
    started.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    return new Promise<number>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      started.on('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
    });
  };
  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  const port = await launch(0);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    directory,
    urlFor: (prefix) =>
      `s3://${S3_SERVER_KEYS.accessKeyId}:${S3_SERVER_KEYS.secretAccessKey}@${S3_SERVER_BUCKET}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`,
    kill: () => stopChild('SIGKILL'),
    restart: async () => {
      await stopChild('SIGKILL');
      await launch(port);
    },
    async [Symbol.asyncDispose]() {
      await stopChild('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    },
  };
}
