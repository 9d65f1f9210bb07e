import { isForteError, type GraphQLPlanModel } from '@forte/protocol';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { functionNameOf, type FunctionAccess } from './function-resolver.js';
import { resolverIdentity } from './resolver-identity.js';

type Plain = Record<string, unknown>;

/**
 * What a LAMBDA conflict handler decided about an update (replace the stored item with `item`, or refuse) or
 * a delete (delete it, or refuse): AppSync takes RESOLVE for PutItem/UpdateItem and REMOVE for DeleteItem only.
 */
export type UpdateDecision = { action: 'RESOLVE'; item: Plain } | { action: 'REJECT' };
export type DeleteDecision = { action: 'REMOVE' } | { action: 'REJECT' };

/** The function a model's LAMBDA conflict handler names in this environment (`${env}` as for `@function`). */
export const conflictFunctionName = (model: GraphQLPlanModel, env: string): string | undefined =>
  model.versioned?.lambdaConflictHandler === undefined ? undefined : functionNameOf({ name: model.versioned.lambdaConflictHandler }, env);

/** AppSync's answer when the conflict handler cannot be asked or answers something it cannot use. */
const conflictError = (message: string, cause?: unknown): AppSyncFieldError => new AppSyncFieldError('ConflictError', message, { cause });

const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The answers a handler may give about an update and about a delete, as they are to be written. */
const ANSWERS = {
  update: '{"action":"RESOLVE","item":{...}} or {"action":"REJECT"}',
  delete: '{"action":"REMOVE"} or {"action":"REJECT"}',
};

/** The handler's JSON answer as a decision about `operation`, or undefined when it is not one. */
function decisionOf(answer: unknown, operation: 'update' | 'delete'): UpdateDecision | DeleteDecision | undefined {
  if (!isPlain(answer)) return undefined;
  if (answer.action === 'REJECT') return { action: 'REJECT' };
  if (operation === 'delete') return answer.action === 'REMOVE' ? { action: 'REMOVE' } : undefined;
  return answer.action === 'RESOLVE' && isPlain(answer.item) ? { action: 'RESOLVE', item: answer.item } : undefined;
}

export interface ConflictRequest {
  ctx: ExecutionContext;
  model: GraphQLPlanModel;
  functions: FunctionAccess | undefined;
  /** The mutation field (`updateTodo`). */
  field: string;
  /** The mutation's arguments (`input`, and `condition` when given). */
  arguments: Plain;
  /** The stored item, whose version the mutation did not name. */
  existingItem: Plain;
  /** The item as the mutation would leave it (null for a delete). */
  newItem: Plain | null;
}

/**
 * Asks a model's LAMBDA conflict handler about a version conflict, with AppSync's event (`newItem`,
 * `existingItem`, `arguments`, `resolver` {tableName, awsRegion, parentType, field}, `identity`), invoked
 * RequestResponse through the cloud's functions. A function that cannot be invoked, fails (throws, times
 * out) or answers anything but RESOLVE (with an item) or REJECT about an update, REMOVE or REJECT about a
 * delete, is AppSync's `ConflictError`, the field null.
 */
export async function askConflictHandler(request: ConflictRequest & { operation: 'update' }): Promise<UpdateDecision>;
export async function askConflictHandler(request: ConflictRequest & { operation: 'delete' }): Promise<DeleteDecision>;
export async function askConflictHandler(request: ConflictRequest & { operation: 'update' | 'delete' }): Promise<UpdateDecision | DeleteDecision> {
  const { ctx, model, functions, field } = request;
  const name = functions && conflictFunctionName(model, functions.env);
  if (!functions || !name)
    throw conflictError(`${model.name} resolves conflicts with a LAMBDA handler, and this cloud has no function to ask: deploy the handler function.`);
  const event = {
    newItem: request.newItem,
    existingItem: request.existingItem,
    arguments: request.arguments,
    resolver: { tableName: ctx.tableNames[model.name] ?? null, awsRegion: functions.region, parentType: 'Mutation', field },
    identity: resolverIdentity(ctx.caller, ctx.request, functions.accountId),
  };
  let out;
  try {
    out = await functions.invoker().invoke(name, JSON.stringify(event), { invocationType: 'RequestResponse' });
  } catch (error) {
    if (isForteError(error)) throw conflictError(`The conflict handler ${name} could not be invoked: ${error.message}`, error);
    throw error;
  }
  let answer: unknown;
  try {
    answer = out.payload ? JSON.parse(out.payload) : null;
  } catch (error) {
    throw conflictError(`The conflict handler ${name} answered something that is not JSON.`, error);
  }
  if (out.functionError) {
    const failure = isPlain(answer) ? answer : {};
    const detail = typeof failure.errorMessage === 'string' ? `: ${failure.errorMessage}` : '';
    throw conflictError(`The conflict handler ${name} failed${detail}`);
  }
  const decision = decisionOf(answer, request.operation);
  if (!decision)
    throw conflictError(
      `The conflict handler ${name} answered ${JSON.stringify(answer)?.slice(0, 200) ?? 'nothing'} about ${field}; about ${request.operation === 'update' ? 'an update' : 'a delete'} it must answer ${ANSWERS[request.operation]}.`,
    );
  return decision;
}
