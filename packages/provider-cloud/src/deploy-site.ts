import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  HOSTING_API_PATH,
  HOSTING_TARGET_PREFIX,
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
  await mapLimit(created.missing, CONCURRENCY, async (sha256) => {
    const file = byHash.get(sha256);
    if (!file) throw new Error(`The cloud asked for blob ${sha256}, which is not in the deployment.`);
    await uploadBlob(client, args.siteId, file);
  });
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
  const text = await res.text();
  let err: { __type?: string; message?: string } = {};
  try {
    err = JSON.parse(text) as typeof err;
  } catch {
    // not JSON: reported with the status below
  }
  throw new CloudRequestError(err.__type ?? 'UnknownError', `Uploading ${file.path} failed: ${err.message ?? `HTTP ${res.status}`}`, res.status);
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
