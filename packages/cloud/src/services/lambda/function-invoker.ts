import { randomUUID } from 'node:crypto';
import type { ForteError } from '@forte/protocol';
import type { FunctionInvocationResult, FunctionInvoker } from '../../kernel/capabilities.js';
import type { EventQueue, QueuedAttempt } from './event-queue.js';
import { permissionAllows } from './function-permissions.js';
import type { FunctionRegistry } from './function-registry.js';
import type { FunctionStore, StoredFunction } from './function-store.js';
import { LAMBDA_ERRORS } from './lambda-errors.js';
import type { FunctionPermissions, PermissionCache } from './permission-cache.js';
import type { FunctionRuntime, InvokeOptions, InvokeOutcome } from './runtime/types.js';

/** Lambda's payload limits: 6 MB for a synchronous invocation, 256 KB for an asynchronous one. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_EVENT_PAYLOAD = 256 * 1024;

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** A function name, full ARN or partial ARN (`<account>:function:<name>`), with its qualifier if it has one. */
const FUNCTION_REF = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([a-zA-Z0-9-_]{1,64})(?::([a-zA-Z0-9-_$]{1,128}))?$/;

/**
 * Invocations of deployed functions, for the Invoke API, the event queue and other services (`FUNCTIONS`):
 * name resolution, Lambda's payload checks, and the runtime's errors mapped to Lambda's.
 */
export function createFunctionInvoker(options: {
  store: FunctionStore;
  /** Who may invoke each function (`permits`), kept in memory. */
  permissions: PermissionCache;
  registry: FunctionRegistry;
  runtime: FunctionRuntime;
  queue: () => EventQueue;
  accountId: string;
  region: string;
}) {
  const { store, registry, runtime } = options;

  /** The ARN a reference names, for authorization before the function is looked up (as Lambda does). */
  function arnOf(ref: string): { name: string; arn: string; qualifier: string | undefined; named: boolean } | undefined {
    const match = FUNCTION_REF.exec(ref);
    if (!match) return undefined;
    const name = match[4]!;
    const account = match[2] ?? match[3];
    return {
      name,
      arn: `arn:aws:lambda:${match[1] ?? options.region}:${account ?? options.accountId}:function:${name}`,
      qualifier: match[5],
      named: account === undefined,
    };
  }

  const notFound = (what: string): ForteError => LAMBDA_ERRORS.error('ResourceNotFoundException', `Function not found: ${what}`, { fields: { Type: 'User' } });

  async function resolve(ref: string, qualifier: string | undefined): Promise<StoredFunction> {
    const parsed = arnOf(ref);
    if (!parsed)
      throw LAMBDA_ERRORS.error(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${ref}' at 'functionName' failed to satisfy constraint: it must be a function name or ARN.`,
      );
    const fn = await store.get(parsed.name);
    const wanted = qualifier ?? parsed.qualifier;
    if (!fn || (!parsed.named && parsed.arn !== fn.arn)) throw notFound(parsed.arn);
    if (wanted !== undefined && wanted !== '$LATEST') throw notFound(`${fn.arn}:${wanted}`);
    return fn;
  }

  function checkPayload(payload: Buffer, type: InvocationType): string {
    const limit = type === 'Event' ? MAX_EVENT_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (payload.length > limit) {
      throw LAMBDA_ERRORS.error('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, {
        fields: { Type: 'User' },
      });
    }
    const text = payload.length === 0 ? '{}' : payload.toString('utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw LAMBDA_ERRORS.error('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`, {
        cause: error,
        fields: { Type: 'User' },
      });
    }
    return text;
  }

  async function runSync(fn: StoredFunction, payload: string, invokeOptions: InvokeOptions): Promise<InvokeOutcome> {
    try {
      await registry.ready(fn.name);
      return await runtime.invoke(fn.name, payload, invokeOptions);
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      if (name === 'TooManyRequestsError')
        throw LAMBDA_ERRORS.error('TooManyRequestsException', 'Rate Exceeded.', {
          cause: error,
          fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User' },
        });
      if (name === 'FunctionNotDeployedError') throw notFound(fn.arn);
      if (name === 'RuntimeSetupError' || name === 'CodeUnavailableError')
        throw LAMBDA_ERRORS.error('ResourceNotReadyException', (error as Error).message, { cause: error });
      throw error;
    }
  }

  /** Runs one queued Event invocation (the event queue's `run`). */
  async function runQueued(functionName: string, payload: string, clientContext: string | undefined, requestId: string): Promise<QueuedAttempt> {
    const fn = await store.get(functionName);
    if (!fn) return { kind: 'gone' };
    try {
      return { kind: 'done', outcome: await runSync(fn, payload, { requestId, ...(clientContext !== undefined ? { clientContext } : {}) }) };
    } catch (error) {
      const code = (error as ForteError | undefined)?.code;
      if (code === 'TooManyRequestsException' || code === 'ResourceNotReadyException') return { kind: 'throttled' };
      if (code === 'ResourceNotFoundException') return { kind: 'gone' };
      throw error;
    }
  }

  /** Invokes a resolved function as Lambda's Invoke does for one invocation type. */
  async function invoke(
    fn: StoredFunction,
    body: Buffer,
    type: InvocationType,
    extra: { requestId?: string; clientContext?: string; tail?: boolean; orderingKey?: string; traceHeader?: string } = {},
  ): Promise<FunctionInvocationResult & { outcome?: InvokeOutcome; requestId: string }> {
    const payload = checkPayload(body, type);
    if (type === 'DryRun') return { statusCode: 204, requestId: extra.requestId ?? randomUUID() };
    if (type === 'Event') return { statusCode: 202, requestId: await options.queue().enqueue(fn.name, payload, extra.clientContext, extra.orderingKey) };
    const requestId = extra.requestId ?? randomUUID();
    const outcome = await runSync(fn, payload, {
      requestId,
      ...(extra.clientContext !== undefined ? { clientContext: extra.clientContext } : {}),
      ...(extra.tail ? { tail: true } : {}),
      ...(extra.traceHeader !== undefined ? { traceHeader: extra.traceHeader } : {}),
    });
    return { statusCode: 200, payload: outcome.payload, ...(outcome.functionError ? { functionError: outcome.functionError } : {}), outcome, requestId };
  }

  const capability: FunctionInvoker = {
    async invoke(ref, payload, invokeOptions) {
      const fn = await resolve(ref, undefined);
      const type = invokeOptions?.invocationType ?? 'RequestResponse';
      const orderingKey = type === 'Event' ? invokeOptions?.orderingKey : undefined;
      const traceHeader = invokeOptions?.traceHeader;
      const {
        statusCode,
        payload: result,
        functionError,
      } = await invoke(fn, Buffer.from(payload, 'utf8'), type, {
        ...(orderingKey !== undefined ? { orderingKey } : {}),
        ...(traceHeader !== undefined ? { traceHeader } : {}),
      });
      return { statusCode, ...(result !== undefined ? { payload: result } : {}), ...(functionError ? { functionError } : {}) };
    },
    async exists(ref) {
      const parsed = arnOf(ref);
      if (!parsed) return false;
      const fn = await store.get(parsed.name);
      return fn !== undefined && (parsed.named || fn.arn === parsed.arn);
    },
    async permits(ref, requester) {
      const parsed = arnOf(ref);
      if (!parsed) return false;
      const allows = ({ arn, statements }: FunctionPermissions): boolean =>
        arn !== undefined && (parsed.named || arn === parsed.arn) && statements.some((statement) => permissionAllows(statement, requester));
      // A refusal is checked against the database first: what is held may be older than a grant made elsewhere.
      return allows(await options.permissions.of(parsed.name)) || allows(await options.permissions.reread(parsed.name));
    },
  };

  return { arnOf, resolve, invoke, runQueued, capability };
}

export type FunctionInvokerService = ReturnType<typeof createFunctionInvoker>;
