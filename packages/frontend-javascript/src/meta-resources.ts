import type { AmplifyMeta } from '@forte/protocol';

export interface MetaResourceView {
  category: string;
  resourceName: string;
  service: string;
  output: Record<string, unknown>;
  entry: Record<string, unknown>;
}

/**
 * Resources of amplify-meta that exist in the cloud (they have outputs), in file order. Frontend configs
 * name only what was pushed: a resource added but never pushed has no endpoint yet.
 */
export function pushedResources(meta: AmplifyMeta): MetaResourceView[] {
  const out: MetaResourceView[] = [];
  for (const [category, resources] of Object.entries(meta)) {
    if (category === 'providers' || !resources || typeof resources !== 'object') continue;
    for (const [resourceName, raw] of Object.entries(resources)) {
      const entry = raw as Record<string, unknown> | undefined;
      if (!entry || typeof entry !== 'object' || typeof entry.service !== 'string') continue;
      const output = entry.output as Record<string, unknown> | undefined;
      if (!output || Object.keys(output).length === 0) continue;
      out.push({ category, resourceName, service: entry.service, output, entry });
    }
  }
  return out;
}

export function projectRegion(meta: AmplifyMeta): string {
  return meta.providers?.awscloudformation?.Region ?? 'us-east-1';
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
