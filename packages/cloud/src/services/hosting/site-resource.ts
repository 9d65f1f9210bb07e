import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { hostingBlobIds } from './blob-ids.js';
import type { HostingState } from './hosting-state.js';
import { siteAddresses } from './site-address.js';
import { siteStore, type SiteRow } from './site-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const DEFAULT_SITE_NAME = 'main';

const siteProps = z.object({
  AppId: z.string().min(1, 'AppId is required'),
  EnvName: z.string().regex(/^[a-z]{2,10}$/, 'EnvName must be 2 to 10 lowercase letters'),
  SiteName: z.string().min(1).max(64).optional(),
});

function parseProps(props: Record<string, unknown>): z.infer<typeof siteProps> {
  const parsed = siteProps.safeParse(props);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw RESOURCE_ERRORS.error('ValidationException', `Forte::Hosting::Site ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** `Forte::Hosting::Site` {AppId, EnvName, SiteName?} → physical id = siteId; attributes SiteId, Url, HostName (and PathUrl, the same as Url). */
export function createSiteResourceHandler(state: HostingState): ResourceHandler {
  const { kernel } = state;
  const { sql } = kernel;
  const result = (site: SiteRow): ResourceResult => {
    const { url, hostName } = siteAddresses(site.hostLabel, kernel.port());
    // PathUrl named `/sites/<label>/` on the API's origin, which no longer serves sites: templates made
    // before still read it, so it stays, as the site's own address.
    return { physicalId: site.siteId, attributes: { SiteId: site.siteId, Url: url, PathUrl: url, HostName: hostName } };
  };

  return {
    replaceOn: ['AppId', 'EnvName'],
    async create(props, ctx: ResourceContext) {
      const p = parseProps(props);
      const siteName = p.SiteName ?? DEFAULT_SITE_NAME;
      const existing = await siteStore.siteByName(sql, p.AppId, p.EnvName, siteName);
      if (existing) return result(existing);
      const hostLabel = `${ctx.appSlug}-${p.EnvName}`;
      const taken = await siteStore.siteByLabel(sql, hostLabel);
      if (taken) {
        throw RESOURCE_ERRORS.error(
          'ConflictException',
          `The environment ${p.EnvName} already has the hosting site ${taken.siteName} at ${hostLabel}.localhost: an environment has one site; remove the other hosting resource first.`,
        );
      }
      const site: SiteRow = {
        siteId: `site-${randomBytes(8).toString('hex')}`,
        appId: p.AppId,
        envName: p.EnvName,
        siteName,
        hostLabel,
        activeDeploymentId: undefined,
        createdAt: new Date().toISOString(),
      };
      await siteStore.insertSite(sql, site);
      state.sites.invalidate(hostLabel);
      ctx.log.info('hosting site created', { siteId: site.siteId, hostLabel });
      return result(site);
    },
    async update(physicalId, props, oldProps) {
      const p = parseProps(props);
      const old = parseProps(oldProps);
      if (p.AppId !== old.AppId || p.EnvName !== old.EnvName) return 'replace';
      const site = await siteStore.siteById(sql, physicalId);
      if (!site) return 'replace';
      const siteName = p.SiteName ?? DEFAULT_SITE_NAME;
      if (siteName !== site.siteName) await siteStore.updateSiteName(sql, physicalId, siteName);
      return result({ ...site, siteName });
    },
    async delete(physicalId, _props, ctx) {
      await state.lock.run(physicalId, async (guard) => {
        const site = await siteStore.siteById(sql, physicalId);
        if (!site) return;
        const blobs = await siteStore.blobs(sql, physicalId);
        await sql.transaction((tx) => siteStore.deleteSite(tx, physicalId, guard));
        state.sites.invalidate(site.hostLabel);
        for (const blob of blobs) {
          for (const id of [
            hostingBlobIds.file(physicalId, blob.sha256),
            hostingBlobIds.variant(physicalId, blob.sha256, 'br'),
            hostingBlobIds.variant(physicalId, blob.sha256, 'gz'),
          ]) {
            await kernel.blobs.delete(id);
            state.bodies.delete(id);
          }
        }
        ctx.log.info('hosting site deleted', { siteId: physicalId, deletedBlobs: blobs.length });
      });
    },
    // The files of the live deployment, counted so deleting a published site needs an explicit yes; not
    // copied: `forte publish` makes them again from the project.
    storedData: {
      kind: 'objects',
      async count(physicalId) {
        const site = await siteStore.siteById(sql, physicalId);
        const live = site?.activeDeploymentId === undefined ? undefined : await siteStore.deployment(sql, site.activeDeploymentId);
        return live?.fileCount ?? 0;
      },
    },
  };
}
