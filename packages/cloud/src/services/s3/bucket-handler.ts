import { isForteError } from '@forte/protocol';
import { z } from 'zod';
import type { BlobStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { validateCorsRules, type CorsRule } from './bucket-cors.js';
import { assertValidBucketName } from './bucket-name.js';
import type { BucketNotifications } from './bucket-notifications.js';
import { notificationFromTemplate, type NotificationConfiguration } from './notification-configuration.js';
import type { BucketWebsite, ObjectStore } from './object-store.js';
import { bucketWebsiteUrl } from './website-route.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

/** `AWS::S3::Bucket CorsConfiguration` (CloudFormation's names: CorsRules, ExposedHeaders, MaxAge). */
const corsConfiguration = z.object({
  CorsRules: z.array(
    z.object({
      Id: z.string().optional(),
      AllowedMethods: z.array(z.string()),
      AllowedOrigins: z.array(z.string()),
      AllowedHeaders: z.array(z.string()).optional(),
      ExposedHeaders: z.array(z.string()).optional(),
      MaxAge: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(),
    }),
  ),
});
/**
 * `AWS::S3::Bucket WebsiteConfiguration`: the documents its website endpoint serves. Redirects
 * (`RedirectAllRequestsTo`, `RoutingRules`) are accepted and not served: without an IndexDocument the bucket
 * has no website here.
 */
const websiteConfiguration = z.object({
  IndexDocument: z
    .string()
    .min(1)
    .refine((s) => !s.includes('/'), 'IndexDocument cannot contain a slash')
    .optional(),
  ErrorDocument: z.string().min(1).optional(),
});
const bucketProps = z.object({
  BucketName: z.string().min(1),
  CorsConfiguration: corsConfiguration.optional(),
  WebsiteConfiguration: websiteConfiguration.optional(),
});

function websiteOf(config: z.infer<typeof websiteConfiguration> | undefined): BucketWebsite | undefined {
  if (config?.IndexDocument === undefined) return undefined;
  return { indexDocument: config.IndexDocument, ...(config.ErrorDocument === undefined ? {} : { errorDocument: config.ErrorDocument }) };
}

/** The template's CORS rules in S3's terms (validated as PutBucketCors does), or undefined for none. */
function corsRulesOf(config: z.infer<typeof corsConfiguration> | undefined): CorsRule[] | undefined {
  if (config === undefined) return undefined;
  return validateCorsRules(
    config.CorsRules.map((r) => ({
      ...(r.Id === undefined ? {} : { id: r.Id }),
      allowedMethods: r.AllowedMethods,
      allowedOrigins: r.AllowedOrigins,
      allowedHeaders: r.AllowedHeaders ?? [],
      exposeHeaders: r.ExposedHeaders ?? [],
      ...(r.MaxAge === undefined ? {} : { maxAgeSeconds: Number(r.MaxAge) }),
    })),
  );
}

/** The bucket's `NotificationConfiguration`, refused as CloudFormation reports S3's refusal. */
function notificationsOf(props: Record<string, unknown>): NotificationConfiguration {
  try {
    return notificationFromTemplate(props.NotificationConfiguration);
  } catch (error) {
    throw refusal(error);
  }
}

function refusal(error: unknown): unknown {
  if (!isForteError(error) || error.status >= 500) return error;
  const details = Object.values(error.fields ?? {}).join(': ');
  return RESOURCE_ERRORS.error(
    'ValidationException',
    `${error.message}${details === '' ? '' : ` (${details})`} (Service: Amazon S3; Error Code: ${error.code})`,
    {
      cause: error,
    },
  );
}

/**
 * `Forte::S3::Bucket` and `AWS::S3::Bucket`: idempotent create (an existing bucket is adopted); delete empties the
 * bucket first. Its objects are counted for change sets (storedData) but not kept when it is deleted.
 * `NotificationConfiguration.LambdaConfigurations` are applied after the bucket exists, each function checked
 * as S3 checks it (it exists and an `AWS::Lambda::Permission` lets s3.amazonaws.com invoke it for this bucket).
 */
export function createBucketHandler(options: {
  store: ObjectStore;
  blobs: BlobStore;
  notifications: BucketNotifications;
  port: () => number;
}): ResourceHandler {
  const configure = async (name: string, config: NotificationConfiguration): Promise<void> => {
    try {
      await options.notifications.configure(name, config);
    } catch (error) {
      throw refusal(error);
    }
  };
  const result = (name: string): ResourceResult => {
    const websiteUrl = bucketWebsiteUrl(name, options.port());
    return {
      physicalId: name,
      attributes: {
        BucketName: name,
        Arn: `arn:aws:s3:::${name}`,
        RegionalDomainName: `${name}.s3.localhost:${options.port()}`,
        // CloudFormation's website attributes; the endpoint serves the bucket only with a WebsiteConfiguration.
        WebsiteURL: websiteUrl,
        DomainName: `${name}.s3.localhost`,
      },
    };
  };
  const parse = (props: Record<string, unknown>): { name: string; cors: CorsRule[] | undefined; website: BucketWebsite | undefined } => {
    const parsed = bucketProps.safeParse(props);
    if (!parsed.success)
      throw RESOURCE_ERRORS.error(
        'ValidationException',
        'Forte::S3::Bucket needs Properties.BucketName (a string) and takes CorsConfiguration ({CorsRules: [{AllowedMethods, AllowedOrigins, ...}]}) ' +
          `and WebsiteConfiguration ({IndexDocument, ErrorDocument?}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
      );
    assertValidBucketName(parsed.data.BucketName);
    return { name: parsed.data.BucketName, cors: corsRulesOf(parsed.data.CorsConfiguration), website: websiteOf(parsed.data.WebsiteConfiguration) };
  };
  return {
    replaceOn: ['BucketName'],
    async create(props) {
      const { name, cors, website } = parse(props);
      const notifications = notificationsOf(props);
      const created = await options.store.createBucket(name);
      try {
        await options.store.setBucketCors(name, cors); // the template's rules, or none
        await options.store.setBucketWebsite(name, website);
        await configure(name, notifications);
      } catch (error) {
        if (created) await options.store.deleteBucket(name);
        throw error;
      }
      return result(name);
    },
    async update(physicalId, props) {
      const { name, cors, website } = parse(props);
      if (name !== physicalId) return 'replace';
      const notifications = notificationsOf(props);
      await options.store.createBucket(name); // recreates it if someone deleted it by hand
      await options.store.setBucketCors(name, cors);
      await options.store.setBucketWebsite(name, website);
      await configure(name, notifications);
      return result(name);
    },
    async delete(physicalId, _props, ctx) {
      await options.notifications.remove(physicalId);
      await emptyBucket(options.store, options.blobs, physicalId, ctx.log);
      const { partBlobs } = await options.store.deleteBucket(physicalId);
      for (const id of partBlobs)
        await options.blobs.delete(id).catch((error: unknown) => ctx.log.warn('could not delete an upload part body', { blobId: id, error }));
    },
    // Counted, so deleting a bucket with objects needs an explicit yes; the bodies are not copied (no restore).
    storedData: { kind: 'objects', count: (physicalId) => options.store.countObjects(physicalId) },
  };
}

/** Deletes every object of a bucket, rows first (in batches), then their bodies. */
export async function emptyBucket(store: ObjectStore, blobs: BlobStore, bucket: string, log: Logger): Promise<void> {
  for (;;) {
    const batch = await store.scan(bucket, { from: '', after: undefined, limit: 500 });
    if (batch.length === 0) return;
    const blobIds = await store.sql.transaction(async (tx) => {
      const ids: string[] = [];
      for (const object of batch) {
        const id = await store.deleteObject(bucket, object.key, tx);
        if (id !== undefined) ids.push(id);
      }
      return ids;
    });
    for (const id of blobIds) {
      try {
        await blobs.delete(id);
      } catch (error) {
        log.warn('could not delete an object body', { blobId: id, error });
      }
    }
  }
}
