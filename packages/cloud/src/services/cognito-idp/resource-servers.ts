import type { SqlStore } from '../../engines/types.js';
import type { ResourceHandler } from '../../kernel/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import { isForteError } from '@forte/protocol';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { requirePool, type CognitoState } from './cognito-state.js';
import type { UserOperation } from './user-operation.js';

/**
 * Resource servers: an API of the app's own that a pool issues access tokens for, with custom scopes named
 * `<Identifier>/<ScopeName>`. App clients are granted them in AllowedOAuthScopes; the client_credentials grant
 * asks for them (oauth-token-endpoints.ts).
 */
export interface StoredResourceServer {
  poolId: string;
  identifier: string;
  name: string;
  scopes: Array<{ ScopeName: string; ScopeDescription: string }>;
}

/** CloudFormation's resource type, handled as is (Ref: the Identifier). */
export const RESOURCE_SERVER_TYPE = 'AWS::Cognito::UserPoolResourceServer';

const IDENTIFIER = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const NAME = /^[\w\s+=,.@-]{1,256}$/u;
const SCOPE_NAME = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
const MAX_SCOPES = 100;
const MAX_SERVERS = 25;

interface ResourceServerRow {
  pool_id: string;
  identifier: string;
  name: string;
  scopes: string;
}

const fromRow = (row: ResourceServerRow): StoredResourceServer => ({
  poolId: row.pool_id,
  identifier: row.identifier,
  name: row.name,
  scopes: JSON.parse(row.scopes) as StoredResourceServer['scopes'],
});

export function createResourceServerStore(sql: SqlStore) {
  return {
    async get(poolId: string, identifier: string): Promise<StoredResourceServer | undefined> {
      const row = await sql.get<ResourceServerRow>('SELECT * FROM cognito_resource_servers WHERE pool_id = ? AND identifier = ?', [poolId, identifier]);
      return row ? fromRow(row) : undefined;
    },
    async list(poolId: string): Promise<StoredResourceServer[]> {
      return (await sql.all<ResourceServerRow>('SELECT * FROM cognito_resource_servers WHERE pool_id = ? ORDER BY identifier', [poolId])).map(fromRow);
    },
    async put(server: StoredResourceServer): Promise<void> {
      await sql.run(
        `INSERT INTO cognito_resource_servers (pool_id, identifier, name, scopes) VALUES (?, ?, ?, ?)
         ON CONFLICT (pool_id, identifier) DO UPDATE SET name = excluded.name, scopes = excluded.scopes`,
        [server.poolId, server.identifier, server.name, JSON.stringify(server.scopes)],
      );
    },
    async delete(poolId: string, identifier: string): Promise<boolean> {
      return (await sql.run('DELETE FROM cognito_resource_servers WHERE pool_id = ? AND identifier = ?', [poolId, identifier])).changes > 0;
    },
    /** Every custom scope of the pool, `<Identifier>/<ScopeName>`. */
    async customScopes(poolId: string): Promise<Set<string>> {
      const scopes = new Set<string>();
      for (const server of await this.list(poolId)) for (const scope of server.scopes) scopes.add(`${server.identifier}/${scope.ScopeName}`);
      return scopes;
    },
  };
}

/** A resource server as Create/UpdateResourceServer and the resource take it; throws InvalidParameterException naming the field. */
export function checkResourceServer(poolId: string, input: Record<string, unknown>): StoredResourceServer {
  const identifier = input.Identifier;
  if (typeof identifier !== 'string' || !IDENTIFIER.test(identifier))
    throw invalidParameter('Identifier must be 1 to 256 printable characters without spaces, quotes or backslashes (an https URL of the API, for instance).');
  const name = input.Name;
  if (typeof name !== 'string' || !NAME.test(name)) throw invalidParameter('Name must be 1 to 256 letters, digits, spaces or + = , . @ - _.');
  const given = input.Scopes ?? [];
  if (!Array.isArray(given) || given.length > MAX_SCOPES) throw invalidParameter(`Scopes must be a list of at most ${MAX_SCOPES} scopes.`);
  const scopes: StoredResourceServer['scopes'] = [];
  for (const scope of given as unknown[]) {
    const { ScopeName, ScopeDescription } = (scope ?? {}) as Record<string, unknown>;
    if (typeof ScopeName !== 'string' || !SCOPE_NAME.test(ScopeName))
      throw invalidParameter(`ScopeName ${String(ScopeName)} must be 1 to 256 printable characters without spaces, quotes, slashes or backslashes.`);
    if (typeof ScopeDescription !== 'string' || ScopeDescription.length < 1 || ScopeDescription.length > 256)
      throw invalidParameter(`ScopeDescription of ${ScopeName} must be 1 to 256 characters.`);
    if (scopes.some((s) => s.ScopeName === ScopeName)) throw invalidParameter(`ScopeName ${ScopeName} is given twice.`);
    scopes.push({ ScopeName, ScopeDescription });
  }
  return { poolId, identifier, name, scopes };
}

const describe = (server: StoredResourceServer): Record<string, unknown> => ({
  UserPoolId: server.poolId,
  Identifier: server.identifier,
  Name: server.name,
  ...(server.scopes.length > 0 ? { Scopes: server.scopes } : {}),
});

/** Create/Describe/List/Update/DeleteResourceServer. */
export function resourceServerOperations(state: CognitoState): Record<string, UserOperation> {
  const servers = createResourceServerStore(state.sql);
  const requireServer = async (poolId: string, identifier: unknown): Promise<StoredResourceServer> => {
    const server = typeof identifier === 'string' ? await servers.get(poolId, identifier) : undefined;
    if (!server) throw cognitoError('ResourceNotFoundException', `Resource server ${String(identifier)} does not exist in user pool ${poolId}.`);
    return server;
  };
  return {
    async CreateResourceServer(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const server = checkResourceServer(pool.id, input);
      if (await servers.get(pool.id, server.identifier))
        throw invalidParameter(`A resource server with identifier ${server.identifier} already exists in this user pool.`);
      if ((await servers.list(pool.id)).length >= MAX_SERVERS)
        throw cognitoError('LimitExceededException', `A user pool has at most ${MAX_SERVERS} resource servers.`);
      await servers.put(server);
      return { ResourceServer: describe(server) };
    },
    async DescribeResourceServer(input) {
      const pool = await requirePool(state, input.UserPoolId);
      return { ResourceServer: describe(await requireServer(pool.id, input.Identifier)) };
    },
    async ListResourceServers(input) {
      const pool = await requirePool(state, input.UserPoolId);
      const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 50) throw invalidParameter('MaxResults must be from 1 to 50.');
      const all = await servers.list(pool.id);
      const start = input.NextToken === undefined ? 0 : all.findIndex((s) => s.identifier === input.NextToken);
      if (start < 0) throw invalidParameter('NextToken is not valid.');
      const page = all.slice(start, start + max);
      const next = all[start + max];
      return { ResourceServers: page.map(describe), ...(next ? { NextToken: next.identifier } : {}) };
    },
    /** Replaces the name and the scopes (scopes left out are removed, as in Cognito). */
    async UpdateResourceServer(input) {
      const pool = await requirePool(state, input.UserPoolId);
      await requireServer(pool.id, input.Identifier);
      const server = checkResourceServer(pool.id, input);
      await servers.put(server);
      return { ResourceServer: describe(server) };
    },
    async DeleteResourceServer(input) {
      const pool = await requirePool(state, input.UserPoolId);
      await requireServer(pool.id, input.Identifier);
      await servers.delete(pool.id, String(input.Identifier));
      return {};
    },
  };
}

/** `AWS::Cognito::UserPoolResourceServer`: UserPoolId, Identifier, Name, Scopes. */
export function resourceServerResourceHandlers(state: CognitoState): Record<string, ResourceHandler> {
  const servers = createResourceServerStore(state.sql);
  const apply = async (props: Record<string, unknown>) => {
    const poolId = typeof props.UserPoolId === 'string' ? props.UserPoolId : '';
    if (!(await state.pools.getPool(poolId)))
      throw RESOURCE_ERRORS.error('ValidationException', `${RESOURCE_SERVER_TYPE} UserPoolId: user pool ${poolId} does not exist.`);
    let server: StoredResourceServer;
    try {
      server = checkResourceServer(poolId, props);
    } catch (error) {
      if (isForteError(error) && error.status < 500)
        throw RESOURCE_ERRORS.error('ValidationException', `${RESOURCE_SERVER_TYPE} ${error.message}`, { cause: error });
      throw error;
    }
    await servers.put(server);
    return { physicalId: server.identifier, attributes: {} };
  };
  return {
    [RESOURCE_SERVER_TYPE]: {
      replaceOn: ['UserPoolId', 'Identifier'],
      create: (props) => apply(props),
      update: async (_id, props) => apply(props),
      delete: async (id, props) => {
        if (typeof props.UserPoolId === 'string') await servers.delete(props.UserPoolId, id);
      },
    },
  };
}
