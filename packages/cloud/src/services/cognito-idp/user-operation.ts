import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import type { RequestContext } from '../../kernel/types.js';

/** One user-pool operation: the JSON body in, checked field by field with Cognito's own messages; the JSON answer out. */
export type UserOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown> | undefined>;

/** The operations as raw operations of the kernel's JSON API (which answers a body that is not a JSON object itself). */
export function jsonOperations(operations: Record<string, UserOperation>, signed: boolean, poolArn?: (id: string) => string): Record<string, JsonOperation> {
  // Signed calls naming a pool are authorized on the pool's ARN (as IAM does: Amplify's Admin Queries role
  // is allowed the admin actions on its pool only); calls naming none, on `*`.
  const resources = poolArn ? { resources: (input: Record<string, unknown>) => [typeof input.UserPoolId === 'string' ? poolArn(input.UserPoolId) : '*'] } : {};
  return Object.fromEntries(
    Object.entries(operations).map(([name, run]) => [name, defineOperation({ raw: true, signed, ...resources, handler: (input, { ctx }) => run(input, ctx) })]),
  );
}
