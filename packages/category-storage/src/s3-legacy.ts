import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext, type Project, type Template } from '@forte/protocol';
import { cliInputsPath } from './cli-inputs-file.js';
import { CATEGORY } from './ddb-inputs.js';
import { MIGRATION_KEY_ORDER, s3InputsSchema, storageAccessFor, type S3Inputs, type S3Operation } from './s3-inputs.js';
import { saveBucket } from './s3-resource.js';

const TEMPLATE_FILE = 's3-cloudformation-template.json';
const LEGACY_FILES = [TEMPLATE_FILE, 'parameters.json', 'storage-params.json'];

/** Older storage files may carry trailing commas (CloudFormation accepts them, JSON does not), as Amplify's migration allows. */
function readLenient(file: string): Record<string, any> {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    try {
      return JSON.parse(text.replace(/,(?!\s*?[{["'\w])/g, '')) as Record<string, any>;
    } catch (error) {
      throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', { cause: error });
    }
  }
}

/** Whether the bucket comes from an Amplify version before cli-inputs.json: its template and parameters.json, no cli-inputs.json. */
export const isLegacyBucket = (project: Project, resourceName: string): boolean => {
  const dir = project.resourceDir(CATEGORY, resourceName);
  return !existsSync(cliInputsPath(project, resourceName)) && existsSync(join(dir, TEMPLATE_FILE)) && existsSync(join(dir, 'parameters.json'));
};

/** A bucket of an older project: its own template deployed as written, with its parameters.json values (as Amplify's push does). */
export function legacyBucketBuild(project: Project, resourceName: string): { template: Template; parameters: Record<string, unknown>; file: string } {
  const dir = project.resourceDir(CATEGORY, resourceName);
  const file = join(dir, TEMPLATE_FILE);
  return { template: readLenient(file) as Template, parameters: readLenient(join(dir, 'parameters.json')), file };
}

const FROM_ACTION: Record<string, S3Operation> = {
  's3:PutObject': 'CREATE_AND_UPDATE',
  's3:GetObject': 'READ',
  's3:ListBucket': 'READ',
  's3:DeleteObject': 'DELETE',
};
const FROM_STORAGE_PARAM: Record<string, S3Operation> = { 'create/update': 'CREATE_AND_UPDATE', read: 'READ', delete: 'DELETE' };

/** Operations from IAM actions (or storage-params words), each once, in the order first seen (Amplify's uniq). */
function operationsOf(values: unknown, table: Record<string, S3Operation>, where: string): S3Operation[] {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? values.split(',') : [];
  const out: S3Operation[] = [];
  for (const value of list) {
    const op = table[String(value).trim()];
    if (!op) throw new UserError(`${where}: ${String(value)} is not an S3 permission Amplify knows.`, 'Fix the file, then run the command again.');
    if (!out.includes(op)) out.push(op);
  }
  return out;
}

const granted = (params: Record<string, any>, keys: string[]): boolean => keys.some((k) => typeof params[k] === 'string' && params[k] !== 'DISALLOW');

/**
 * Amplify's `S3InputState.migrate`: cli-inputs.json made from the older parameters.json (the permissions inferred from
 * `selected*Permissions` when some prefix is allowed) and storage-params.json (`groupPermissionMap`), with a new
 * policyUUID (the policies get new names, as in Amplify); the old files are deleted.
 */
export function migrateLegacyBucket(project: Project, resourceName: string): S3Inputs {
  const dir = project.resourceDir(CATEGORY, resourceName);
  const params = readLenient(join(dir, 'parameters.json'));
  const storageParamsFile = join(dir, 'storage-params.json');
  const storageParams = existsSync(storageParamsFile) ? readLenient(storageParamsFile) : {};
  const where = `amplify/backend/${CATEGORY}/${resourceName}/parameters.json`;
  const authAccess = granted(params, [
    's3PermissionsAuthenticatedPublic',
    's3PermissionsAuthenticatedPrivate',
    's3PermissionsAuthenticatedProtected',
    's3PermissionsAuthenticatedUploads',
  ])
    ? operationsOf(params['selectedAuthenticatedPermissions'], FROM_ACTION, where)
    : [];
  const guestAccess = granted(params, ['s3PermissionsGuestPublic', 's3PermissionsGuestPrivate', 's3PermissionsGuestProtected', 's3PermissionsGuestUploads'])
    ? operationsOf(params['selectedGuestPermissions'], FROM_ACTION, where)
    : [];
  const inputs: Record<string, unknown> = {
    resourceName,
    bucketName: params['bucketName'],
    policyUUID: randomBytes(4).toString('hex'),
    storageAccess: storageAccessFor(guestAccess),
    guestAccess,
    authAccess,
    triggerFunction: typeof params['triggerFunction'] === 'string' ? params['triggerFunction'] : 'NONE',
  };
  const groupMap = storageParams['groupPermissionMap'] as Record<string, unknown> | undefined;
  if (groupMap && typeof groupMap === 'object') {
    inputs['groupAccess'] = Object.fromEntries(
      Object.entries(groupMap).map(([group, ops]) => [
        group,
        operationsOf(ops, FROM_STORAGE_PARAM, `amplify/backend/${CATEGORY}/${resourceName}/storage-params.json`),
      ]),
    );
  }
  const parsed = s3InputsSchema.safeParse(inputs);
  if (!parsed.success)
    throw new UserError(
      `storage ${resourceName}'s older files cannot be migrated to cli-inputs.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
      'Write cli-inputs.json by hand (packages/category-storage/README.md), then delete the old template.',
    );
  saveBucket(project, parsed.data, { isNew: false, keyOrder: MIGRATION_KEY_ORDER });
  for (const file of LEGACY_FILES) rmSync(join(dir, file), { force: true });
  return parsed.data;
}

/** Amplify's question before it migrates an older bucket (yes migrates; `--yes` and `--headless` migrate without asking). */
export async function confirmS3Migration(ctx: PluginContext, resourceName: string): Promise<boolean> {
  if (!ctx.prompt.yes) {
    ctx.print.info('');
    ctx.print.info('A migration is needed to support latest updates on storage resources.');
    ctx.print.warn('Recommended to try in a non-production environment first. Run "forte env add" to create or clone an environment.');
    ctx.print.warn("Custom CloudFormation changes will NOT be preserved: the bucket's template is rendered from cli-inputs.json from then on.");
    if (!(await ctx.prompt.confirm({ message: `Do you want to migrate storage resource "${resourceName}"?`, default: true }))) return false;
  }
  migrateLegacyBucket(ctx.project(), resourceName);
  ctx.print.success(`storage ${resourceName} migrated to cli-inputs.json.`);
  return true;
}
