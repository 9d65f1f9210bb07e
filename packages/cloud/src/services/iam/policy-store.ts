import type { SqlStore } from '../../engines/types.js';
import type { PolicyDocument } from '../../kernel/types.js';

/** Appended to IAM_MIGRATIONS: policies attached to roles by name (`Forte::IAM::Policy`). */
export const POLICY_MIGRATIONS = [
  `CREATE TABLE iam_policies (
    policy_id TEXT PRIMARY KEY,
    policy_name TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE iam_policy_roles (
    policy_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    PRIMARY KEY (policy_id, role_name)
  )`,
  'CREATE INDEX iam_policy_roles_by_role ON iam_policy_roles (role_name)',
];

export interface StoredPolicy {
  policyId: string;
  policyName: string;
  document: PolicyDocument;
  roleNames: string[];
}

/**
 * Policies attached to roles that another stack owns. Writes are upserts (handlers stay idempotent), and
 * a policy's attachments are replaced with it in one transaction.
 */
export function createPolicyStore(sql: SqlStore) {
  return {
    async put(policy: StoredPolicy): Promise<void> {
      const now = new Date().toISOString();
      await sql.transaction(async (tx) => {
        const document = JSON.stringify(policy.document);
        const existing = await tx.get<{ policy_id: string }>('SELECT policy_id FROM iam_policies WHERE policy_id = ?', [policy.policyId]);
        if (existing) {
          await tx.run('UPDATE iam_policies SET policy_name = ?, document = ?, updated_at = ? WHERE policy_id = ?', [
            policy.policyName,
            document,
            now,
            policy.policyId,
          ]);
        } else {
          await tx.run('INSERT INTO iam_policies (policy_id, policy_name, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
            policy.policyId,
            policy.policyName,
            document,
            now,
            now,
          ]);
        }
        await tx.run('DELETE FROM iam_policy_roles WHERE policy_id = ?', [policy.policyId]);
        for (const roleName of new Set(policy.roleNames)) {
          await tx.run('INSERT INTO iam_policy_roles (policy_id, role_name) VALUES (?, ?)', [policy.policyId, roleName]);
        }
      });
    },
    /** The documents of every policy attached to the role. */
    async documentsOfRole(roleName: string): Promise<PolicyDocument[]> {
      const rows = await sql.all<{ document: string }>(
        'SELECT p.document FROM iam_policies p JOIN iam_policy_roles r ON r.policy_id = p.policy_id WHERE r.role_name = ? ORDER BY p.policy_id',
        [roleName],
      );
      return rows.map((row) => JSON.parse(row.document) as PolicyDocument);
    },
    async delete(policyId: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM iam_policy_roles WHERE policy_id = ?', [policyId]);
        await tx.run('DELETE FROM iam_policies WHERE policy_id = ?', [policyId]);
      });
    },
    /** A deleted role takes its attachments with it, so a new role of the same name starts without them (as in IAM). */
    async detachRole(roleName: string): Promise<void> {
      await sql.run('DELETE FROM iam_policy_roles WHERE role_name = ?', [roleName]);
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;
