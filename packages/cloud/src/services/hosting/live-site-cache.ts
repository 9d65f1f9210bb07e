import type { OutgoingHttpHeaders } from 'node:http';
import type { SqlStore } from '../../engines/types.js';
import { hostingBlobIds } from './blob-ids.js';
import { ByteLru } from './byte-lru.js';
import { cacheControlOf } from './cache-control.js';
import { contentTypeOf } from './content-type.js';
import { siteStore, type SiteRow } from './site-store.js';

export type Encoding = 'identity' | 'br' | 'gz';

/** One stored representation of a file, with its response headers computed once per deployment. */
export interface Representation {
  blobId: string;
  size: number;
  etag: string;
  headers: OutgoingHttpHeaders;
}

export interface ServedFile {
  path: string;
  sha256: string;
  identity: Representation;
  br: Representation | undefined;
  gz: Representation | undefined;
  /** Every ETag of the file's representations (a 304 for any of them is right: same content). */
  etags: Set<string>;
  cacheControl: string;
}

export interface LiveSite {
  site: SiteRow;
  /** Undefined while the site has never been deployed. */
  deploymentId: string | undefined;
  files: Map<string, ServedFile>;
  checkedAt: number;
}

/**
 * How long a cached site is trusted before its active deployment id is checked again. A switch made by
 * this process invalidates at once, and one made by another instance sharing the database too when they
 * share a bus (`onInvalidated`, `forget`); the recheck is for a message the bus lost.
 */
const RECHECK_MS = 1000;
const MANIFEST_CACHE_BYTES = 64 * 1024 * 1024;

/** A label no site has, as of `checkedAt`. */
interface NoSite {
  missing: true;
  checkedAt: number;
}

/**
 * The active manifest of each site, by host label, kept in memory and invalidated at each switch. A label no site
 * has is remembered for the same second, in the same byte-capped cache: the label comes from the request's Host
 * header, so it is whatever a client sends, and a map of its own (as before) grew by one entry per label ever asked.
 */
export class LiveSiteCache {
  private readonly sites: ByteLru<LiveSite | NoSite>;
  private readonly loading = new Map<string, Promise<LiveSite | undefined>>();
  private generation = 0;

  /** `onInvalidated` hears each label this process invalidates (to tell the other instances). */
  constructor(
    private readonly sql: SqlStore,
    private readonly onInvalidated: (label: string) => void = () => undefined,
    cacheBytes = MANIFEST_CACHE_BYTES,
  ) {
    this.sites = new ByteLru<LiveSite | NoSite>(cacheBytes, (s) => 256 + ('files' in s ? s.files.size * 512 : 0));
  }

  /** The live state of `label` when it is in memory and fresh: the hot path, without a promise. */
  peek(label: string): LiveSite | undefined {
    const cached = this.sites.get(label);
    return cached && 'files' in cached && Date.now() - cached.checkedAt < RECHECK_MS ? cached : undefined;
  }

  /** The live state of the site served as `label`, or undefined when there is no such site. */
  async get(label: string): Promise<LiveSite | undefined> {
    const cached = this.sites.get(label);
    if (cached && Date.now() - cached.checkedAt < RECHECK_MS) return 'files' in cached ? cached : undefined;
    let pending = this.loading.get(label);
    if (!pending) {
      const started: Promise<LiveSite | undefined> = this.load(label, cached && 'files' in cached ? cached : undefined).finally(() => {
        if (this.loading.get(label) === started) this.loading.delete(label);
      });
      pending = started;
      this.loading.set(label, pending);
    }
    return pending;
  }

  /** Forgets a site's state: the next request reads it again (called right after a switch or delete). */
  invalidate(label: string): void {
    this.forget(label);
    this.onInvalidated(label);
  }

  /** Forgets every site's state (changes made elsewhere may have been missed). */
  invalidateAll(): void {
    this.generation++;
    this.sites.clear();
    this.loading.clear();
  }

  /** Forgets a site's state without telling anyone: another instance switched or deleted it. */
  forget(label: string): void {
    this.generation++;
    this.sites.delete(label);
    // A load begun before the switch may have read the old deployment: later requests must not join it.
    this.loading.delete(label);
  }

  private async load(label: string, previous: LiveSite | undefined): Promise<LiveSite | undefined> {
    const generation = this.generation;
    const site = await siteStore.siteByLabel(this.sql, label);
    if (!site) {
      if (generation === this.generation) this.sites.set(label, { missing: true, checkedAt: Date.now() });
      return undefined;
    }
    let live: LiveSite;
    // Variants recorded since (by whichever instance) change the files' representations: read them again.
    if (
      previous &&
      previous.deploymentId === site.activeDeploymentId &&
      previous.site.siteId === site.siteId &&
      previous.site.variantsPendingSince === site.variantsPendingSince
    ) {
      live = { ...previous, site, checkedAt: Date.now() };
    } else {
      live = { site, deploymentId: site.activeDeploymentId, files: await this.loadFiles(site), checkedAt: Date.now() };
    }
    // A switch during the load makes what was read stale: answer it once, but do not keep it.
    if (generation === this.generation) this.sites.set(label, live);
    return live;
  }

  private async loadFiles(site: SiteRow): Promise<Map<string, ServedFile>> {
    const files = new Map<string, ServedFile>();
    if (!site.activeDeploymentId) return files;
    const manifest = await siteStore.manifest(this.sql, site.activeDeploymentId);
    const blobs = new Map((await siteStore.blobs(this.sql, site.siteId)).map((b) => [b.sha256, b]));
    for (const entry of manifest) {
      const blob = blobs.get(entry.sha256);
      const contentType = contentTypeOf(entry.path);
      const cacheControl = cacheControlOf(entry.path);
      const representation = (encoding: Encoding, size: number): Representation => {
        const etag = encoding === 'identity' ? `"${entry.sha256}"` : `"${entry.sha256}-${encoding}"`;
        const headers: OutgoingHttpHeaders = {
          'content-type': contentType,
          'content-length': size,
          etag,
          'cache-control': cacheControl,
          vary: 'Accept-Encoding',
          'x-content-type-options': 'nosniff',
        };
        if (encoding !== 'identity') headers['content-encoding'] = encoding === 'gz' ? 'gzip' : 'br';
        else headers['accept-ranges'] = 'bytes';
        return {
          blobId: encoding === 'identity' ? hostingBlobIds.file(site.siteId, entry.sha256) : hostingBlobIds.variant(site.siteId, entry.sha256, encoding),
          size,
          etag,
          headers,
        };
      };
      // The uploaded blob's size, checked by the server, not the manifest's claim.
      const identity = representation('identity', blob?.size ?? entry.size);
      const br = blob?.brSize !== undefined ? representation('br', blob.brSize) : undefined;
      const gz = blob?.gzSize !== undefined ? representation('gz', blob.gzSize) : undefined;
      const etags = new Set([identity.etag, ...(br ? [br.etag] : []), ...(gz ? [gz.etag] : [])]);
      files.set(entry.path, { path: entry.path, sha256: entry.sha256, identity, br, gz, etags, cacheControl });
    }
    return files;
  }
}
