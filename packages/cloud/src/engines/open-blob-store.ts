import { join } from 'node:path';
import { createFsBlobStore } from './fs-blobs/fs-blob-store.js';
import { BlobStoreUrlError, parseS3BlobUrl } from './s3-blobs/s3-blob-url.js';
import type { BlobStore } from './types.js';

/** A blob store the cloud opened, with where it keeps blobs (for logs: never credentials) and how to close it. */
export interface OpenedBlobStore {
  store: BlobStore;
  location: string;
  close(): void;
}

/**
 * The blob store a `--blobs` setting names: none (or empty) is the folder `<dataDir>/blobs`;
 * `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true` a bucket on S3 or an S3-compatible server,
 * checked before the cloud starts (a missing bucket or refused credentials fail the start). The S3 engine and
 * its SDK load only then: a cloud on the folder does not read them.
 */
export async function openBlobStore(spec: string | undefined, dataDir: string): Promise<OpenedBlobStore> {
  if (!spec) {
    const folder = join(dataDir, 'blobs');
    return { store: createFsBlobStore(folder), location: folder, close: () => undefined };
  }
  const problem = blobStoreSpecProblem(spec);
  if (problem) throw new BlobStoreUrlError(problem);
  const { openS3BlobStore } = await import('./s3-blobs/s3-blob-store.js');
  const store = openS3BlobStore(spec);
  try {
    await store.check();
  } catch (error) {
    store.close();
    throw error;
  }
  return { store, location: store.location, close: () => store.close() };
}

/** What is wrong with a `--blobs` setting, fit to print after its source's name; undefined when it can be used. */
export function blobStoreSpecProblem(spec: string): string | undefined {
  if (!spec.startsWith('s3://')) return 'takes s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true (leave it out to keep blobs in the data folder)';
  try {
    parseS3BlobUrl(spec);
    return undefined;
  } catch (error) {
    if (error instanceof BlobStoreUrlError) return error.message;
    throw error;
  }
}
