import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import { normalizePolicyDocument } from './policy-document.js';
import type { PolicyStore } from './policy-store.js';
import type { RoleStore } from './role-store.js';

const TYPE = 'AWS::IAM::ManagedPolicy';

const managedPolicyProps = z.object({
  ManagedPolicyName: z
    .string()
    .regex(/^[\w+=,.@-]{1,128}$/, 'policy names are 1 to 128 letters, digits and +=,.@_-')
    .optional(),
  Path: z
    .string()
    .regex(/^\/([\x21-\x7e]+\/)?$/, 'a path starts and ends with / (e.g. /amplify/)')
    .max(512)
    .default('/'),
  Description: z.string().max(1000).optional(),
  PolicyDocument: z.unknown(),
  Roles: z.array(z.string().min(1)).default([]),
  Users: z.never({ error: 'Forte has no IAM users: attach the policy to roles' }).optional(),
  Groups: z.never({ error: 'Forte has no IAM groups: attach the policy to roles' }).optional(),
});

/** AWS names a policy without ManagedPolicyName `<stack>-<logicalId>-<random>`; derived here, so a retried create adopts it. */
function generatedPolicyName(ctx: ResourceContext): string {
  const suffix = createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const logicalId = ctx.logicalId.slice(ctx.logicalId.lastIndexOf('.') + 1);
  return `${`${ctx.stackName}-${logicalId}`.slice(0, 128 - suffix.length - 1)}-${suffix}`;
}

/**
 * `AWS::IAM::ManagedPolicy`: a customer managed policy attached to existing roles by name (`Roles`), as
 * Amplify's `APIGatewayAuthStack` grants the identity pool's roles `execute-api:Invoke` on each REST path.
 * Ref = the policy's ARN (`arn:aws:iam::<account>:policy<Path><name>`), attributes `PolicyArn`, `PolicyName`,
 * `PolicyId`. The document and the roles change in place; a new name or path replaces the policy.
 */
export function createManagedPolicyHandler(options: { policies: PolicyStore; roles: RoleStore; accountId: string }): ResourceHandler {
  const apply = async (props: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult> => {
    const parsed = managedPolicyProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `${TYPE} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    const { PolicyDocument, Roles, Path } = parsed.data;
    const name = parsed.data.ManagedPolicyName ?? generatedPolicyName(ctx);
    const document = normalizePolicyDocument(PolicyDocument, `${TYPE} ${name} PolicyDocument`);
    for (const roleName of Roles) {
      if (!(await options.roles.get(roleName))) {
        throw RESOURCE_ERRORS.error('NoSuchEntity', `${TYPE} ${name}: the role ${roleName} does not exist. Name a role that is deployed in Roles.`);
      }
    }
    const arn = `arn:aws:iam::${options.accountId}:policy${Path}${name}`;
    await options.policies.put({ policyId: arn, policyName: name, document, roleNames: Roles });
    ctx.log.info('managed policy attached', { policyArn: arn, roles: Roles });
    const policyId = `ANPA${createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
    return { physicalId: arn, attributes: { PolicyArn: arn, PolicyName: name, PolicyId: policyId } };
  };
  return {
    replaceOn: ['ManagedPolicyName', 'Path'],
    create: (props, ctx) => apply(props, ctx),
    update: (_physicalId, props, _oldProps, ctx) => apply(props, ctx),
    delete: async (physicalId) => options.policies.delete(physicalId),
  };
}
