import { rm } from 'node:fs/promises';
import { makeTempDir } from './make-temp-dir.js';
import { TEST_NATS_URL, testNats } from './nats.js';
import { dropTestSchema, postgresTestUrl, testPostgres } from './postgres.js';
import { startTestCloud, type TestCloud, type TestCloudOptions } from './start-test-cloud.js';

/** Two test clouds sharing one database, data folder and bus, as two instances of a cluster. */
export interface TestCluster {
  a: TestCloud;
  b: TestCloud;
  /** Closes both (either may be closed already), drops the schema and removes the folder. */
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
 * Starts A, then B on A's PostgreSQL schema, folder (their shared blob store and keys) and NATS bus; B
 * answers under A's URL (`publicUrl`), as instances behind one load balancer do.
 */
export async function startCluster(services?: TestCloudOptions['services'], options: TestCloudOptions = {}): Promise<TestCluster> {
  const dataDir = await makeTempDir('forte-cluster');
  const database = postgresTestUrl();
  const common = { ...options, dataDir, database, bus: TEST_NATS_URL, logLevel: 'info' as const, ...(services ? { services } : {}) };
  let a: TestCloud | undefined;
  let b: TestCloud | undefined;
  const close = async (): Promise<void> => {
    await b?.close();
    await a?.close();
    await dropTestSchema(database);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    a = await startTestCloud(common);
    b = await startTestCloud({ ...common, publicUrl: a.url });
    return { a, b, close };
  } catch (error) {
    await close();
    throw error;
  }
}
