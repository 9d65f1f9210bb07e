import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  HOSTING_API_PATH,
  HOSTING_BATCH_FILE_MAX_BYTES,
  HOSTING_BATCH_MAX_BYTES,
  HOSTING_TARGET_PREFIX,
  hostingBlobBatchPath,
  hostingBlobPath,
  type HostingOperations,
  type LocalSiteFile,
  type SiteFile,
} from '@forte/protocol';
import { CloudRequestError, type SignedClient } from './signed-client.js';

/** Parallel hashing and uploads: enough to hide round trips without flooding a local cloud. */
const CONCURRENCY = 8;

/**
 * Publishes a site: hashes every file (streamed), registers the manifest with CreateDeployment, uploads only
 * the blobs the cloud does not have yet, then switches the site to the new deployment in one step with
 * StartDeployment. Re-publishing an unchanged site uploads nothing.
 */
export async function deploySite(
  client: SignedClient,
  args: { siteId: string; files: LocalSiteFile[] },
): Promise<{ url: string; uploaded: number; deploymentId: string }> {
  const files = await mapLimit(args.files, CONCURRENCY, async (file): Promise<SiteFile & { absolutePath: string }> => {
    const [sha256, info] = await Promise.all([hashFile(file.absolutePath), stat(file.absolutePath)]);
    return { path: file.path, sha256, size: info.size, absolutePath: file.absolutePath };
  });
  const created = await client.json<HostingOperations['CreateDeployment']['output']>(HOSTING_API_PATH, `${HOSTING_TARGET_PREFIX}CreateDeployment`, {
    siteId: args.siteId,
    files: files.map(({ path, sha256, size }) => ({ path, sha256, size })),
  });
  const byHash = new Map(files.map((f) => [f.sha256, f]));
  const missing = created.missing.map((sha256) => {
    const file = byHash.get(sha256);
    if (!file) throw new Error(`The cloud asked for blob ${sha256}, which is not in the deployment.`);
    return file;
  });
  // Small files travel many to a request; big ones one by one, streamed by the cloud.
  const small = missing.filter((f) => f.size <= HOSTING_BATCH_FILE_MAX_BYTES);
  const big = missing.filter((f) => f.size > HOSTING_BATCH_FILE_MAX_BYTES);
  await Promise.all([
    mapLimit(batches(small), 2, (batch) => uploadBatch(client, args.siteId, batch)),
    mapLimit(big, 4, (file) => uploadBlob(client, args.siteId, file)),
  ]);
  const started = await client.json<HostingOperations['StartDeployment']['output']>(HOSTING_API_PATH, `${HOSTING_TARGET_PREFIX}StartDeployment`, {
    siteId: args.siteId,
    deploymentId: created.deployment.deploymentId,
  });
  return { url: started.site.url, uploaded: created.missing.length, deploymentId: started.deployment.deploymentId };
}

async function uploadBlob(client: SignedClient, siteId: string, file: SiteFile & { absolutePath: string }): Promise<void> {
  // The signed client takes a buffer; the declared hash lets the cloud verify the signature while it streams.
  const body = await readFile(file.absolutePath);
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== file.sha256) {
    throw new Error(`${file.path} changed while publishing: build the app again, then publish.`);
  }
  const res = await client.request('PUT', hostingBlobPath(siteId, file.sha256), {
    body,
    headers: { 'content-type': 'application/octet-stream', 'x-amz-content-sha256': file.sha256 },
  });
  if (res.ok) {
    await res.arrayBuffer();
    return;
  }
  throw await uploadError(res, file.path);
}

type HashedFile = SiteFile & { absolutePath: string };

function batches(files: HashedFile[]): HashedFile[][] {
  const out: HashedFile[][] = [];
  let current: HashedFile[] = [];
  let bytes = 0;
  for (const file of files) {
    const frameBytes = file.size + 80; // body + "<sha256> <size>\n"
    if (current.length > 0 && bytes + frameBytes > HOSTING_BATCH_MAX_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += frameBytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function uploadBatch(client: SignedClient, siteId: string, files: HashedFile[]): Promise<void> {
  const parts: Buffer[] = [];
  for (const file of files) {
    const body = await readFile(file.absolutePath);
    if (createHash('sha256').update(body).digest('hex') !== file.sha256) {
      throw new Error(`${file.path} changed while publishing: build the app again, then publish.`);
    }
    parts.push(Buffer.from(`${file.sha256} ${body.length}\n`, 'latin1'), body);
  }
  const res = await client.request('POST', hostingBlobBatchPath(siteId), {
    body: Buffer.concat(parts),
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (res.ok) {
    await res.arrayBuffer();
    return;
  }
  throw await uploadError(res, `${files.length} file(s) (${files[0]!.path}, …)`);
}

async function uploadError(res: Response, what: string): Promise<CloudRequestError> {
  const text = await res.text();
  let err: { __type?: string; message?: string } = {};
  try {
    err = JSON.parse(text) as typeof err;
  } catch {
    // not JSON: reported with the status below
  }
  return new CloudRequestError(err.__type ?? 'UnknownError', `Uploading ${what} failed: ${err.message ?? `HTTP ${res.status}`}`, res.status);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
