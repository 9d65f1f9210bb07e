import { isForteError, type GraphQLAuthProvider, type GraphQLPlanExternalField, type GraphQLPlanFunctionCall, type GraphQLPlanModel } from '@forte/protocol';
import type { GraphQLFieldResolver } from 'graphql';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import { accessByRules, fieldRulesAllow, isAdmin } from './auth-rules.js';
import type { Caller } from './caller.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError, notAuthorized } from './field-error.js';
import { resolverIdentity } from './resolver-identity.js';

type Args = Record<string, unknown>;

/** How `@function` fields reach functions: the API's environment (for `${env}`) and the cloud's FUNCTIONS. */
export interface FunctionAccess {
  env: string;
  /** The cloud's region (a LAMBDA conflict handler's event names it). */
  region: string;
  /** Read when a field is resolved: the lambda service may start after this schema is built. */
  invoker(): FunctionInvoker;
  accountId: string;
}

/**
 * The function a `@function` names in this environment: `${env}` replaced by the environment's name, or,
 * with the environment `NONE`, `-${env}` dropped (as Amplify's transformer builds the function's ARN).
 */
export function functionNameOf(call: Pick<GraphQLPlanFunctionCall, 'name'>, env: string): string {
  return env === 'NONE' ? call.name.replace('-${env}', '') : call.name.replaceAll('${env}', env);
}

/** A field's `@function`s: those of the plan, or, from an older plan, its names invoked as RequestResponse. */
export const callsOf = (field: GraphQLPlanExternalField): GraphQLPlanFunctionCall[] =>
  field.functionCalls ?? (field.functions ?? []).map((name) => ({ name, invocationType: 'RequestResponse' as const }));

/**
 * Whether the caller may resolve an `@function` or `@http` field: on a model type, its field-level rules (the parent item was
 * already read under the model's rules); elsewhere its static `@auth` rules, or, without any, the API's
 * default auth mode alone, as AppSync serves a field without auth directives.
 */
export function mayCall(
  caller: Caller,
  field: GraphQLPlanExternalField,
  model: GraphQLPlanModel | undefined,
  defaultMode: GraphQLAuthProvider,
  source: unknown,
): boolean {
  if (model) return fieldRulesAllow(caller, model, field.fieldName, (source ?? {}) as Args, 'get');
  if (field.authRules) return accessByRules(caller, field.authRules, 'get').kind === 'all';
  return isAdmin(caller) || caller.mode === defaultMode;
}

/**
 * What one invocation answers as the function's result, or AppSync's error for the field. AppSync invokes an
 * `@function` through its Lambda data source's service role (IAM), never through the function's resource
 * policy, so no `AWS::Lambda::Permission` is asked for here. The role is not checked either: Amplify's
 * FunctionDirectiveStack always writes `<Function>LambdaDataSourceServiceRole` with `lambda:InvokeFunction` on
 * the function's ARN (and `:*`), and the plan that reaches this resolver carries no data source of another kind.
 * (appsync-function.test.ts deploys its functions without any resource policy.)
 */
async function invokeOne(invoker: FunctionInvoker, name: string, call: GraphQLPlanFunctionCall, payload: string): Promise<unknown> {
  let out;
  try {
    out = await invoker.invoke(name, payload, { invocationType: call.invocationType });
  } catch (error) {
    if (isForteError(error)) throw new AppSyncFieldError(`Lambda:${error.code}`, error.message, { cause: error });
    throw error;
  }
  if (call.invocationType === 'Event') return { success: true };
  let parsed: unknown = null;
  try {
    if (out.payload !== undefined && out.payload !== '') parsed = JSON.parse(out.payload);
  } catch (error) {
    throw new AppSyncFieldError('Lambda:Unhandled', `The function ${name} answered something that is not JSON.`, { cause: error });
  }
  if (out.functionError) {
    const failure = (parsed ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    throw new AppSyncFieldError(
      typeof failure.errorType === 'string' ? failure.errorType : 'Lambda:Unhandled',
      typeof failure.errorMessage === 'string' ? failure.errorMessage : `The function ${name} failed.`,
    );
  }
  return parsed;
}

/**
 * The resolver of a `@function` field, as Amplify's pipeline runs it: each function of the chain in turn,
 * with AppSync's Lambda event (`typeName`, `fieldName`, `arguments`, `identity`, `source`, `request`, and
 * `prev`: null for the first, then `{result}` of the one before); the last result is the field's value. A
 * function error stops the chain: the field is null, with `errorType` and `message` from the function's error.
 */
export function functionResolver(input: {
  field: GraphQLPlanExternalField;
  model: GraphQLPlanModel | undefined;
  defaultMode: GraphQLAuthProvider;
  functions: FunctionAccess;
}): GraphQLFieldResolver<unknown, ExecutionContext, Args> {
  const { field, model, defaultMode, functions } = input;
  const calls = callsOf(field).map((call) => ({ call, name: functionNameOf(call, functions.env) }));
  return async (source, args, ctx) => {
    if (!mayCall(ctx.caller, field, model, defaultMode, source)) throw notAuthorized(field.fieldName, field.typeName);
    const invoker = functions.invoker();
    const event = {
      typeName: field.typeName,
      fieldName: field.fieldName,
      arguments: args,
      identity: resolverIdentity(ctx.caller, ctx.request, functions.accountId),
      source: source ?? null,
      request: { headers: ctx.request?.headers ?? {}, domainName: null },
    };
    let prev: { result: unknown } | null = null;
    for (const { call, name } of calls) prev = { result: await invokeOne(invoker, name, call, JSON.stringify({ ...event, prev })) };
    return prev?.result ?? null;
  };
}
