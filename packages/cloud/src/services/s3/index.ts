import { randomUUID } from 'node:crypto';
import { RESOURCE_TYPES } from '@forte/protocol';
import { nulSafeText } from '../../engines/dialect/nul-text.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { CREDENTIAL_PROVIDERS, FUNCTIONS, OBJECTS, type FunctionInvoker } from '../../kernel/capabilities.js';
import { CapabilityError, provide } from '../../kernel/capability.js';
import { chainedCredentials } from '../../kernel/sigv4.js';
import type { CredentialProvider, Kernel, Service } from '../../kernel/types.js';
import { createBucketHandler } from './bucket-handler.js';
import { createBucketObjectsHandler } from './bucket-objects-handler.js';
import { NOTIFICATION_MIGRATIONS, createBucketNotifications } from './bucket-notifications.js';
import { createNotificationDispatcher } from './notification-dispatcher.js';
import { createObjectReader } from './object-reader.js';
import { S3_MIGRATIONS, createObjectStore } from './object-store.js';
import { createS3Route } from './s3-route.js';
import { createWebsiteRoute } from './website-route.js';

/**
 * S3: the REST protocol (path style under `/s3/`, virtual-host style on `<bucket>.s3.localhost`, the website
 * endpoint of buckets with a website configuration on `<bucket>.s3-website.localhost`, and
 * `/s3-aws/<AWS S3 host>/…` for requests signed for AWS that @forte/amplify sends here) and the bucket resource
 * types (`Forte::S3::Bucket`, and `AWS::S3::Bucket` as Amplify's storage stack writes it). Object metadata lives in SQL, bodies in the blob store under
 * generated ids, so an object key is never a file path. Other services read objects through `OBJECTS`.
 * Bucket notifications invoke Lambda functions through `FUNCTIONS`, when the cloud runs lambda (s3 does not
 * require it: lambda reads its code through `OBJECTS`).
 */
export function createS3Service(kernel: Kernel): Service {
  // Keys and names in request paths may hold U+0000, which PostgreSQL's TEXT refuses: looked up escaped there.
  const sql = nulSafeText(kernel.sql);
  const { region, accountId } = kernel.config;
  const functions = (): FunctionInvoker | undefined => {
    try {
      return kernel.capability(FUNCTIONS);
    } catch (error) {
      if (error instanceof CapabilityError) return undefined;
      throw error;
    }
  };
  const dispatcher = createNotificationDispatcher({
    sql,
    log: kernel.log,
    functions,
    instance: kernel.config.instance ?? randomUUID(),
    shared: kernel.sql.dialect !== 'sqlite',
  });
  // Events recorded here wake the dispatchers of the other instances too: any of them may claim them.
  const eventsRecorded = createCacheInvalidation<null>(kernel, 's3-notification-events', {
    isChange: (value): value is null => value === null,
    onChange: () => dispatcher.wake(),
    onLost: () => dispatcher.wake(),
  });
  const notifications = createBucketNotifications({
    sql,
    region,
    accountId,
    functions,
    clientAddress: kernel.clientAddress,
    onRecorded: () => {
      setImmediate(dispatcher.wake);
      eventsRecorded.changed(null);
    },
  });
  const store = createObjectStore(notifications.afterCommit(sql));
  // Providers are asked at each use: services that provide credentials may start after this one is built.
  const credentials: CredentialProvider = {
    lookup: (accessKeyId, sessionToken) => chainedCredentials(kernel.capability(CREDENTIAL_PROVIDERS)).lookup(accessKeyId, sessionToken),
  };
  const buckets = createBucketHandler({ store, blobs: kernel.blobs, notifications, port: () => kernel.port() });
  return {
    name: 's3',
    provides: [provide(OBJECTS, createObjectReader(store, kernel.blobs))],
    routes: [createS3Route({ store, blobs: kernel.blobs, notifications, region, accountId, credentials }), createWebsiteRoute({ store, blobs: kernel.blobs })],
    resourceTypes: {
      [RESOURCE_TYPES.bucket]: buckets,
      'AWS::S3::Bucket': buckets,
      [RESOURCE_TYPES.bucketObjects]: createBucketObjectsHandler({ store, blobs: kernel.blobs }),
    },
    async start() {
      await sql.migrate('s3', S3_MIGRATIONS);
      await sql.migrate('s3-notifications', NOTIFICATION_MIGRATIONS);
      await eventsRecorded.start();
      dispatcher.start();
    },
    async stop() {
      eventsRecorded.stop();
      await dispatcher.stop();
    },
  };
}
