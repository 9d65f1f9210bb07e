import { UserError } from '@forte/protocol';
import { z } from 'zod';

/** The api category's REST service, as Amplify names it in backend-config.json. */
export const REST_SERVICE = 'API Gateway';
/** Reserved by the auth category for its Admin Queries API. */
export const ADMIN_QUERIES_NAME = 'AdminQueries';

export const CRUD_OPERATIONS = ['create', 'read', 'update', 'delete'] as const;
export type CrudOperation = (typeof CRUD_OPERATIONS)[number];
export type PermissionSetting = 'open' | 'private' | 'protected';

const crudList = z.array(z.enum(CRUD_OPERATIONS)).min(1, 'grant at least one of create, read, update, delete');

/** One path of `cli-inputs.json` (Amplify's APIGatewayCLIInputs schema). */
export const restPathSchema = z
  .object({
    name: z.string().optional(),
    lambdaFunction: z.string().regex(/^[A-Za-z0-9]+$/, 'function names are letters and digits'),
    lambdaArn: z.string().optional(),
    permissions: z
      .object({
        setting: z.enum(['open', 'private', 'protected']),
        auth: crudList.optional(),
        guest: crudList.optional(),
        groups: z.record(z.string(), crudList).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type RestPath = z.infer<typeof restPathSchema>;

/** `amplify/backend/api/<name>/cli-inputs.json` of a REST API. */
export const restInputsSchema = z.object({ version: z.literal(1), paths: z.record(z.string(), restPathSchema) }).passthrough();
export type RestInputs = z.infer<typeof restInputsSchema>;

/** Amplify's path rule (`/`, or `/part` segments of a-z A-Z 0-9 - _ : , . or `{param}`; no trailing slash). */
export function validatePathName(name: string): true | string {
  if (name === '/') return true;
  if (name.length === 0) return 'The path must not be empty';
  if (name.endsWith('/')) return 'The path must not end with /';
  if (!name.startsWith('/')) return 'The path must begin with / e.g. /items';
  if (!/^(?:\/(?:[a-zA-Z0-9\-_:,.]+|{[a-zA-Z0-9\-_]+}))+$/.test(name)) {
    return 'Each path part must use characters a-z A-Z 0-9 - _ : , . and must not be empty.\nOptionally, a path part with characters a-z A-Z 0-9 - _ can be surrounded by { } to denote a path parameter.';
  }
  return true;
}

/**
 * Whether `name` overlaps one of `paths` (one is a prefix of the other, parameters compared by position):
 * users allowed on the shorter path reach the longer one through its `{proxy+}`. Amplify asks before keeping it.
 */
export function pathOverlap(name: string, paths: string[]): { higher: string; lower: string } | undefined {
  const shape = (p: string): string => p.replace(/{[a-zA-Z0-9\-_]+}/g, '{}');
  const parts = name.split('/').filter((s) => s !== '');
  let prefix = '';
  for (const part of parts) {
    prefix = `${prefix}/${shape(part)}`;
    const other = [...paths].sort().find((p) => p === '/' || shape(p) === prefix);
    if (other !== undefined) {
      const depth = (p: string): number => p.split('/').length;
      return depth(name) < depth(other) ? { higher: name, lower: other } : { higher: other, lower: name };
    }
  }
  return undefined;
}

/** The methods of each operation: create POST, read GET, update PUT and PATCH, delete DELETE (`/POST`, …). */
export function operationMethods(operations: readonly string[]): string[] {
  const byOperation: Record<string, string[]> = { create: ['/POST'], read: ['/GET'], update: ['/PUT', '/PATCH'], delete: ['/DELETE'] };
  return operations.flatMap((op) => byOperation[op] ?? []);
}

/** The methods of an auth or guest policy, as Amplify's APIGatewayAuthStack names them: all four operations is any method (`/*`). */
export function crudMethods(operations: readonly string[]): string[] {
  return CRUD_OPERATIONS.every((op) => operations.includes(op)) ? ['/*'] : operationMethods(operations);
}

/**
 * Validates a REST API's cli-inputs; a UserError names the file (or payload), the path and the field.
 */
export function parseRestInputs(raw: unknown, source: string): RestInputs {
  const parsed = restInputsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(file)';
    throw new UserError(
      `${source}: ${where}: ${issue.message}.`,
      'A REST API\'s cli-inputs.json is {"version": 1, "paths": {"/items": {"lambdaFunction": "<fn>", "permissions": {"setting": "private", "auth": ["read"]}}}} (see the README).',
    );
  }
  for (const [path, entry] of Object.entries(parsed.data.paths)) {
    // A file may end a path with a greedy parameter (Admin Queries' `/{proxy+}`), which the walkthrough never writes.
    const valid = validatePathName(path.replace(/\{([a-zA-Z0-9\-_]+)\+\}$/, '{$1}'));
    if (valid !== true) throw new UserError(`${source}: path ${path}: ${valid}`, 'Fix the path (e.g. /items or /items/{id}).');
    const p = entry.permissions;
    if (p.setting === 'open' && (p.auth || p.guest || p.groups))
      throw new UserError(
        `${source}: path ${path} is open but lists permissions.`,
        'Use "setting": "private" or "protected" to restrict it, or drop auth/guest/groups.',
      );
    if (p.setting !== 'open' && !p.auth && !p.guest && !p.groups)
      throw new UserError(
        `${source}: path ${path} is ${p.setting} but grants nothing.`,
        'Give auth (and guest for protected) or groups a list of create, read, update, delete.',
      );
    if (p.guest && p.setting !== 'protected')
      throw new UserError(`${source}: path ${path} grants guests access but is ${p.setting}.`, 'Use "setting": "protected" for Authenticated and Guest users.');
  }
  return parsed.data;
}

/**
 * Amplify's older `api-params.json` (before cli-inputs.json): `privacy` with `open`/`private`/`protected`,
 * and `auth`/`unauth`/`userPoolGroups` as `r`, `rw` or a list of `/METHOD`s, converted as Amplify converts it.
 */
export function convertLegacyParams(raw: unknown, source: string): RestInputs {
  const legacy = raw as { paths?: { name?: string; lambdaFunction?: string; privacy?: Record<string, unknown> }[] } | undefined;
  if (!legacy || !Array.isArray(legacy.paths)) throw new UserError(`${source} has no paths list.`, 'Restore the file, or remove the API and add it again.');
  const toCrud = (value: unknown): CrudOperation[] => {
    if (value === 'r') return ['read'];
    if (value === 'rw') return [...CRUD_OPERATIONS];
    if (!Array.isArray(value)) return [];
    const out = new Set<CrudOperation>();
    for (const method of value) {
      if (method === '/POST') out.add('create');
      else if (method === '/GET') out.add('read');
      else if (method === '/PUT' || method === '/PATCH') out.add('update');
      else if (method === '/DELETE') out.add('delete');
    }
    return CRUD_OPERATIONS.filter((op) => out.has(op));
  };
  const paths: Record<string, unknown> = {};
  for (const p of legacy.paths) {
    const privacy = p.privacy ?? {};
    const setting: PermissionSetting = privacy.protected ? 'protected' : privacy.private ? 'private' : 'open';
    const permissions: Record<string, unknown> = { setting };
    if (setting !== 'open') {
      const auth = toCrud(privacy.auth);
      const guest = toCrud(privacy.unauth);
      if (auth.length > 0) permissions.auth = auth;
      if (guest.length > 0 && setting === 'protected') permissions.guest = guest;
      const groups = privacy.userPoolGroups as Record<string, unknown> | undefined;
      if (groups && Object.keys(groups).length > 0) permissions.groups = Object.fromEntries(Object.entries(groups).map(([g, v]) => [g, toCrud(v)]));
    }
    paths[p.name ?? ''] = { name: p.name, lambdaFunction: p.lambdaFunction, permissions };
  }
  return parseRestInputs({ version: 1, paths }, source);
}
