import { createHash } from 'node:crypto';
import { RESOURCE_TYPES } from '@forte/protocol';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { normalizePolicyDocument } from './policy-document.js';
import type { PolicyStore } from './policy-store.js';
import type { RoleStore } from './role-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const policyProps = z.object({
  PolicyName: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'policy names are 1 to 128 letters, digits and +=,.@_-'),
  PolicyDocument: z.unknown(),
  Roles: z.array(z.string().min(1)).min(1, 'name at least one role'),
  Users: z.never({ error: 'Forte has no IAM users: attach the policy to roles' }).optional(),
  Groups: z.never({ error: 'Forte has no IAM groups: attach the policy to roles' }).optional(),
});

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The same resource gets the same id on every try, so a create repeated after a crash adopts its policy. */
function policyIdOf(ctx: ResourceContext, policyName: string): string {
  const bytes = createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest();
  const suffix = Array.from({ length: 12 }, (_, i) => UPPER_ALNUM[bytes[i]! % UPPER_ALNUM.length]).join('');
  return `${policyName.slice(0, 40)}-${suffix}`;
}

/**
 * `Forte::IAM::Policy` (AWS::IAM::Policy): an inline policy attached to existing roles by name, so a
 * nested stack can grant the root stack's roles access to what it creates. Physical id (`Ref`) = the
 * policy id; attribute `Id`. Every property changes in place; deleting the resource detaches the policy.
 */
export function createPolicyHandler(options: { policies: PolicyStore; roles: RoleStore }): ResourceHandler {
  const apply = async (policyId: string | undefined, props: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult> => {
    const parsed = policyProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `${RESOURCE_TYPES.policy} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    const { PolicyName, PolicyDocument, Roles } = parsed.data;
    const document = normalizePolicyDocument(PolicyDocument, `${RESOURCE_TYPES.policy} ${PolicyName} PolicyDocument`);
    for (const roleName of Roles) {
      if (!(await options.roles.get(roleName))) {
        throw RESOURCE_ERRORS.error(
          'NoSuchEntity',
          `${RESOURCE_TYPES.policy} ${PolicyName}: the role ${roleName} does not exist. Name a role that is deployed (a ${RESOURCE_TYPES.role}) in Roles.`,
        );
      }
    }
    const id = policyId ?? policyIdOf(ctx, PolicyName);
    await options.policies.put({ policyId: id, policyName: PolicyName, document, roleNames: Roles });
    ctx.log.info(policyId ? 'role policy updated' : 'role policy attached', { policyId: id, roles: Roles });
    return { physicalId: id, attributes: { Id: id, PolicyName } };
  };
  return {
    create: (props, ctx) => apply(undefined, props, ctx),
    update: (physicalId, props, _oldProps, ctx) => apply(physicalId, props, ctx),
    delete: async (physicalId) => options.policies.delete(physicalId),
  };
}
