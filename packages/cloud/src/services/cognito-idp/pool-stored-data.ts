import type { UserPoolProperties } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { StoredDataHooks } from '../../kernel/types.js';
import { aliasesOf } from './cognito-state.js';
import { SIGN_IN_ATTRIBUTES, attributeMatch } from './user-store.js';

/** The shape of a pool's copy: its users' rows, groups and memberships, without the pool id. */
const USERS_SNAPSHOT_VERSION = 1;

const USER_COLUMNS = [
  'username',
  'sub',
  'status',
  'enabled',
  'attributes',
  'srp_salt',
  'srp_verifier',
  'password_hash',
  'mfa',
  'totp_secret',
  'created_at',
  'updated_at',
] as const;
const GROUP_COLUMNS = ['name', 'description', 'precedence', 'role_arn', 'created_at', 'updated_at'] as const;

type Row = Record<string, unknown>;

interface PoolCopy {
  users: Row[];
  groups: Row[];
  memberships: { group: string; username: string }[];
}

/**
 * The stored data of `Forte::Cognito::UserPool`: its users, kept as stored (attributes, status, password
 * hash and SRP verifier, MFA settings) with the pool's groups and memberships. A user is not put back when
 * the pool now has one with its username, sub or sign-in email / phone. Codes, sessions and refresh
 * tokens are not kept: a restored user signs in again. The SRP verifier depends on the pool's id, which is
 * stable for an app, environment and logical id, so a pool added back under the same name takes its users'
 * passwords back too.
 */
export function createPoolStoredData(sql: SqlStore): StoredDataHooks {
  return {
    kind: 'users',
    async count(poolId) {
      const row = await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_users WHERE pool_id = ?', [poolId]);
      return Number(row?.n ?? 0);
    },
    async snapshot(poolId) {
      return sql.transaction(async (tx) => {
        const users = await tx.all(`SELECT ${USER_COLUMNS.join(', ')} FROM cognito_users WHERE pool_id = ? ORDER BY username`, [poolId]);
        const groups = await tx.all(`SELECT ${GROUP_COLUMNS.join(', ')} FROM cognito_groups WHERE pool_id = ? ORDER BY name`, [poolId]);
        const memberships = await tx.all<{ group: string; username: string }>(
          'SELECT group_name AS "group", username FROM cognito_memberships WHERE pool_id = ?',
          [poolId],
        );
        const copy: PoolCopy = { users, groups, memberships };
        return { version: USERS_SNAPSHOT_VERSION, count: users.length, data: copy };
      });
    },
    async restore(poolId, _props, snapshot) {
      if (snapshot.version !== USERS_SNAPSHOT_VERSION)
        throw RESOURCE_ERRORS.error('ValidationException', `A copy of user pool users in format ${snapshot.version} cannot be read by this cloud.`);
      const copy = snapshot.data as PoolCopy;
      return sql.transaction(async (tx) => {
        const pool = await tx.get<{ config: string }>('SELECT config FROM cognito_pools WHERE id = ?', [poolId]);
        if (!pool) throw RESOURCE_ERRORS.error('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
        const config = JSON.parse(pool.config) as UserPoolProperties;
        const folded = config.UsernameCaseSensitive === false;
        // A user signed up since may have the copy's email or phone as its sign-in name: two users must not answer to one.
        const aliases = aliasesOf(config).filter((a) => SIGN_IN_ATTRIBUTES.includes(a));
        const clash = async (user: Row): Promise<string | undefined> => {
          if (
            await tx.get(`SELECT 1 AS taken FROM cognito_users WHERE pool_id = ? AND (${folded ? 'lower(username) = lower(?)' : 'username = ?'} OR sub = ?)`, [
              poolId,
              user['username'],
              user['sub'],
            ])
          )
            return `user ${String(user['username'])} is already in the pool`;
          const attributes = JSON.parse(String(user['attributes'])) as Record<string, string>;
          for (const alias of aliases) {
            const value = attributes[alias];
            if (value === undefined) continue;
            if (await tx.get(`SELECT 1 AS taken FROM cognito_users WHERE pool_id = ? AND ${attributeMatch(tx.dialect, alias, folded)}`, [poolId, value]))
              return `another user of the pool has the ${alias} of user ${String(user['username'])}`;
          }
          return undefined;
        };
        for (const group of copy.groups) {
          await tx.run(`INSERT INTO cognito_groups (pool_id, ${GROUP_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, [
            poolId,
            ...GROUP_COLUMNS.map((c) => group[c] ?? null),
          ]);
        }
        const restored = new Set<string>();
        let skipped = 0;
        let example: string | undefined;
        for (const user of copy.users) {
          const taken = await clash(user);
          if (taken !== undefined) {
            skipped += 1;
            example ??= taken;
            continue;
          }
          await tx.run(`INSERT INTO cognito_users (pool_id, ${USER_COLUMNS.join(', ')}) VALUES (?, ${USER_COLUMNS.map(() => '?').join(', ')})`, [
            poolId,
            ...USER_COLUMNS.map((c) => user[c] ?? null),
          ]);
          restored.add(String(user['username']));
        }
        for (const m of copy.memberships) {
          if (!restored.has(m.username)) continue;
          await tx.run('INSERT INTO cognito_memberships (pool_id, group_name, username) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
            poolId,
            m.group,
            m.username,
          ]);
        }
        return { restored: restored.size, skipped, ...(example === undefined ? {} : { example }) };
      });
    },
  };
}
