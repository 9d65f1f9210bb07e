import type { JsonOperation } from '../../kernel/json-api.js';
import type { RequestContext } from '../../kernel/types.js';

/** One unsigned user-pool operation: the parsed JSON body in, the JSON answer out. */
export type UserOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown> | undefined>;

/** The operations as routes of the kernel's JSON API (which answers a body that is not a JSON object itself). */
export function jsonOperations(operations: Record<string, UserOperation>, signed: boolean): Record<string, JsonOperation<Record<string, unknown>>> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, run]) => [name, { signed, handle: (input: Record<string, unknown>, { ctx }: { ctx: RequestContext }) => run(input, ctx) }]),
  );
}
