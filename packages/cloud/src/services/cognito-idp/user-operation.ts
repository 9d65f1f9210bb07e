import type { JsonOperation } from '../../kernel/json-api.js';
import { ServiceError, type RequestContext } from '../../kernel/types.js';

/** One unsigned user-pool operation: the parsed JSON body in, the JSON answer out. */
export type UserOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown> | undefined>;

/**
 * The operations as routes of the kernel's JSON API. Their bodies must be JSON objects; each operation
 * checks its own fields. (A plain check rather than a schema: these calls include the token checks that
 * every signed-in request of an app makes.)
 */
export function jsonOperations(operations: Record<string, UserOperation>, signed: boolean): Record<string, JsonOperation<Record<string, unknown>>> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, run]) => [name, {
      signed,
      handle: (input: unknown, { ctx }: { ctx: RequestContext }) => {
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ServiceError('InvalidParameterException', 'request: the body must be a JSON object.', 400);
        return run(input as Record<string, unknown>, ctx);
      },
    }]),
  );
}
