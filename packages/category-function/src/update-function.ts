import { UserError, type PluginContext } from '@forte/protocol';
import { CATEGORY, readEnvParameters } from './function-files.js';
import { askUpdatedSettings } from './function-questions.js';
import { readFunction, writeSettings, type FunctionSettings, type PackageManager } from './function-resource.js';
import { accessDependency, resolveAccess } from './function-resource.js';
import type { DependsOn } from './resource-access.js';

/** The settings a function has now, read back from its files. */
export function currentSettings(ctx: PluginContext, name: string): FunctionSettings {
  const project = ctx.project();
  const stored = readFunction(project, name);
  const fp = stored.functionParameters;
  const values = readEnvParameters(project, project.envName, CATEGORY, name);
  const schedule = stored.parameters['CloudWatchRule'];
  const build = (stored.state['scripts'] as { build?: string } | undefined)?.build;
  const packageManager: PackageManager | undefined =
    build === undefined
      ? undefined
      : build.startsWith('npm ')
        ? 'npm'
        : build.startsWith('yarn')
          ? 'yarn'
          : build === 'pnpm install'
            ? 'pnpm'
            : { custom: build };
  return {
    permissions: fp.permissions ?? {},
    ...(typeof schedule === 'string' && schedule !== 'NONE' ? { schedule } : {}),
    layers: fp.lambdaLayers ?? [],
    environmentVariables: Object.fromEntries(
      (fp.environmentVariableList ?? []).map((v) => [v.environmentVariableName, String(values[v.cloudFormationParameterName] ?? '')]),
    ),
    secrets: Object.fromEntries((fp.secretNames ?? []).map((n) => [n, undefined])),
    ...(packageManager ? { packageManager } : {}),
  };
}

/** What the function depends on besides its access and latest-layer settings (its template's own sources). */
function ownDependsOn(ctx: PluginContext, name: string, settings: FunctionSettings): DependsOn[] {
  const project = ctx.project();
  const entry = project.readBackendConfig()[CATEGORY]?.[name];
  const all = (entry?.dependsOn ?? []) as DependsOn[];
  const managed = resolveAccess(project, name, settings.permissions, true).map(({ resource }) => accessDependency(resource));
  const layerNames = settings.layers.flatMap((l) => (l.type === 'ProjectLayer' && l.isLatestVersionSelected ? [l.resourceName] : []));
  return all
    .map((d) => {
      const access = managed.find((m) => m.category === d.category && m.resourceName === d.resourceName);
      const layer = d.category === CATEGORY && layerNames.includes(d.resourceName) ? ['Arn'] : [];
      const drop = new Set([...(access?.attributes ?? []), ...layer]);
      return { ...d, attributes: d.attributes.filter((a) => !drop.has(a)) };
    })
    .filter((d) => d.attributes.length > 0);
}

/** Applies new settings to an existing function, editing its files in place. */
export async function applyUpdate(ctx: PluginContext, name: string, next: FunctionSettings): Promise<void> {
  const project = ctx.project();
  const stored = readFunction(project, name);
  const own = ownDependsOn(ctx, name, currentSettings(ctx, name));
  await writeSettings(ctx, name, stored, next, own);
}

export async function chooseFunction(ctx: PluginContext): Promise<string> {
  const functions = Object.entries(ctx.project().readBackendConfig()[CATEGORY] ?? {})
    .filter(([, e]) => e.service === 'Lambda')
    .map(([n]) => n);
  if (functions.length === 0) throw new UserError('This project has no function to update.', 'Add one with `forte add function`.');
  const given = ctx.input.subCommands[0];
  if (given !== undefined) {
    if (!functions.includes(given)) throw new UserError(`The project has no function named ${given}.`, `Choose one of: ${functions.join(', ')}.`);
    return given;
  }
  return ctx.prompt.select({ message: 'Select the Lambda function you want to update', choices: functions.map((f) => ({ name: f, value: f })) });
}

/** `forte update function`: the advanced settings again, with the current values as defaults. */
export async function updateFunction(ctx: PluginContext): Promise<void> {
  const name = await chooseFunction(ctx);
  const next = await askUpdatedSettings(ctx, name, currentSettings(ctx, name));
  await applyUpdate(ctx, name, next);
  ctx.print.success(`Successfully updated resource ${name} locally.`);
}
