import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BlobStore } from '../../engines/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceHandler, ResourceResult } from '../../kernel/types.js';
import type { ObjectStore, S3Object } from './object-store.js';
import { newBlobId } from './put-object.js';

/** Files a template carries inline: small pages and scripts, not content (that is uploaded). */
const MAX_OBJECTS = 32;
const RESOURCE_TYPE = 'Forte::S3::BucketObjects';
const MAX_TOTAL_BYTES = 256 * 1024;

const objectsProps = z.object({
  Bucket: z.string().min(1),
  Objects: z
    .array(
      z.object({
        Key: z.string().min(1).max(1024),
        Body: z.string(),
        ContentType: z.string().min(1).optional(),
      }),
    )
    .max(MAX_OBJECTS),
});
type ObjectsProps = z.infer<typeof objectsProps>;

function parse(props: Record<string, unknown>): ObjectsProps {
  const parsed = objectsProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `Forte::S3::BucketObjects ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'} (it takes Bucket and Objects: [{Key, Body, ContentType?}], at most ${MAX_OBJECTS}).`,
    );
  }
  const total = parsed.data.Objects.reduce((sum, o) => sum + Buffer.byteLength(o.Body), 0);
  if (total > MAX_TOTAL_BYTES)
    throw RESOURCE_ERRORS.error(
      'ValidationException',
      `Forte::S3::BucketObjects: the bodies hold ${total} bytes, over ${MAX_TOTAL_BYTES}; upload content instead.`,
    );
  const keys = new Set<string>();
  for (const o of parsed.data.Objects) {
    if (keys.has(o.Key)) throw RESOURCE_ERRORS.error('ValidationException', `Forte::S3::BucketObjects: the key ${o.Key} is listed twice.`);
    keys.add(o.Key);
  }
  return parsed.data;
}

/**
 * `Forte::S3::BucketObjects` {Bucket, Objects: [{Key, Body, ContentType?}]}: a few small files a stack puts
 * into a bucket it creates (the auth stack's account confirmation page), written in the push, so they change
 * and roll back with it; physical id = the bucket's name. An update writes the objects whose body or type
 * changed and deletes the keys no longer listed; a delete removes the keys it lists. Objects written by others
 * under other keys are left alone. Its objects are the template's, not data: the bucket's stored-data count (the
 * confirmation a deletion needs) leaves them out, until a client overwrites one.
 */
export function createBucketObjectsHandler(options: { store: ObjectStore; blobs: BlobStore }): ResourceHandler {
  const { store, blobs } = options;
  const result = (p: ObjectsProps): ResourceResult => ({ physicalId: p.Bucket, attributes: { Bucket: p.Bucket, Keys: p.Objects.map((o) => o.Key) } });

  const write = async (p: ObjectsProps, keep: (key: string, etag: string, contentType: string) => boolean): Promise<void> => {
    if (!(await store.bucketExists(p.Bucket)))
      throw RESOURCE_ERRORS.error('ResourceNotFoundException', `Forte::S3::BucketObjects: the bucket ${p.Bucket} does not exist.`);
    for (const o of p.Objects) {
      const body = Buffer.from(o.Body, 'utf8');
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      const contentType = o.ContentType ?? 'binary/octet-stream';
      if (keep(o.Key, etag, contentType)) continue;
      const blobId = newBlobId();
      await blobs.put(blobId, body, { digests: [] });
      const object: S3Object = {
        bucket: p.Bucket,
        key: o.Key,
        blobId,
        size: body.length,
        etag,
        lastModified: new Date().toISOString(),
        contentType,
        headers: {},
        metadata: {},
        writtenBy: `${RESOURCE_TYPE} ${p.Bucket}`,
      };
      let replaced: string | undefined;
      try {
        replaced = await store.sql.transaction((tx) => store.putObject(object, tx));
      } catch (error) {
        await blobs.delete(blobId);
        throw error;
      }
      if (replaced !== undefined) await blobs.delete(replaced);
    }
  };
  const remove = async (bucket: string, keys: string[]): Promise<void> => {
    for (const key of keys) {
      const blobId = await store.deleteObject(bucket, key);
      if (blobId !== undefined) await blobs.delete(blobId);
    }
  };

  return {
    replaceOn: ['Bucket'],
    async create(props) {
      const p = parse(props);
      await write(p, () => false);
      return result(p);
    },
    async update(physicalId, props, oldProps) {
      const p = parse(props);
      if (p.Bucket !== physicalId) return 'replace';
      const current = new Map<string, { etag: string; contentType: string }>();
      for (const o of p.Objects) {
        const existing = await store.getObject(p.Bucket, o.Key);
        if (existing) current.set(o.Key, { etag: existing.etag, contentType: existing.contentType });
      }
      await write(p, (key, etag, contentType) => current.get(key)?.etag === etag && current.get(key)?.contentType === contentType);
      const listed = new Set(p.Objects.map((o) => o.Key));
      const old = objectsProps.safeParse(oldProps);
      if (old.success)
        await remove(
          p.Bucket,
          old.data.Objects.map((o) => o.Key).filter((k) => !listed.has(k)),
        );
      return result(p);
    },
    async delete(physicalId, props) {
      const p = objectsProps.safeParse(props);
      if (!p.success) return;
      await remove(
        physicalId,
        p.data.Objects.map((o) => o.Key),
      );
    },
  };
}
