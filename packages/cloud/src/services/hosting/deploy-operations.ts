import { randomBytes } from 'node:crypto';
import { CONTROL_ERRORS, createDeploymentRequest, siteIdRequest, startDeploymentRequest, type HostingOperations, type ListedDeployment } from '@forte/protocol';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import { collectGarbage, KEPT_DEPLOYMENTS } from './collect-garbage.js';
import { siteView, type HostingState } from './hosting-state.js';
import { compressPendingVariants } from './pending-variants.js';
import { pathProblem } from './site-path.js';
import { siteStore, type SiteRow } from './site-store.js';

type Output<K extends keyof HostingOperations> = Promise<HostingOperations[K]['output']>;

/** The operations of the hosting deploy API (`ForteHosting.<Operation>`). */
export function createDeployOperations(state: HostingState): Record<keyof HostingOperations, JsonOperation> {
  const { kernel } = state;
  const { sql } = kernel;

  const requireSite = async (siteId: string): Promise<SiteRow> => {
    const site = await siteStore.siteById(sql, siteId);
    if (!site) throw CONTROL_ERRORS.error('ResourceNotFoundException', `No hosting site ${siteId}: run \`forte push\` to create it, then publish again.`);
    return site;
  };

  const GetSite = defineOperation({
    input: siteIdRequest,
    async handler({ siteId }): Output<'GetSite'> {
      return { site: siteView(kernel, await requireSite(siteId)) };
    },
  });

  const CreateDeployment = defineOperation({
    input: createDeploymentRequest,
    async handler({ siteId, files }): Output<'CreateDeployment'> {
      await requireSite(siteId);
      const seen = new Set<string>();
      for (const file of files) {
        const problem = pathProblem(file.path);
        if (problem) throw CONTROL_ERRORS.error('ValidationException', `files: the path ${JSON.stringify(file.path)} ${problem}.`);
        if (seen.has(file.path)) throw CONTROL_ERRORS.error('ValidationException', `files: the path ${JSON.stringify(file.path)} is listed twice.`);
        seen.add(file.path);
      }
      const deployment = await siteStore.insertDeployment(sql, {
        deploymentId: `dep-${randomBytes(8).toString('hex')}`,
        siteId,
        files,
        createdAt: new Date().toISOString(),
      });
      const present = new Set((await siteStore.blobs(sql, siteId)).map((b) => b.sha256));
      const missing = [...new Set(files.map((f) => f.sha256))].filter((sha) => !present.has(sha));
      return { deployment, missing };
    },
  });

  const StartDeployment = defineOperation({
    input: startDeploymentRequest,
    async handler({ siteId, deploymentId }): Output<'StartDeployment'> {
      await requireSite(siteId);
      return state.lock.run(siteId, async (guard) => {
        const deployment = await siteStore.deployment(sql, deploymentId);
        if (!deployment || deployment.siteId !== siteId) {
          throw CONTROL_ERRORS.error('ResourceNotFoundException', `No deployment ${deploymentId} for site ${siteId}: create one with CreateDeployment first.`);
        }
        const files = await siteStore.manifest(sql, deploymentId);
        const present = new Map((await siteStore.blobs(sql, siteId)).map((b) => [b.sha256, b.size]));
        const missing = files.filter((f) => !present.has(f.sha256));
        if (missing.length > 0) {
          throw CONTROL_ERRORS.error(
            'ValidationException',
            `${missing.length} file(s) of deployment ${deploymentId} are not uploaded yet (for example ${missing[0]!.path}): ` +
              'upload each missing blob with PUT /hosting-api/sites/<siteId>/blobs/<sha256>, then start the deployment again.',
          );
        }
        // Sizes become Content-Length: the manifest's claim must agree with what was uploaded.
        const wrongSize = files.find((f) => present.get(f.sha256) !== f.size);
        if (wrongSize) {
          throw CONTROL_ERRORS.error(
            'ValidationException',
            `files: ${wrongSize.path} is listed with size ${wrongSize.size}, but its blob has ${present.get(wrongSize.sha256)} bytes: list the real size.`,
          );
        }
        const wasActive = deployment.status === 'ACTIVE';
        if (!wasActive) {
          await sql.transaction((tx) => siteStore.activate(tx, { siteId, deploymentId, at: new Date().toISOString(), now: Date.now(), guard }));
        }
        const site = await requireSite(siteId);
        state.sites.invalidate(site.hostLabel);
        if (!wasActive) {
          // The deployment is live now; its brotli and gzip variants follow shortly (until then files are
          // sent uncompressed), so a publish does not wait for compression. Should this instance die first,
          // another one's sweep computes them (pending-variants.ts).
          state.background.run('compress variants', async () => {
            await state.lock.run(siteId, (next) => compressPendingVariants(state, siteId, next));
          });
        }
        const collected = await collectGarbage(state, siteId, guard);
        kernel.log.info('hosting deployment live', {
          siteId,
          deploymentId,
          files: files.length,
          forgotDeployments: collected.deployments,
          deletedBlobs: collected.blobs,
        });
        const live = await siteStore.deployment(sql, deploymentId);
        return { deployment: live!, site: siteView(kernel, site) };
      });
    },
  });

  const ListDeployments = defineOperation({
    input: siteIdRequest,
    async handler({ siteId }): Output<'ListDeployments'> {
      await requireSite(siteId);
      // Blobs are read before deployments, as collect-garbage.ts does: collection deletes a deployment's row
      // before the blobs only it used, so every deployment listed after has its blobs in this earlier listing.
      const stored = new Map((await siteStore.blobs(sql, siteId)).map((b) => [b.sha256, b.size]));
      const deployments: ListedDeployment[] = [];
      for (const deployment of await siteStore.deployments(sql, siteId)) {
        const files = await siteStore.manifest(sql, deployment.deploymentId);
        deployments.push({
          ...deployment,
          totalBytes: files.reduce((sum, f) => sum + f.size, 0),
          // What StartDeployment checks: every body stored, with the size the manifest lists.
          restorable: files.every((f) => stored.get(f.sha256) === f.size),
        });
      }
      return { deployments, keptDeployments: KEPT_DEPLOYMENTS };
    },
  });

  return { GetSite, CreateDeployment, StartDeployment, ListDeployments };
}
