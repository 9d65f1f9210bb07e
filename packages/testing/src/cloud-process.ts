import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The cloud's bin as `forte-cloud` runs it. */
export const CLOUD_BIN = join(createRequire(import.meta.url).resolve('@forte/cloud/package.json'), '..', 'dist', 'bin.cjs');

/** A cloud started as its own process (so a test can kill -9 it): the process and the URL it listens on. */
export interface CloudProcess {
  child: ChildProcess;
  url: string;
  /** What it has printed on stderr so far. */
  stderr(): string;
}

/**
 * Starts `forte-cloud --port 0 --data-dir <dataDir>` with `env` added to this process's environment, and
 * resolves once it listens; rejects with what it printed if it exits first.
 */
export async function startCloudProcess(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<CloudProcess> {
  const child = spawn(process.execPath, [CLOUD_BIN, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the cloud of ${dataDir} exited with ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}
