import type { BlobStore } from '../../engines/types.js';
import type { ObjectReader } from '../../kernel/capabilities.js';
import type { ObjectStore } from './object-store.js';

/**
 * The `OBJECTS` capability: one object of a bucket, read whole into memory for services that need its bytes
 * (Lambda code zips). The size is checked on the stored row before any byte is read, so a huge object costs nothing.
 */
export function createObjectReader(store: ObjectStore, blobs: BlobStore): ObjectReader {
  return {
    async read(bucket, key, { maxBytes }) {
      const object = await store.getObject(bucket, key);
      if (!object) return { status: 'missing' };
      if (object.size > maxBytes) return { status: 'too-large', size: object.size };
      return { status: 'found', body: await blobs.read(object.blobId) };
    },
  };
}
