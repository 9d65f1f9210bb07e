import { RESOURCE_TYPES } from '@forte/protocol';
import { POLICY_SOURCES, TRUST_POLICY_SOURCES } from '../../kernel/capabilities.js';
import { provide } from '../../kernel/capability.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createManagedPolicyHandler } from './managed-policy-handler.js';
import { createPolicyHandler } from './policy-handler.js';
import { POLICY_MIGRATIONS, createPolicyStore } from './policy-store.js';
import { createRoleHandler } from './role-handler.js';
import { IAM_MIGRATIONS, createRoleStore } from './role-store.js';

/** The AWS resource type names the iam service handles besides its own. */
export const AWS_IAM_TYPES = { role: 'AWS::IAM::Role', policy: 'AWS::IAM::Policy', managedPolicy: 'AWS::IAM::ManagedPolicy' } as const;

/**
 * IAM-lite roles: the `Forte::IAM::Role` and `Forte::IAM::Policy` resource types (also as `AWS::IAM::Role` and
 * `AWS::IAM::Policy`), `AWS::IAM::ManagedPolicy` (customer managed policies attached to roles), and the policy source that
 * gives principals of kind `role` the inline policies of their role and the policies attached to it, and
 * each role's trust policy, which the kernel evaluates before an identity pool hands out the role. No
 * HTTP routes (roles and policies are managed through templates).
 */
export function createIamService(kernel: Kernel): Service {
  const roles = createRoleStore(kernel.sql);
  const policies = createPolicyStore(kernel.sql);
  return {
    name: 'iam',
    provides: [
      provide(POLICY_SOURCES, async (principal) => {
        if (principal.kind !== 'role') return [];
        const role = await roles.getByArn(principal.roleArn);
        if (!role) return [];
        return [...role.policies.map((p) => p.PolicyDocument), ...(await policies.documentsOfRole(role.name))];
      }),
      provide(TRUST_POLICY_SOURCES, async (roleArn) => {
        const role = await roles.getByArn(roleArn);
        return role ? { document: role.assumeRolePolicy } : undefined;
      }),
    ],
    routes: [],
    // AWS's names are what Amplify's function and layer templates use; both names share one implementation and store.
    resourceTypes: {
      [RESOURCE_TYPES.role]: createRoleHandler({ store: roles, policies, accountId: kernel.config.accountId, typeName: RESOURCE_TYPES.role }),
      [AWS_IAM_TYPES.role]: createRoleHandler({ store: roles, policies, accountId: kernel.config.accountId, typeName: AWS_IAM_TYPES.role }),
      [RESOURCE_TYPES.policy]: createPolicyHandler({ policies, roles }),
      [AWS_IAM_TYPES.policy]: createPolicyHandler({ policies, roles }),
      [AWS_IAM_TYPES.managedPolicy]: createManagedPolicyHandler({ policies, roles, accountId: kernel.config.accountId }),
    },
    start: () => kernel.sql.migrate('iam', [...IAM_MIGRATIONS, ...POLICY_MIGRATIONS]),
  };
}
