import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import type { RequestContext } from '../../kernel/types.js';

/** One user-pool operation: the JSON body in, checked field by field with Cognito's own messages; the JSON answer out. */
export type UserOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown> | undefined>;

/** The operations as raw operations of the kernel's JSON API (which answers a body that is not a JSON object itself). */
export function jsonOperations(
  operations: Record<string, UserOperation>,
  signed: boolean,
  resources?: (input: Record<string, unknown>) => string[],
): Record<string, JsonOperation> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, run]) => [
      name,
      defineOperation({ raw: true, signed, ...(resources ? { resources } : {}), handler: (input, { ctx }) => run(input, ctx) }),
    ]),
  );
}
