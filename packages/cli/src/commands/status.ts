import { existsSync } from 'node:fs';
import { UserError, diffParameterValues, diffTemplates } from '@forte/protocol';
import { loadCategoryPlugin } from '../category-plugin.js';
import type { CliContext } from '../cli-context.js';
import type { Command } from '../command.js';
import { helpfulLinks } from '../helpful-links.js';
import { runningLocalCloud } from '../local-cloud.js';
import { settlePushMarker } from '../push-marker.js';
import { withOutdatedResources } from '../outdated-resources.js';
import { computeResourceStatus, statusTableRows, type ResourceState } from '../resource-status.js';
import { readCachedTemplate, templateCachePath } from '../template-cache.js';

export const statusCommand: Command = {
  name: 'status',
  aliases: ['ls'],
  summary: "Shows what push would create, update or delete (no cloud round trip), and the endpoints; -v adds each change's template diff.",
  usage: 'forte status [category...] [-v|--verbose]',
  options: [{ name: 'verbose', short: 'v', description: "also show each changed resource's template diff" }],
  needsProject: true,
  async run(ctx) {
    const project = ctx.project();
    if (existsSync(project.paths.pushMarker)) await settlePushMarker(ctx, { finalize: false });
    const status = await withOutdatedResources(ctx, computeResourceStatus(project, { categories: ctx.input.subCommands }));
    ctx.print.info(`\n    Current Environment: ${project.envName}\n    `);
    ctx.print.table(statusTableRows(status));
    if (status.tagsUpdated) ctx.print.info('\nTag Changes Detected');
    if (ctx.input.options['verbose'] === true) {
      for (const resource of status.resources) if (resource.operation !== 'No Change') ctx.print.info(`\n${(await templateDiff(ctx, resource)).join('\n')}`);
    }
    const links = helpfulLinks(project.readMeta());
    if (links.length > 0) {
      ctx.print.info(`\n${links.join('\n')}\n`);
      // The endpoints of a stopped local cloud do not answer: say so rather than let them look live.
      if (ctx.usesLocalCloud() && !(await runningLocalCloud(ctx.home))) {
        ctx.print.warn(
          'The local Forte Cloud is not running: these endpoints answer once it is started (`forte cloud start`, or any command that needs it, such as `forte push`).',
        );
      }
    }
  },
};

/**
 * `status -v` for one resource: its deployed template (kept in #current-cloud-backend by the last push)
 * against the one its category plugin builds from backend/ now, as Amplify diffs each changed stack.
 */
async function templateDiff(ctx: CliContext, resource: ResourceState): Promise<string[]> {
  const project = ctx.project();
  const { category, resourceName, service, operation } = resource;
  const title = `${category.charAt(0).toUpperCase()}${category.slice(1)} ${resourceName} (${operation})`;
  const deployed = operation === 'Create' ? undefined : readCachedTemplate(templateCachePath(project.currentCloudBackendDir, category, resourceName));
  // A snapshot stored before deployed templates were kept in it: better no diff than one that shows everything as new.
  if (operation !== 'Create' && !deployed) return [title, '  (the deployed template is not known here: it is recorded by the next push)'];
  let local;
  if (operation !== 'Delete') {
    try {
      const plugin = await loadCategoryPlugin(ctx, category, service || undefined);
      if (!plugin.build) throw new UserError(`The ${category} plugin cannot build resources.`, `Update the ${category} plugin.`);
      local = await plugin.build(ctx, { category, resourceName, service, dir: project.resourceDir(category, resourceName) });
    } catch (error) {
      // A resource that does not build shows why here; push would stop on it with the same message.
      return [title, `  (its template could not be built: ${error instanceof Error ? error.message : String(error)})`];
    }
  }
  const lines = diffTemplates(deployed?.template, local?.template);
  const parameters = diffParameterValues(deployed?.parameters, local?.parameters);
  if (parameters.length > 0) lines.push(...(lines.length > 0 ? [''] : []), ...parameters);
  if (lines.length === 0) return [title, '  (no change to its template: the change is in files the deployment reads, such as a schema or a site)'];
  return [title, ...lines.map((line) => (line === '' ? '' : `  ${line}`))];
}
