import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { hasherOf, processHashPool, type HashPool } from '../stream-hasher.js';
import { BlobNotFoundError, type BlobDigest, type BlobStore, type BlobWritten } from '../types.js';
import { describeS3BlobLocation, parseS3BlobUrl, type S3BlobLocation } from './s3-blob-url.js';

const BLOB_ID = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
const ALL_DIGESTS: readonly BlobDigest[] = ['md5', 'sha256'];
/**
 * A streamed body is sent in parts of this size: a body that ends within the first part is one PutObject,
 * a longer one a multipart upload (S3 wants a length before the first byte of a PutObject, and a stream's
 * length is not known). Every part but the last must be at least 5 MiB; at most 10,000 parts, so a
 * streamed blob holds at most 78 GiB.
 */
const PART_SIZE = 8 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Parts being sent at once. With the one being filled, a put holds at most three parts (24 MiB). */
const PARTS_IN_FLIGHT = 2;
/**
 * Sockets to the server. A blob being read holds one for as long as its reader takes (a slow download), so
 * the SDK's default of 50 would make the 51st reader wait for one of them to finish.
 */
const MAX_SOCKETS = 1024;

/** A BlobStore on S3 or an S3-compatible server; `close` ends its connections. */
export interface S3BlobStore extends BlobStore {
  /** The store's URL without credentials, for logs. */
  readonly location: string;
  /**
   * Checks that the bucket answers with these credentials, so a wrong setting fails at start: a GetObject of
   * a key no blob id can be (`<prefix>/.forte-check`), whose NoSuchKey proves the bucket, the signature and
   * the right to read (and to list: without it S3 answers AccessDenied for a missing key).
   */
  check(): Promise<void>;
  close(): void;
}

/**
 * Opens the blob store that `s3://[accessKeyId:secretAccessKey@]bucket[/prefix][?endpoint=…&region=…&forcePathStyle=true]`
 * names (BlobStoreUrlError when it cannot be used). Blob ids are keys under the prefix.
 */
export function openS3BlobStore(url: string, options: { hashPool?: HashPool } = {}): S3BlobStore {
  return createS3BlobStore(parseS3BlobUrl(url), options);
}

/** The S3 blob store of a parsed location. */
export function createS3BlobStore(location: S3BlobLocation, options: { hashPool?: HashPool } = {}): S3BlobStore {
  const { bucket } = location;
  const hashPool = options.hashPool ?? processHashPool();
  const client = new S3Client({
    ...(location.region ? { region: location.region } : {}),
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    ...(location.credentials ? { credentials: location.credentials } : {}),
    forcePathStyle: location.forcePathStyle,
    // The SDK's newer CRC checksums are not understood by every S3-compatible server (nor needed: SigV4 signs
    // each body's SHA-256, which the server checks); they stay for the calls that require them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: 10_000,
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    },
  });
  const keyOf = (id: string): string => {
    if (!BLOB_ID.test(id) || id.length > 512) throw new Error(`invalid blob id: ${JSON.stringify(id)}`);
    return location.prefix ? `${location.prefix}/${id}` : id;
  };
  const copySourceOf = (key: string): string => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  /** A missing key's error as BlobNotFoundError; other errors as they are. A missing bucket is no missing blob. */
  const notFound = (error: unknown, id: string): unknown =>
    isMissingKey(error) ? Object.assign(new BlobNotFoundError(`no blob ${id}`), { cause: error }) : error;

  const stat = async (id: string): Promise<{ size: number } | undefined> => {
    const key = keyOf(id);
    try {
      const answer = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isMissingKey(error)) return undefined;
      throw error;
    }
  };

  const putBuffer = async (key: string, body: Buffer): Promise<void> => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
  };

  /**
   * Sends a stream's parts as one multipart upload, `PARTS_IN_FLIGHT` at a time; aborts the upload when
   * anything fails (the body, a part, `beforeComplete`, the completion), so no part of it is ever visible as the blob.
   */
  const putParts = async (key: string, parts: PartReader, beforeComplete: () => Promise<unknown>): Promise<void> => {
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const uploadId = created.UploadId!;
    const etags: string[] = [];
    const sending = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    try {
      for (let partNumber = 1; ; partNumber++) {
        const part = await parts.next();
        if (part === undefined) break;
        if (partNumber > MAX_PARTS) throw new Error(`a blob streamed to S3 holds at most ${MAX_PARTS} parts of ${PART_SIZE / 1024 / 1024} MiB`);
        const sent = client
          .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: part, ContentLength: part.length }))
          .then(
            (answer) => {
              etags[partNumber - 1] = answer.ETag!;
              parts.release(part);
            },
            (error: unknown) => {
              failure ??= { error };
            },
          )
          .finally(() => sending.delete(sent));
        sending.add(sent);
        while (sending.size >= PARTS_IN_FLIGHT && !failure) await Promise.race(sending);
        if (failure) throw failure.error;
      }
      await Promise.all(sending);
      if (failure) throw failure.error;
      await beforeComplete();
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
    } catch (error) {
      await Promise.allSettled(sending);
      // An upload left behind (the server is gone) is invisible, and a bucket lifecycle rule
      // (AbortIncompleteMultipartUpload) reclaims its parts.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  };

  return {
    location: describeS3BlobLocation(location),
    async put<D extends BlobDigest = BlobDigest>(id: string, body: Readable | Buffer, options?: { digests: readonly D[] }): Promise<BlobWritten<D>> {
      const key = keyOf(id);
      const digests = options?.digests ?? ALL_DIGESTS;
      // A streamed body is hashed on the process's hashing threads while its parts are sent (stream-hasher.ts).
      // Its digests are awaited before the object becomes visible (before its PutObject or the upload's completion):
      // a body whose digests are lost (its hashing thread stopped) replaces nothing, as in the folder store.
      const hasher = hasherOf(hashPool, body, digests);
      let digested: Promise<Record<string, string>> | undefined;
      const digest = (): Promise<Record<string, string>> => (digested ??= hasher.digest());
      let size: number;
      try {
        if (Buffer.isBuffer(body)) {
          size = body.length;
          await digest();
          await putBuffer(key, body);
        } else {
          const parts = readParts(body, (chunk) => hasher.update(chunk));
          try {
            const first = await parts.next();
            const second = first?.length === PART_SIZE ? await parts.next() : undefined;
            if (second === undefined) {
              await digest();
              await putBuffer(key, first ?? Buffer.alloc(0));
            } else await putParts(key, parts.withAhead([first!, second]), digest);
            size = parts.size();
          } finally {
            parts.close();
          }
        }
        return { size, ...(await digest()) } as BlobWritten<D>;
      } catch (error) {
        hasher.abort();
        throw error;
      }
    },
    async get(id, range) {
      const key = keyOf(id);
      if (range && range.end < range.start) {
        if (!(await stat(id))) throw new BlobNotFoundError(`no blob ${id}`);
        return Readable.from([]);
      }
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
        return answer.Body as Readable;
      } catch (error) {
        // A range that starts at or past the end of the blob: no bytes, as in the folder store.
        if (isRangeNotSatisfiable(error)) return Readable.from([]);
        throw notFound(error, id);
      }
    },
    async read(id, range) {
      const key = keyOf(id);
      if (range && range.end < range.start) {
        if (!(await stat(id))) throw new BlobNotFoundError(`no blob ${id}`);
        return Buffer.alloc(0);
      }
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
        const bytes = await answer.Body!.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (isRangeNotSatisfiable(error)) return Buffer.alloc(0);
        throw notFound(error, id);
      }
    },
    stat,
    async delete(id) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(id) }));
    },
    // One CopyObject: the server copies, and the new blob appears whole. S3 copies at most 5 GiB this way
    // (larger ones would take UploadPartCopy parts); no service copies blobs that large.
    async copy(fromId, toId) {
      const from = keyOf(fromId);
      const to = keyOf(toId);
      try {
        await client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: copySourceOf(from) }));
      } catch (error) {
        throw notFound(error, fromId);
      }
    },
    async check() {
      try {
        const probe = await client.send(new GetObjectCommand({ Bucket: bucket, Key: location.prefix ? `${location.prefix}/.forte-check` : '.forte-check' }));
        (probe.Body as Readable).destroy();
      } catch (error) {
        if (isMissingKey(error)) return;
        const name = (error as { name?: string }).name;
        const reason =
          name === 'NoSuchBucket'
            ? `the bucket ${bucket} does not exist: create it first`
            : statusOf(error) === 403
              ? `the credentials may not read the bucket ${bucket} (${name}): the blob store needs s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket`
              : (error as Error).message || name || String(error);
        throw new Error(`the blob store ${describeS3BlobLocation(location)} cannot be used: ${reason}`, { cause: error });
      }
    },
    close() {
      client.destroy();
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** NoSuchKey (GetObject, CopyObject) or a bodiless 404 (HeadObject); not NoSuchBucket, which is a broken setting. */
function isMissingKey(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(error) === 404 && name !== 'NoSuchBucket');
}

function isRangeNotSatisfiable(error: unknown): boolean {
  return statusOf(error) === 416 || (error as { name?: string } | undefined)?.name === 'InvalidRange';
}

interface PartReader {
  /** The next part (PART_SIZE bytes, the last one fewer), or undefined at the end of the body. */
  next(): Promise<Buffer | undefined>;
  /** Gives back a part that was sent, to be filled again: a put keeps at most a few parts' memory. */
  release(part: Buffer): void;
  /** The same reader, answering `ahead` first. */
  withAhead(ahead: Buffer[]): PartReader;
  size(): number;
  /** Stops reading the body (it is destroyed when it was not read to its end). */
  close(): void;
}

/** Reads `body` into parts of PART_SIZE bytes, giving each chunk to `onChunk` (the digests) as it comes. */
function readParts(body: Readable, onChunk: (chunk: Buffer) => void | Promise<void>): PartReader {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const free: Buffer[] = [];
  let pending: Buffer | undefined; // what is left of a chunk that did not fit in the last part
  let ended = false;
  let total = 0;
  const reader: PartReader = {
    async next() {
      if (ended && !pending) return undefined;
      const part = free.pop() ?? Buffer.allocUnsafe(PART_SIZE);
      let filled = 0;
      while (filled < PART_SIZE) {
        let chunk = pending;
        pending = undefined;
        if (!chunk) {
          if (ended) break;
          const step = await chunks.next();
          if (step.done) {
            ended = true;
            break;
          }
          chunk = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
          const waiting = onChunk(chunk);
          if (waiting) await waiting;
          total += chunk.length;
        }
        const taken = Math.min(chunk.length, PART_SIZE - filled);
        chunk.copy(part, filled, 0, taken);
        filled += taken;
        if (taken < chunk.length) pending = chunk.subarray(taken);
      }
      if (filled === 0) {
        free.push(part);
        return undefined;
      }
      return filled === PART_SIZE ? part : part.subarray(0, filled);
    },
    release(part) {
      if (part.length === PART_SIZE) free.push(part);
    },
    withAhead(ahead) {
      const queued = [...ahead];
      return { ...reader, next: async () => queued.shift() ?? reader.next() };
    },
    size: () => total,
    close() {
      if (!ended) void chunks.return?.();
    },
  };
  return reader;
}
