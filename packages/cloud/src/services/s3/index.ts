import { RESOURCE_TYPES } from '@forte/protocol';
import { OBJECTS } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createBucketHandler } from './bucket-handler.js';
import { createObjectReader } from './object-reader.js';
import { S3_MIGRATIONS, createObjectStore } from './object-store.js';
import { createS3Route } from './s3-route.js';

/**
 * S3: the REST protocol (path style under `/s3/`, virtual-host style on `<bucket>.s3.localhost`) and
 * the `Forte::S3::Bucket` and `AWS::S3::Bucket` resource types. Object metadata lives in SQL, bodies in the blob store under
 * generated ids, so an object key is never a file path. Other services read objects through `OBJECTS`.
 */
export function createS3Service(kernel: Kernel): Service {
  const store = createObjectStore(kernel.sql);
  // Amplify's storage stacks declare AWS::S3::Bucket (BucketName, CorsConfiguration, NotificationConfiguration): the same handler.
  const buckets = createBucketHandler({ store, blobs: kernel.blobs, port: () => kernel.port() });
  return {
    name: 's3',
    provides: [provide(OBJECTS, createObjectReader(store, kernel.blobs))],
    routes: [createS3Route({ store, blobs: kernel.blobs, region: kernel.config.region, accountId: kernel.config.accountId })],
    resourceTypes: { [RESOURCE_TYPES.bucket]: buckets, 'AWS::S3::Bucket': buckets },
    start: () => kernel.sql.migrate('s3', S3_MIGRATIONS),
  };
}
