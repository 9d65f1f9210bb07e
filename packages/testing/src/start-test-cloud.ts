import { rm } from 'node:fs/promises';
import { createCloud, CREDENTIAL_PROVIDERS, type CloudOptions, type KernelRuntime, type ResolvedCredentials } from '@forte/cloud';
import { makeTempDir } from './make-temp-dir.js';
import { dropTestSchema, postgresTestUrl } from './postgres.js';

export interface TestCloudOptions extends Omit<CloudOptions, 'dataDir' | 'port' | 'logStream'> {
  /** Use this folder (kept on close). Default: a fresh temp folder, removed on close. */
  dataDir?: string;
  /** Also print log lines to stderr (FORTE_TEST_LOG=1 does the same). */
  printLogs?: boolean;
}

/** A running in-process cloud on a free port, for integration tests. */
export interface TestCloud {
  url: string;
  port: number;
  dataDir: string;
  /** The admin keys, and the region to sign for. */
  credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  kernel: KernelRuntime;
  /** What an access key (and session token) resolves to, as every service's SigV4 check sees it. */
  lookupCredentials(accessKeyId: string, sessionToken?: string): Promise<ResolvedCredentials | undefined>;
  /** The JSON log lines written so far (access log included), to assert on. */
  logs(): string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The database a test cloud uses when its test names none: FORTE_TEST_DATABASE=postgres runs every suite
 * on the PostgreSQL test server (a schema per data folder), anything else on the folder's SQLite file.
 */
function testDatabase(dataDir: string): string | undefined {
  const engine = process.env.FORTE_TEST_DATABASE;
  if (engine === undefined || engine === '' || engine === 'sqlite') return undefined;
  if (engine === 'postgres') return postgresTestUrl(dataDir);
  throw new Error(`FORTE_TEST_DATABASE must be sqlite or postgres, not "${engine}".`);
}

/**
 * Starts a cloud on port 0 in a temp folder. Use `await using cloud = await startTestCloud()` or call
 * `close()` in an `after` hook: it stops the cloud and removes the folder it created.
 */
export async function startTestCloud(options: TestCloudOptions = {}): Promise<TestCloud> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await makeTempDir('forte-test-cloud'));
  const lines: string[] = [];
  const print = options.printLogs ?? process.env.FORTE_TEST_LOG === '1';
  const { dataDir: _ignored, printLogs: _print, ...cloudOptions } = options;
  const database = cloudOptions.database ?? testDatabase(dataDir);
  // A schema this cloud made for a folder it owns goes with the folder.
  const dropDatabase = async (): Promise<void> => {
    if (ownDir && database !== undefined && cloudOptions.database === undefined) await dropTestSchema(database);
  };
  let cloud;
  try {
    cloud = await createCloud({
      logLevel: 'debug',
      ...cloudOptions,
      database,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      logStream: {
        write(line: string) {
          lines.push(line);
          if (print) process.stderr.write(line);
        },
      },
    });
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    await dropDatabase();
    throw error;
  }
  const started = cloud;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await started.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
      await dropDatabase();
    })());
  return {
    url: started.url,
    port: started.port,
    dataDir,
    credentials: { ...started.adminCredentials, region: started.kernel.config.region },
    kernel: started.kernel,
    async lookupCredentials(accessKeyId, sessionToken) {
      for (const provider of started.kernel.capability(CREDENTIAL_PROVIDERS)) {
        const found = await provider.lookup(accessKeyId, sessionToken);
        if (found) return found;
      }
      return undefined;
    },
    logs: () => [...lines],
    close,
    [Symbol.asyncDispose]: close,
  };
}
