import type { SqlStore } from '../../engines/types.js';
import type { PolicyDocument } from '../../kernel/types.js';

export const IAM_MIGRATIONS = [
  `CREATE TABLE iam_roles (
    name TEXT PRIMARY KEY,
    role_id TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    assume_role_policy TEXT,
    policies TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
];

export interface StoredRole {
  name: string;
  roleId: string;
  arn: string;
  assumeRolePolicy: PolicyDocument | undefined;
  policies: Array<{ PolicyName: string; PolicyDocument: PolicyDocument }>;
}

interface RoleRow {
  name: string;
  role_id: string;
  arn: string;
  assume_role_policy: string | null;
  policies: string;
}

/** Roles in SQL. Writes are upserts so that resource handlers stay idempotent. */
export function createRoleStore(sql: SqlStore) {
  const fromRow = (row: RoleRow): StoredRole => ({
    name: row.name,
    roleId: row.role_id,
    arn: row.arn,
    assumeRolePolicy: row.assume_role_policy ? (JSON.parse(row.assume_role_policy) as PolicyDocument) : undefined,
    policies: JSON.parse(row.policies) as StoredRole['policies'],
  });
  return {
    async get(name: string): Promise<StoredRole | undefined> {
      const row = await sql.get<RoleRow>('SELECT * FROM iam_roles WHERE name = ?', [name]);
      return row ? fromRow(row) : undefined;
    },
    async getByArn(arn: string): Promise<StoredRole | undefined> {
      const row = await sql.get<RoleRow>('SELECT * FROM iam_roles WHERE arn = ?', [arn]);
      return row ? fromRow(row) : undefined;
    },
    /** Creates the role, or replaces the policies and path of the existing one (keeping its RoleId). */
    async put(role: StoredRole): Promise<StoredRole> {
      const now = new Date().toISOString();
      return sql.transaction(async (tx) => {
        const existing = await tx.get<RoleRow>('SELECT * FROM iam_roles WHERE name = ?', [role.name]);
        const assume = role.assumeRolePolicy ? JSON.stringify(role.assumeRolePolicy) : null;
        if (existing) {
          // The ARN follows the role's Path; a new Path is applied in place, keeping the RoleId (AWS would need a new role, which a fixed RoleName rules out).
          await tx.run('UPDATE iam_roles SET arn = ?, assume_role_policy = ?, policies = ?, updated_at = ? WHERE name = ?', [
            role.arn,
            assume,
            JSON.stringify(role.policies),
            now,
            role.name,
          ]);
          return { ...role, roleId: existing.role_id };
        }
        await tx.run('INSERT INTO iam_roles (name, role_id, arn, assume_role_policy, policies, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          role.name,
          role.roleId,
          role.arn,
          assume,
          JSON.stringify(role.policies),
          now,
          now,
        ]);
        return role;
      });
    },
    async delete(name: string): Promise<void> {
      await sql.run('DELETE FROM iam_roles WHERE name = ?', [name]);
    },
  };
}

export type RoleStore = ReturnType<typeof createRoleStore>;
