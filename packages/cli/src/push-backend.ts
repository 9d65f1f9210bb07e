import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { STACK_EVENT_WARNING, UserError, resourceLogicalId, type PushResource, type ResourceBuild, type ResourceChange } from '@forte/protocol';
import { loadCategoryPlugin } from './category-plugin.js';
import type { CliContext } from './cli-context.js';
import { applyCloudState, resourcesOf } from './cloud-state.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { helpfulLinks } from './helpful-links.js';
import { pushedResources, runPostPushHandlers } from './post-push.js';
import { withOutdatedResources } from './outdated-resources.js';
import { pushScope, type PushScope } from './push-scope.js';
import { activeOverrides, overridesWarning } from './override-files.js';
import { assertPushSupported } from './push-support.js';
import { readPushMarker, removePushMarker, settlePushMarker, writePushMarker } from './push-marker.js';
import { computeResourceStatus, dependenciesOf, statusTableRows, type ResourceStatus } from './resource-status.js';
import { stackEventLine } from './stack-event-line.js';
import { readCachedTemplate, templateCachePath, withDeployedTemplates } from './template-cache.js';
import { terminalColumns } from './terminal-columns.js';

/** A push refused because it would delete stored data and nothing approved that (`--allow-data-loss`). */
export class DataLossRefusedError extends UserError {}

export interface PushOptions {
  categories?: string[];
  resourceName?: string;
  /** Push every resource even when nothing changed (`--force`). */
  force?: boolean;
  /**
   * Approves changes that delete stored data (`--allow-data-loss`, or Amplify's
   * `--allow-destructive-graphql-schema-updates`); `--yes` alone never does.
   */
  allowDataLoss?: boolean;
}

/**
 * `forte push`: status without the cloud first ("No changes detected" returns at once), then build the
 * changed resources, upload, preview, confirm, deploy with live events, and on success bring amplify-meta,
 * #current-cloud-backend and the frontend config up to date. On failure the local files stay as they were.
 * Returns whether anything was deployed.
 */
export async function pushBackend(ctx: CliContext, options: PushOptions = {}): Promise<boolean> {
  const project = ctx.project();
  if (project.localEnvInfo.noUpdateBackend) {
    throw new UserError(
      'This folder was pulled to use the backend, not to change it (noUpdateBackend).',
      'Pull again and answer that you plan to modify the backend, or remove noUpdateBackend from amplify/.config/local-env-info.json.',
    );
  }
  if (existsSync(project.paths.pushMarker)) {
    const outcome = await settlePushMarker(ctx, { finalize: true });
    if (outcome === 'in-progress')
      throw new UserError('A deployment of this environment is still in progress.', 'Wait for it to finish (`forte status`), then push again.');
  }
  // Unchanged files, but what a build reads elsewhere may have changed (an API's admin roles): such resources are Updates.
  const status = await withOutdatedResources(ctx, computeResourceStatus(project, options));
  if (!status.changed && !options.force) {
    ctx.print.info('No changes detected');
    return false;
  }
  // The push asks to confirm its changes: without a terminal, say so once, before any table is printed.
  if (!ctx.prompt.yes && ctx.prompt.interactive === false) {
    throw new UserError(
      'forte push asks you to confirm its changes, and there is no terminal to ask in.',
      'Pass --yes to push without asking, or run it in a terminal.',
    );
  }
  const meta = project.readMeta();
  const envInfo = meta.providers?.awscloudformation ?? project.readTeamProviderInfo()[project.envName]?.awscloudformation;
  if (!envInfo)
    throw new UserError(
      `Environment ${project.envName} is not initialized in the cloud (no provider info in amplify-meta.json).`,
      'Run `forte env checkout ' + project.envName + '` or `forte init`.',
    );

  ctx.print.info(`\n    Current Environment: ${project.envName}\n`);
  ctx.print.table(statusTableRows(status));
  const scope = pushScope(project, options);
  assertPushSupported(ctx, scope.backendConfig);
  // Said before the push asks to continue, so that a reader can stop it.
  const overrides = overridesWarning(activeOverrides(project.root, project.backendDir, scope.backendConfig));
  if (overrides) ctx.print.warn(overrides);
  // Until the change set is executed nothing is applied: Ctrl-C (at a build's install, an upload) says so. The
  // package manager, in the terminal's process group, gets the signal too. Questions take Ctrl-C themselves,
  // and a caller that handles it (push --watch finishes the push in flight) keeps it.
  let beforeDeploying: (() => void) | undefined =
    process.listenerCount('SIGINT') > 0
      ? undefined
      : () => {
          ctx.print.warn('Push interrupted before anything was deployed; the environment is as it was.');
          process.exit(130);
        };
  if (beforeDeploying) process.once('SIGINT', beforeDeploying);
  const stopBeforeDeploying = (): void => {
    if (beforeDeploying) process.off('SIGINT', beforeDeploying);
    beforeDeploying = undefined;
  };
  let resources: PushResource[];
  try {
    resources = await buildResources(ctx, status, scope, options);
  } catch (error) {
    stopBeforeDeploying();
    throw error;
  }
  // The snapshot is read after the builds, which may write into the backend (a function's first install
  // writes src/package-lock.json), so status compares against what was deployed. It carries the templates
  // deployed, so a checkout or a pull of this env can diff against them.
  const snapshot = withDeployedTemplates(pushScope(project, options).snapshot, resources);
  const pushedLogicalIds = resources.map((r) => resourceLogicalId(r.category, r.resourceName));
  const startedAt = new Date().toISOString();
  let interrupted: (() => void) | undefined;
  // What resources were deployed with that will not work yet (a @function naming no function), said again at the end.
  const warnings: string[] = [];
  const provider = await ctx.provider();
  try {
    const result = await provider.pushResources(ctx, {
      appId: envInfo.AmplifyAppId,
      envName: project.envName,
      envInfo,
      resources,
      snapshot,
      initiatedBy: `${safeUser()}@${hostname()} (pid ${process.pid})`,
      confirm: (changes) => confirmChanges(ctx, changes, resources, options.allowDataLoss === true),
      beforeExecute: ({ changeSetId, snapshotKey }) => {
        stopBeforeDeploying();
        writePushMarker(project, { changeSetId, envName: project.envName, startedAt, snapshotKey, resources: pushedLogicalIds });
      },
      onDeploymentStarted: (deployment) => {
        const marker = readPushMarker(project);
        if (marker) writePushMarker(project, { ...marker, deploymentId: deployment.deploymentId });
        interrupted = () => {
          ctx.print.warn(`Push interrupted; the cloud finishes or rolls back deployment ${deployment.deploymentId} on its own. Run \`forte status\`.`);
          process.exit(130);
        };
        process.once('SIGINT', interrupted);
      },
      onEvent: (event) => {
        ctx.print.info(stackEventLine(event, terminalColumns()));
        if (event.status.endsWith('_COMPLETE'))
          for (const line of event.reason?.split('\n') ?? [])
            if (line.startsWith(STACK_EVENT_WARNING)) warnings.push(`${event.logicalId}: ${line.slice(STACK_EVENT_WARNING.length)}`);
      },
    });
    if (result.status === 'CANCELLED') {
      ctx.print.info('Push cancelled; nothing was deployed.');
      return false;
    }
    if (result.status === 'FAILED') {
      removePushMarker(project);
      throw new UserError(
        `The push failed and was rolled back: ${result.failure ?? 'unknown reason'}`,
        'Fix the resource named above, then run `forte push` again.',
      );
    }
    const newMeta = applyCloudState(project, { envInfo, outputs: result, snapshot, pushedAt: new Date().toISOString(), templateKeys: result.templateKeys });
    await writeFrontendConfigs(ctx, newMeta);
    removePushMarker(project);
    ctx.print.success('All resources are updated in the cloud');
    for (const warning of warnings) ctx.print.warn(warning);
    // As Amplify's push ends: the GraphQL API's endpoint and key, ready to paste.
    const apiLinks = helpfulLinks(newMeta).filter((line) => line.startsWith('GraphQL'));
    if (apiLinks.length > 0) ctx.print.info(`\n${apiLinks.join('\n')}\n`);
    await runPostPushHandlers(ctx, pushedResources(ctx, status, resources));
    return true;
  } catch (error) {
    // ExecuteChangeSet refused (another deployment holds the env): nothing of this push runs.
    if (!interrupted) removePushMarker(project);
    throw error;
  } finally {
    stopBeforeDeploying();
    if (interrupted) process.off('SIGINT', interrupted);
  }
}

/**
 * The resources of the root stack: the changed ones (in the filter) are built by their category plugin;
 * the others reuse the template of their last push (or are built when there is none).
 */
async function buildResources(ctx: CliContext, status: ResourceStatus, scope: PushScope, options: PushOptions): Promise<PushResource[]> {
  const project = ctx.project();
  const changed = new Set(
    status.resources
      .filter((r) => (r.operation === 'Create' || r.operation === 'Update' || options.force) && scope.includes(r.category, r.resourceName))
      .map((r) => `${r.category}/${r.resourceName}`),
  );
  const currentMeta = project.readCurrentMeta();
  const meta = project.readMeta();
  const envCategories = project.readTeamProviderInfo()[project.envName]?.categories ?? {};
  const out: PushResource[] = [];
  for (const [category, resourceName, configEntry] of resourcesOf(scope.backendConfig)) {
    const entry = { ...(meta[category]?.[resourceName] as Record<string, unknown> | undefined), ...configEntry };
    if (entry['serviceType'] === 'imported') continue;
    const key = `${category}/${resourceName}`;
    const deployed = Boolean(currentMeta[category]?.[resourceName]);
    const cached = changed.has(key) ? undefined : readCachedTemplate(templateCachePath(project.currentCloudBackendDir, category, resourceName));
    if (!changed.has(key) && !deployed) continue; // not pushed yet and outside this push's filter
    let built: ResourceBuild | undefined = cached;
    const service = typeof entry['service'] === 'string' ? entry['service'] : undefined;
    const inScope = scope.includes(category, resourceName);
    // Outside the push's scope a resource is rebuilt as deployed, from #current-cloud-backend.
    const ref = {
      category,
      resourceName,
      service: service ?? '',
      dir: inScope ? project.resourceDir(category, resourceName) : join(project.currentCloudBackendDir, category, resourceName),
    };
    if (!built) {
      const plugin = await loadCategoryPlugin(ctx, category, service);
      if (!plugin.build) throw new UserError(`The ${category} plugin cannot build resources (it has no build()).`, `Update the ${category} plugin.`);
      built = await plugin.build(ctx, ref);
    }
    const environmentParameters = envCategories[category]?.[resourceName];
    out.push({
      category,
      resourceName,
      template: built.template,
      parameters: built.parameters ?? {},
      ...(environmentParameters ? { environmentParameters } : {}),
      ...(built.assets ? { assets: built.assets } : {}),
      dependsOn: dependenciesOf(entry),
      ...(built.sourceFile === undefined ? {} : { sourceFile: built.sourceFile }),
    });
  }
  return out;
}

/**
 * A line per table whose key changes with its items kept, naming the new key (read from the pushed
 * template), so the preview says plainly that the rows move rather than the table being replaced.
 */
function keyMigrationLines(changes: ResourceChange[], resources: PushResource[]): string[] {
  return changes
    .filter((c) => c.action === 'Modify' && (c.migrations ?? []).some((m) => m.property === 'KeySchema'))
    .map((c) => {
      const [stackId] = c.logicalId.split('.');
      const resource = resources.find((r) => resourceLogicalId(r.category, r.resourceName) === stackId);
      const keySchema = resource?.template.Resources[c.logicalId.slice(c.logicalId.lastIndexOf('.') + 1)]?.Properties?.['KeySchema'];
      const names = Array.isArray(keySchema) ? keySchema.map((k) => String((k as { AttributeName?: unknown }).AttributeName)).join(', ') : undefined;
      return `${c.logicalId}: every item moves to the new key${names ? ` (${names})` : ''} in one transaction; if one cannot, the push fails and nothing changes.`;
    });
}

async function confirmChanges(ctx: CliContext, changes: ResourceChange[], resources: PushResource[], allowDataLoss: boolean): Promise<boolean> {
  if (changes.length > 0) {
    ctx.print.table([['Resource', 'Type', 'Action', 'Reason'], ...changes.map((c) => [c.logicalId, c.resourceType, c.action, c.reasons.join('; ')])]);
    for (const line of keyMigrationLines(changes, resources)) ctx.print.info(line);
  } else {
    ctx.print.info('No resource changes; the backend snapshot is updated.');
  }
  const losses = dataLosses(changes);
  if (losses.length > 0 && !allowDataLoss) {
    // As Amplify: --yes alone never approves losing data; without a terminal, only the flags do.
    if (ctx.prompt.yes || ctx.prompt.interactive === false) {
      throw new DataLossRefusedError(
        `This push would delete stored data: ${losses.map((l) => l.summary).join('; ')}. Nothing was deployed.`,
        `If you mean to delete it, push again with --allow-destructive-graphql-schema-updates or --allow-data-loss (--yes alone does not approve losing data).${restoreHint(losses)}`,
      );
    }
    ctx.print.warn(`This push deletes stored data:\n${losses.map((l) => `  ${l.summary}`).join('\n')}${restoreHint(losses)}`);
    return ctx.prompt.confirm({ message: `Delete ${losses.map((l) => l.summary).join(', ')}?`, default: false });
  }
  if (ctx.prompt.yes) return true;
  return ctx.prompt.confirm({ message: 'Are you sure you want to continue?', default: true });
}

/** The changes that delete stored data, as the cloud counted it, each summed up for people. */
function dataLosses(changes: ResourceChange[]): { logicalId: string; summary: string; restorable: boolean }[] {
  return changes.flatMap((c) => {
    if (!c.destroysData) return [];
    const { kind, count, restorable } = c.destroysData;
    const noun = count === 1 ? kind.replace(/s$/, '') : kind;
    return [{ logicalId: c.logicalId, summary: `${c.logicalId} (${c.resourceType}${c.replacement ? ', replaced' : ''}) holds ${count} ${noun}`, restorable }];
  });
}

function restoreHint(losses: { logicalId: string; restorable: boolean }[]): string {
  const kept = losses.filter((l) => l.restorable);
  if (kept.length === 0) return '';
  const what = kept.length === losses.length ? 'the deleted data' : `the data of ${kept.map((l) => l.logicalId).join(', ')}`;
  return ` The cloud keeps a copy of ${what} for a while: \`forte env restore-deleted\` brings it back once the resource is added back and pushed.`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'user';
  }
}
