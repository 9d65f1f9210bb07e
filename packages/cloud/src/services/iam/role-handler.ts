import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { normalizePolicyDocument } from './policy-document.js';
import type { PolicyStore } from './policy-store.js';
import type { RoleStore, StoredRole } from './role-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const roleProps = z.object({
  RoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'role names are 1 to 64 letters, digits and +=,.@_-'),
  AssumeRolePolicyDocument: z.unknown().optional(),
  Policies: z.array(z.object({ PolicyName: z.string().min(1).max(128), PolicyDocument: z.unknown() })).default([]),
});

/**
 * `Forte::IAM::Role`: a role whose inline policies (and the `Forte::IAM::Policy` resources attached to it) the
 * policy engine applies to its principals. Deleting a role detaches those policies.
 */
export function createRoleHandler(options: { store: RoleStore; policies: PolicyStore; accountId: string }): ResourceHandler {
  const apply = async (props: Record<string, unknown>): Promise<ResourceResult> => {
    const parsed = roleProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `Forte::IAM::Role ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    const { RoleName, AssumeRolePolicyDocument, Policies } = parsed.data;
    const role: StoredRole = {
      name: RoleName,
      roleId: `AROA${Array.from({ length: 17 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('')}`,
      arn: `arn:aws:iam::${options.accountId}:role/${RoleName}`,
      assumeRolePolicy: AssumeRolePolicyDocument === undefined ? undefined : normalizePolicyDocument(AssumeRolePolicyDocument, 'AssumeRolePolicyDocument'),
      policies: Policies.map((p, i) => ({
        PolicyName: p.PolicyName,
        PolicyDocument: normalizePolicyDocument(p.PolicyDocument, `Policies[${i}].PolicyDocument`),
      })),
    };
    const stored = await options.store.put(role);
    return { physicalId: stored.name, attributes: { Arn: stored.arn, RoleName: stored.name, RoleId: stored.roleId } };
  };
  return {
    replaceOn: ['RoleName'],
    create: (props) => apply(props),
    update: async (physicalId, props) => (props.RoleName !== physicalId ? 'replace' : apply(props)),
    delete: async (physicalId) => {
      await options.store.delete(physicalId);
      await options.policies.detachRole(physicalId);
    },
  };
}
