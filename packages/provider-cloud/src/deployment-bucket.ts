import { UserError } from '@forte/protocol';
import type { SignedClient } from './signed-client.js';

/** Objects of an environment's deployment bucket, through the cloud's S3 API (path style `/s3/<bucket>/<key>`). */
export interface DeploymentBucket {
  put(key: string, body: Buffer | string, contentType?: string): Promise<void>;
  /** undefined when the object does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  /** Whether the object exists (a HEAD request: nothing is downloaded). */
  has(key: string): Promise<boolean>;
}

export function objectPath(bucket: string, key: string): string {
  return `/s3/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function createDeploymentBucket(client: SignedClient, bucket: string): DeploymentBucket {
  return {
    async put(key, body, contentType = 'application/json') {
      const res = await client.request('PUT', objectPath(bucket, key), { body, service: 's3', headers: { 'content-type': contentType } });
      if (!res.ok) {
        const text = await res.text();
        throw new UserError(
          `Uploading ${key} to the deployment bucket ${bucket} failed (HTTP ${res.status}): ${s3Message(text)}`,
          'Check that the environment still exists (`forte env list`).',
        );
      }
      await res.arrayBuffer().catch(() => undefined);
    },
    async get(key) {
      const res = await client.request('GET', objectPath(bucket, key), { service: 's3' });
      if (res.status === 404) {
        await res.arrayBuffer().catch(() => undefined);
        return undefined;
      }
      if (!res.ok) {
        const text = await res.text();
        throw new UserError(
          `Downloading ${key} from the deployment bucket ${bucket} failed (HTTP ${res.status}): ${s3Message(text)}`,
          'Check that the environment still exists (`forte env list`).',
        );
      }
      return Buffer.from(await res.arrayBuffer());
    },
    async has(key) {
      const res = await client.request('HEAD', objectPath(bucket, key), { service: 's3' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 404) return false;
      if (!res.ok)
        throw new UserError(
          `Checking ${key} in the deployment bucket ${bucket} failed (HTTP ${res.status}).`,
          'Check that the environment still exists (`forte env list`).',
        );
      return true;
    },
  };
}

function s3Message(xml: string): string {
  return /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? (xml.slice(0, 200) || 'no details');
}
