import { join } from 'node:path';
import { backendConfigSchema, isUserError, type Printer } from '@forte/protocol';
import { createBackendWatcher } from './backend-watcher.js';
import type { CliContext } from './cli-context.js';
import { resourcesOf } from './cloud-state.js';
import { readJsonFile } from './json-file.js';
import { DataLossRefusedError, pushBackend } from './push-backend.js';
import { createPrompter } from './prompter.js';
import { computeResourceStatus, dependenciesOf } from './resource-status.js';

/** A push of everything pending (an edit outside one resource's folder: backend-config.json, tags.json). */
const EVERYTHING = '*';

/**
 * `forte push --watch` (and `forte mock`): pushes what is pending, then watches amplify/backend and, after
 * each settled burst of saves, pushes exactly the resources whose files changed, one result line per deploy.
 * Pushes run as `--yes`, but a change that deletes stored data is never applied: it is named and skipped
 * with the command that applies it. No error ends the watch; Ctrl-C does, after the push in flight (which
 * on Ctrl-C during its deployment leaves it to the cloud to finish or roll back, as every push does).
 */
export async function watchPush(ctx: CliContext, options: { allowDataLoss?: boolean } = {}): Promise<void> {
  const project = ctx.project();
  const print = ctx.print;
  const pushCtx: CliContext = { ...ctx, print: quietPrinter(print), prompt: createPrompter({ yes: true, interactive: false }) };
  const queue = new Set<string>();
  let stopping = false;
  let wake: (() => void) | undefined;
  let busy = false;
  const onSigint = (): void => {
    if (busy && !stopping) print.info('Stopping after the push in flight.');
    stopping = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);

  const targetsOf = (paths: string[]): string[] => {
    try {
      return resourceTargets(paths);
    } catch {
      // backend-config.json half-saved or invalid: a full push then names the problem in its result line.
      return [EVERYTHING];
    }
  };
  const resourceTargets = (paths: string[]): string[] => {
    const deployed = readJsonFile(join(project.currentCloudBackendDir, 'backend-config.json'), backendConfigSchema, project.root) ?? {};
    const known = new Set([...resourcesOf(project.readBackendConfig()), ...resourcesOf(deployed)].map(([c, n]) => `${c}/${n}`));
    return paths.map((path) => {
      const [category, name] = path.split('/');
      const key = `${category}/${name}`;
      return name !== undefined && known.has(key) ? key : EVERYTHING;
    });
  };

  const deploy = async (target: string, first: boolean): Promise<void> => {
    const [category, resourceName] = target === EVERYTHING ? [] : target.split('/');
    const label = category && resourceName ? `${category} ${resourceName}` : pendingLabel(ctx);
    const started = Date.now();
    const took = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    busy = true;
    try {
      const deployed = await pushBackend(pushCtx, {
        ...(category && resourceName ? { categories: [category], resourceName } : {}),
        allowDataLoss: options.allowDataLoss === true,
      });
      if (deployed) print.success(`Deployed ${label} in ${took()}`);
      else if (first) print.info('No changes to push: the cloud is up to date.');
    } catch (error) {
      if (error instanceof DataLossRefusedError) {
        const command = category && resourceName ? `forte push ${category} ${resourceName}` : 'forte push';
        print.warn(`Skipped ${label}: ${error.message}\n  To apply it: ${command} --allow-data-loss`);
      } else {
        print.error(`Deploying ${label} failed after ${took()}: ${error instanceof Error ? error.message : String(error)}`);
        if (isUserError(error) && error.resolution) print.info(`  ${error.resolution}`);
      }
    } finally {
      busy = false;
    }
  };

  print.info(`Watching amplify/backend of environment ${project.envName}: each saved change is deployed (Ctrl-C to stop).`);
  // Watching starts before the first push, so a save made while it runs is deployed right after it.
  const watcher = createBackendWatcher(project.backendDir, (paths) => {
    for (const target of targetsOf(paths)) queue.add(target);
    wake?.();
  });
  try {
    await deploy(EVERYTHING, true);
    while (!stopping) {
      if (queue.size === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const targets = queue.has(EVERYTHING) ? [EVERYTHING] : dependencyOrder(ctx, [...queue]);
      queue.clear();
      for (const target of targets) if (!stopping) await deploy(target, false);
    }
  } finally {
    watcher.close();
    process.off('SIGINT', onSigint);
  }
  print.info('Stopped watching.');
}

/** The resources a full push would deploy, for its result line. */
function pendingLabel(ctx: CliContext): string {
  let changed: { category: string; resourceName: string }[];
  try {
    changed = computeResourceStatus(ctx.project()).resources.filter((r) => r.operation !== 'No Change');
  } catch {
    return 'the backend'; // unreadable project files: the push's own error says which
  }
  return changed.length === 0 ? 'the backend' : changed.map((r) => `${r.category} ${r.resourceName}`).join(', ');
}

/** Resources (`category/name`) ordered so that one another depends on is pushed first. */
function dependencyOrder(ctx: CliContext, targets: string[]): string[] {
  const config = ctx.project().readBackendConfig() as Record<string, Record<string, Record<string, unknown>>>;
  const wanted = new Set(targets);
  const out: string[] = [];
  const visit = (key: string, seen: Set<string>): void => {
    if (out.includes(key) || seen.has(key)) return;
    seen.add(key);
    const [category = '', name = ''] = key.split('/');
    for (const dep of dependenciesOf(config[category]?.[name] ?? {})) {
      const depKey = `${dep.category}/${dep.resourceName}`;
      if (wanted.has(depKey)) visit(depKey, seen);
    }
    out.push(key);
  };
  for (const target of targets) visit(target, new Set());
  return out;
}

/** The push's own tables and event lines stay quiet in the watch: it prints one line per deploy instead. */
function quietPrinter(print: Printer): Printer {
  const silent = (): void => undefined;
  return { ...print, info: silent, success: silent, table: silent };
}
