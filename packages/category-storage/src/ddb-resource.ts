import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, addResourceEntry, confirmRemoval, removeResourceEntry, type PluginContext, type Project } from '@forte/protocol';
import { CATEGORY, DYNAMODB_SERVICE, PROVIDER_PLUGIN, keyProblems, writeInputs, writeJson, type DynamoDbInputs } from './ddb-inputs.js';

/**
 * Writes a table's cli-inputs.json and its backend-config.json / amplify-meta.json entry (`service: DynamoDB`,
 * `providerPlugin: awscloudformation`, as Amplify's `updateamplifyMetaAfterResourceAdd`). A new table refuses a
 * name the category already has.
 */
export function saveTable(project: Project, inputs: DynamoDbInputs, options: { isNew: boolean }): void {
  const problems = keyProblems(inputs);
  if (problems.length > 0) throw new UserError(`The table ${inputs.resourceName} is not valid: ${problems.join('; ')}.`, 'Choose other keys.');
  const backend = project.readBackendConfig();
  if (options.isNew && backend[CATEGORY]?.[inputs.resourceName])
    throw new UserError(`storage ${inputs.resourceName} already exists.`, 'Choose another friendly name, or change it with `forte update storage`.');
  writeInputs(project, inputs);
  if (options.isNew) addResourceEntry(project, CATEGORY, inputs.resourceName, { service: DYNAMODB_SERVICE, providerPlugin: PROVIDER_PLUGIN });
}

/** Drops a removed resource's values from every environment of `team-provider-info.json`. */
function forgetEnvParameters(project: Project, name: string): void {
  const file = join(project.amplifyDir, 'team-provider-info.json');
  if (!existsSync(file)) return;
  let info: Record<string, { categories?: Record<string, Record<string, unknown>> }>;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as typeof info;
  } catch {
    return;
  }
  for (const env of Object.values(info)) delete env.categories?.[CATEGORY]?.[name];
  writeJson(file, info);
}

/**
 * `forte remove storage [name]`: asks which and to confirm (Amplify's questions; `--yes` confirms), refused while
 * another resource depends on it (a function given access, a trigger), then deletes the folder and the entries.
 * The table or bucket is deleted by the next push, which asks first (a table's items and a bucket's objects are counted).
 */
export async function removeStorage(ctx: PluginContext, given?: string): Promise<void> {
  const project = ctx.project();
  const backend = project.readBackendConfig();
  const names = Object.keys(backend[CATEGORY] ?? {});
  if (names.length === 0) throw new UserError('This project has no storage resource to remove.', 'See the resources with `forte status`.');
  const name =
    given ??
    ctx.input.subCommands[0] ??
    (await ctx.prompt.select({ message: 'Choose the resource you would want to remove', choices: names.map((n) => ({ name: n, value: n })) }));
  if (!names.includes(name)) throw new UserError(`The project has no storage resource named ${name}.`, `Choose one of: ${names.join(', ')}.`);
  const hint =
    'Remove the dependency first (`forte update function` to change its access; `forte update storage` to remove a trigger, then edit that function).';
  if (!(await confirmRemoval(ctx, CATEGORY, name, hint))) return;
  rmSync(project.resourceDir(CATEGORY, name), { recursive: true, force: true });
  removeResourceEntry(project, CATEGORY, name);
  forgetEnvParameters(project, name);
  ctx.print.success(`Successfully removed resource ${name} locally.`);
  ctx.print.info('Run `forte push` to delete it from the cloud (the push asks before it deletes a table that holds items or a bucket that holds objects).');
}
