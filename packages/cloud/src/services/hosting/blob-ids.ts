import { randomBytes } from 'node:crypto';

/**
 * Blob ids of the hosting service. Variants use a `-br`/`-gz` suffix rather than `.br`/`.gz` because blob
 * ids are limited to `[a-z0-9_-]` segments.
 */
export const hostingBlobIds = {
  file: (siteId: string, sha256: string): string => `hosting/${siteId}/${sha256}`,
  variant: (siteId: string, sha256: string, encoding: 'br' | 'gz'): string => `hosting/${siteId}/${sha256}-${encoding}`,
  temp: (): string => `hosting/tmp/${randomBytes(12).toString('hex')}`,
};
