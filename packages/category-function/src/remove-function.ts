import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, confirmRemoval, type PluginContext } from '@forte/protocol';
import { CATEGORY, forgetEnvParameters, readJsonFile } from './function-files.js';
import { deleteSecrets } from './function-secrets.js';
import type { FunctionParameters } from './function-settings.js';

/** `forte remove function <name>`: refused while another resource depends on it. */
export async function removeFunction(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const backend = project.readBackendConfig();
  const names = Object.keys(backend[CATEGORY] ?? {});
  if (names.length === 0) throw new UserError('This project has no function to remove.', 'See the resources with `forte status`.');
  const name =
    ctx.input.subCommands[0] ??
    (await ctx.prompt.select({ message: 'Choose the resource you would want to remove', choices: names.map((n) => ({ name: n, value: n })) }));
  if (!names.includes(name)) throw new UserError(`The project has no function or layer named ${name}.`, `Choose one of: ${names.join(', ')}.`);
  if (!(await confirmRemoval(ctx, CATEGORY, name, "Remove the dependency first (e.g. `forte update function` to change a function's access or layers).")))
    return;
  await deleteFunction(ctx, name);
  ctx.print.success(`Successfully removed resource ${name} locally.`);
  ctx.print.info('Run `forte push` to delete it from the cloud.');
}

/** Deletes a function's folder, its backend-config and amplify-meta entries, its env parameters and its secrets. */
export async function deleteFunction(ctx: PluginContext, name: string): Promise<void> {
  const project = ctx.project();
  const backend = project.readBackendConfig();
  const secrets =
    readJsonFile<FunctionParameters>(join(project.resourceDir(CATEGORY, name), 'function-parameters.json'), { lambdaLayers: [] }).secretNames ?? [];
  rmSync(project.resourceDir(CATEGORY, name), { recursive: true, force: true });
  if (backend[CATEGORY]) {
    delete backend[CATEGORY][name];
    if (Object.keys(backend[CATEGORY]).length === 0) delete backend[CATEGORY];
  }
  const parameters = { ...(backend['parameters'] ?? {}) } as Record<string, unknown>;
  for (const key of Object.keys(parameters)) if (key.startsWith(`AMPLIFY_${CATEGORY}_${name}_`)) delete parameters[key];
  backend['parameters'] = parameters as (typeof backend)[string];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  if (meta[CATEGORY]) {
    delete meta[CATEGORY][name];
    if (Object.keys(meta[CATEGORY]).length === 0) delete meta[CATEGORY];
  }
  project.writeMeta(meta);
  forgetEnvParameters(project, CATEGORY, name);
  await deleteSecrets(ctx, name, secrets);
}
