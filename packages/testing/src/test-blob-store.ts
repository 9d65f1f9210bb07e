import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createIamService, createS3Service } from '@forte/cloud';
import { startTestCloud } from './start-test-cloud.js';

/** An S3-compatible blob store for the instances of a test cluster, which each have their own data folder. */
export interface TestBlobStore {
  /** The `blobs` setting that names it (`s3://…`, credentials included). */
  blobs: string;
  close(): Promise<void>;
}

/**
 * Starts a third cloud (SQLite, in its own folder) and makes a bucket on its S3 for the blobs of a cluster's
 * instances: what one instance stores (objects, site files, code zips), the others read, as with one bucket
 * on S3 or MinIO.
 */
export async function startTestBlobStore(): Promise<TestBlobStore> {
  const store = await startTestCloud({ database: 'sqlite', services: [createIamService, createS3Service] });
  const s3 = new S3Client({ endpoint: `${store.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: store.credentials, maxAttempts: 1 });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'cluster-blobs' }));
  } catch (error) {
    await store.close();
    throw error;
  } finally {
    s3.destroy();
  }
  const { accessKeyId, secretAccessKey } = store.credentials;
  const endpoint = encodeURIComponent(`${store.url}/s3`);
  return {
    blobs: `s3://${accessKeyId}:${encodeURIComponent(secretAccessKey)}@cluster-blobs/forte?endpoint=${endpoint}&forcePathStyle=true&region=us-east-1`,
    close: () => store.close(),
  };
}
