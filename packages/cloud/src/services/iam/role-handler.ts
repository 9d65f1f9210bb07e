import { createHash, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { ResourceContext, ResourceHandler, ResourceResult } from '../../kernel/types.js';
import { managedPolicyDocument } from './managed-policies.js';
import { normalizePolicyDocument } from './policy-document.js';
import type { PolicyStore } from './policy-store.js';
import type { RoleStore, StoredRole } from './role-store.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

const roleProps = z.object({
  RoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, 'role names are 1 to 64 letters, digits and +=,.@_-')
    .optional(),
  Path: z
    .string()
    .regex(/^\/([\x21-\x7e]+\/)?$/, 'a path starts and ends with / (e.g. /service-role/)')
    .max(512)
    .default('/'),
  AssumeRolePolicyDocument: z.unknown().optional(),
  Policies: z.array(z.object({ PolicyName: z.string().min(1).max(128), PolicyDocument: z.unknown() })).default([]),
  ManagedPolicyArns: z.array(z.string()).default([]),
  PermissionsBoundary: z.never({ error: 'permissions boundaries are not supported: put the limits in the role policies' }).optional(),
  Description: z.string().max(1000).optional(),
  MaxSessionDuration: z.number().int().min(3600).max(43200).optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});

/** AWS names a role without RoleName `<stack>-<logicalId>-<random>`; here the random part is derived, so a retried create adopts the role. */
function generatedRoleName(ctx: ResourceContext): string {
  const suffix = createHash('sha256').update(`${ctx.appId}/${ctx.envName}/${ctx.stackName}/${ctx.logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const logicalId = ctx.logicalId.slice(ctx.logicalId.lastIndexOf('.') + 1);
  return `${`${ctx.stackName}-${logicalId}`.slice(0, 64 - suffix.length - 1)}-${suffix}`;
}

/**
 * `Forte::IAM::Role` and `AWS::IAM::Role` (one implementation): a role whose inline policies, managed
 * policies and the `IAM::Policy` resources attached to it the policy engine applies to its principals,
 * and whose trust policy says who may assume it (`kernel.checkRoleTrust`). Ref = RoleName; attributes
 * `Arn`, `RoleId`, `RoleName`. Managed policies are the AWS ones Amplify's templates use (managed-policies.ts);
 * any other ARN is refused naming it. Deleting a role detaches those policies.
 */
export function createRoleHandler(options: { store: RoleStore; policies: PolicyStore; accountId: string; typeName: string }): ResourceHandler {
  const parse = (props: Record<string, unknown>): z.infer<typeof roleProps> => {
    const parsed = roleProps.safeParse(props);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw RESOURCE_ERRORS.error('ValidationException', `${options.typeName} ${issue?.path.join('.') || 'Properties'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  };
  const apply = async (props: Record<string, unknown>, ctx: ResourceContext): Promise<ResourceResult> => {
    const { RoleName, Path, AssumeRolePolicyDocument, Policies, ManagedPolicyArns } = parse(props);
    const name = RoleName ?? generatedRoleName(ctx);
    const managed = ManagedPolicyArns.map((arn) => ({ PolicyName: arn, PolicyDocument: managedPolicyDocument(arn, `${options.typeName} ${name}`) }));
    const role: StoredRole = {
      name,
      roleId: `AROA${Array.from({ length: 17 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('')}`,
      arn: `arn:aws:iam::${options.accountId}:role${Path}${name}`,
      assumeRolePolicy: AssumeRolePolicyDocument === undefined ? undefined : normalizePolicyDocument(AssumeRolePolicyDocument, 'AssumeRolePolicyDocument'),
      policies: [
        ...Policies.map((p, i) => ({
          PolicyName: p.PolicyName,
          PolicyDocument: normalizePolicyDocument(p.PolicyDocument, `Policies[${i}].PolicyDocument`),
        })),
        ...managed,
      ],
    };
    const stored = await options.store.put(role);
    return { physicalId: stored.name, attributes: { Arn: stored.arn, RoleName: stored.name, RoleId: stored.roleId } };
  };
  return {
    replaceOn: ['RoleName'],
    create: (props, ctx) => apply(props, ctx),
    update: async (physicalId, props, _oldProps, ctx) => ((parse(props).RoleName ?? generatedRoleName(ctx)) !== physicalId ? 'replace' : apply(props, ctx)),
    delete: async (physicalId) => {
      await options.store.delete(physicalId);
      await options.policies.detachRole(physicalId);
    },
  };
}
