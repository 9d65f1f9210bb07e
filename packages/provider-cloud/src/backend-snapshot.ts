import { UserError } from '@forte/protocol';

/** Format of a backend snapshot in the deployment bucket: `{version:1, files:{<relative path>: <base64>}}`. */
export const BACKEND_SNAPSHOT_VERSION = 1;
export const BACKEND_SNAPSHOT_PREFIX = 'current-cloud-backend/';

export function encodeBackendSnapshot(files: Record<string, Buffer>): string {
  const encoded: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) encoded[path] = content.toString('base64');
  return JSON.stringify({ version: BACKEND_SNAPSHOT_VERSION, files: encoded });
}

export function decodeBackendSnapshot(data: Buffer, key: string): Record<string, Buffer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new UserError(`The backend snapshot ${key} is not JSON: ${(error as Error).message}`, 'Push the environment again to store a new snapshot.');
  }
  const bundle = parsed as { version?: unknown; files?: unknown };
  if (bundle.version !== BACKEND_SNAPSHOT_VERSION || typeof bundle.files !== 'object' || bundle.files === null) {
    throw new UserError(
      `The backend snapshot ${key} has an unknown format (version ${String(bundle.version)}).`,
      'Update forte, or push the environment again.',
    );
  }
  const files: Record<string, Buffer> = {};
  for (const [path, content] of Object.entries(bundle.files as Record<string, unknown>)) {
    // Paths come from the network: refuse anything that could leave the target folder.
    if (typeof content !== 'string' || path.startsWith('/') || path.split('/').includes('..')) {
      throw new UserError(`The backend snapshot ${key} holds an unsafe entry: ${path}`, 'Push the environment again to replace it.');
    }
    files[path] = Buffer.from(content, 'base64');
  }
  return files;
}

/** `current-cloud-backend/20261122T030405123Z.json` */
export function snapshotKey(now: Date = new Date()): string {
  return `${BACKEND_SNAPSHOT_PREFIX}${now.toISOString().replace(/[-:.]/g, '')}.json`;
}
