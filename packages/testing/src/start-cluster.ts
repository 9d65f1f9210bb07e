import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { makeTempDir } from './make-temp-dir.js';
import { TEST_NATS_URL, testNats } from './nats.js';
import { dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
import { startTestCloud, type TestCloud, type TestCloudOptions } from './start-test-cloud.js';
import { startTestBlobStore, type TestBlobStore } from './test-blob-store.js';

/** Two test clouds sharing one database, blob store and bus, each on its own data folder, as two instances of a cluster. */
export interface TestCluster {
  a: TestCloud;
  b: TestCloud;
  /** Closes both (either may be closed already) and the blob store, drops the schema and removes the folders. */
  close(): Promise<void>;
}

/** Why cluster tests cannot run here (PostgreSQL or NATS does not answer), printed once; undefined when they can. */
export async function clusterSkipReason(): Promise<string | undefined> {
  const postgres = await testPostgres();
  const nats = await testNats();
  const skip = !postgres.ok ? `PostgreSQL: ${postgres.reason}` : !nats.ok ? `NATS: ${nats.reason}` : undefined;
  if (skip) console.log(`cluster tests skipped: ${skip}`);
  return skip;
}

/**
 * Starts A, then B on A's PostgreSQL schema and NATS bus, as separate machines run them: each on its own data
 * folder, with one secret key and the blobs in one S3-compatible store (`startTestBlobStore`, unless
 * `options.blobs` names one). B answers under A's URL (`publicUrl`), as instances behind one load balancer do.
 */
export async function startCluster(services?: TestCloudOptions['services'], options: TestCloudOptions = {}): Promise<TestCluster> {
  const folders = [await makeTempDir('forte-cluster-a'), await makeTempDir('forte-cluster-b')] as const;
  const database = postgresTestUrl();
  let blobStore: TestBlobStore | undefined;
  let a: TestCloud | undefined;
  let b: TestCloud | undefined;
  const close = async (): Promise<void> => {
    await b?.close();
    await a?.close();
    await blobStore?.close();
    await dropTestSchema(database);
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  };
  try {
    if (options.blobs === undefined) blobStore = await startTestBlobStore();
    const common = {
      ...options,
      database,
      blobs: options.blobs ?? blobStore!.blobs,
      secretKey: options.secretKey ?? randomBytes(32).toString('base64'),
      bus: TEST_NATS_URL,
      logLevel: 'info' as const,
      ...(services ? { services } : {}),
    };
    a = await startTestCloud({ ...common, dataDir: folders[0] });
    b = await startTestCloud({ ...common, dataDir: folders[1], publicUrl: a.url });
    return { a, b, close };
  } catch (error) {
    await close();
    throw error;
  }
}
