import { RESOURCE_TYPES } from '@forte/protocol';
import type { Kernel, Service } from '../../kernel/types.js';
import { createRoleHandler } from './role-handler.js';
import { IAM_MIGRATIONS, createRoleStore } from './role-store.js';

/**
 * IAM-lite roles: the `Forte::IAM::Role` resource type, and the policy source that gives principals of
 * kind `role` the inline policies of their role. No HTTP routes (roles are managed through templates).
 */
export function createIamService(kernel: Kernel): Service {
  const store = createRoleStore(kernel.sql);
  kernel.registerPolicySource(async (principal) => {
    if (principal.kind !== 'role') return [];
    const role = await store.getByArn(principal.roleArn);
    return role ? role.policies.map((p) => p.PolicyDocument) : [];
  });
  return {
    name: 'iam',
    routes: [],
    resourceTypes: { [RESOURCE_TYPES.role]: createRoleHandler({ store, accountId: kernel.config.accountId }) },
    start: () => kernel.sql.migrate('iam', IAM_MIGRATIONS),
  };
}
