import type { RequestContext } from '../../kernel/types.js';

/** One unsigned user-pool operation: the parsed JSON body in, the JSON answer out. */
export type UserOperation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<Record<string, unknown> | undefined>;
