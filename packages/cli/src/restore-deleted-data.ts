import { UserError, designatesDeletedData, type DeletedDataCopy } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { envInfoOf } from './environments.js';

const day = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

function copyRows(copies: DeletedDataCopy[]): string[][] {
  return [
    ['Resource', 'Type', 'Holds', 'Deleted (UTC)', 'Kept until (UTC)'],
    ...copies.map((c) => [c.logicalId, c.resourceType, `${c.count} ${c.kind}`, day(c.deletedAt), day(c.expiresAt)]),
  ];
}

/**
 * `forte env restore-deleted [resource]`: lists the copies of data that pushes of the current environment
 * deleted (a removed model's table, a replaced user pool), then, once confirmed, puts them back into the
 * resources deployed now under the same names (all, or those of `resource`). What a resource holds now wins
 * over the copy. A copy whose resource is not deployed waits: add it back and push first.
 */
export async function restoreDeletedData(ctx: CliContext, resource: string | undefined): Promise<void> {
  const project = ctx.project();
  const envInfo = envInfoOf(project, project.envName);
  const provider = await ctx.provider();
  if (!provider.listDeletedData || !provider.restoreDeletedData)
    throw new UserError('The provider of this project cannot restore deleted data.', 'Update the provider plugin.');
  const args = { appId: envInfo.AmplifyAppId, envName: project.envName };
  const all = await provider.listDeletedData(ctx, args);
  const copies = resource === undefined ? all : all.filter((c) => designatesDeletedData(c, resource));
  if (copies.length === 0) {
    ctx.print.info(
      resource === undefined
        ? `No deleted data is kept for environment ${project.envName}.`
        : `No deleted data of ${resource} is kept for environment ${project.envName}.`,
    );
    if (resource !== undefined && all.length > 0) ctx.print.table(copyRows(all));
    return;
  }
  ctx.print.info(`Deleted data kept for environment ${project.envName}:`);
  ctx.print.table(copyRows(copies));
  if (!ctx.prompt.yes && ctx.prompt.interactive === false) {
    throw new UserError(
      'forte env restore-deleted asks before restoring, and there is no terminal to ask in.',
      'Pass --yes to restore without asking, or run it in a terminal.',
    );
  }
  const question = `Restore ${copies.length === 1 ? 'it' : `these ${copies.length} copies`} into the resources deployed now (items already there are kept)?`;
  if (!(await ctx.prompt.confirm({ message: question, default: true }))) {
    ctx.print.info('Nothing was restored.');
    return;
  }
  const { restored, waiting } = await provider.restoreDeletedData(ctx, { ...args, ...(resource === undefined ? {} : { resource }) });
  for (const r of restored) {
    const skipped = r.skipped > 0 ? `; ${r.skipped} skipped (${r.example ?? 'already there'})` : '';
    ctx.print.success(`${r.copy.logicalId}: ${r.restored} ${r.copy.kind} restored${skipped}.`);
  }
  for (const w of waiting)
    ctx.print.warn(
      `${w.logicalId} is not deployed now: add it back and push, then run \`forte env restore-deleted\` again (the copy is kept until ${day(w.expiresAt)} UTC).`,
    );
}
