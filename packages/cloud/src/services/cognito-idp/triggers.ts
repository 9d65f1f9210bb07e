import { isForteError, type UserPoolLambdaConfig } from '@forte/protocol';
import { FUNCTIONS } from '../../kernel/capabilities.js';
import { cognitoError } from './cognito-error.js';
import type { CognitoState } from './cognito-state.js';
import type { StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

/** The user pool triggers, named as `LambdaConfig` names them (and as Cognito's error messages do). */
export type TriggerName = Exclude<keyof UserPoolLambdaConfig, 'PreTokenGenerationConfig'>;

/** `callerContext.clientId` of calls without an app client (admin operations), as Cognito sends it. */
export const NO_CLIENT = 'CLIENT_ID_NOT_APPLICABLE';

/** What the SDK version of a caller is, when Cognito does not know it. */
const UNKNOWN_SDK = 'aws-sdk-unknown-unknown';

/** One invocation of a trigger: what varies from step to step of Cognito's event. */
export interface TriggerCall {
  triggerSource: string;
  userName: string;
  /** The app client of the call, or NO_CLIENT. */
  clientId: string;
  request: Record<string, unknown>;
  /** The response fields Cognito sends with their defaults (null, false): the function fills them in. */
  response: Record<string, unknown>;
}

/** The function a pool runs for a trigger, and the event version (`PreTokenGenerationConfig` wins for token generation). */
export function triggerOf(pool: StoredPool, name: TriggerName): { target: string; version: string } | undefined {
  const config = pool.config.LambdaConfig;
  if (!config) return undefined;
  if (name === 'PreTokenGeneration' && config.PreTokenGenerationConfig) {
    const version = config.PreTokenGenerationConfig.LambdaVersion ?? 'V1_0';
    return { target: config.PreTokenGenerationConfig.LambdaArn, version: version === 'V1_0' ? '1' : version === 'V2_0' ? '2' : '3' };
  }
  const target = config[name];
  return target ? { target, version: '1' } : undefined;
}

/** Whether the pool has a function for the trigger (no call costs anything when it has none). */
export function hasTrigger(pool: StoredPool, name: TriggerName): boolean {
  return triggerOf(pool, name) !== undefined;
}

/**
 * Cognito's answer when the function failed (it threw, or Lambda ended it at its own timeout): the
 * function's message, as `UserLambdaValidationException` "<Trigger> failed with error <message>.".
 */
function failed(name: TriggerName, message: string): Error {
  return cognitoError('UserLambdaValidationException', `${name} failed with error ${message}.`);
}

/** Cognito's answer when the function could not be run (missing, throttled, or slower than Cognito waits). */
function notInvoked(name: TriggerName, reason: string): Error {
  return cognitoError('UnexpectedLambdaException', `${name} invocation failed due to error ${reason}.`);
}

/** Cognito's answer when the function answered something that is not its event. */
export function unrecognizable(): Error {
  return cognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
}

/**
 * Runs a pool's trigger with Cognito's event (`version`, `triggerSource`, `region`, `userPoolId`,
 * `userName`, `callerContext`, `request`, `response`) and answers the `response` the function returned,
 * or undefined when the pool has no function for it. Cognito waits `timeoutSeconds` (5) for an answer; a
 * function error, an answer that is not the event, or no answer in time is Cognito's error for the call,
 * so the caller changes nothing after a failure.
 */
export async function runTrigger(state: CognitoState, pool: StoredPool, name: TriggerName, call: TriggerCall): Promise<Record<string, unknown> | undefined> {
  const trigger = triggerOf(pool, name);
  if (!trigger) return undefined;
  const { kernel } = state;
  const event = {
    version: trigger.version,
    triggerSource: call.triggerSource,
    region: kernel.config.region,
    userPoolId: pool.id,
    userName: call.userName,
    callerContext: { awsSdkVersion: UNKNOWN_SDK, clientId: call.clientId },
    request: call.request,
    response: call.response,
  };
  let invoker;
  try {
    invoker = kernel.capability(FUNCTIONS);
  } catch (error) {
    kernel.log.warn('a user pool trigger cannot run: this cloud runs without the lambda service', { userPoolId: pool.id, trigger: name, error });
    throw notInvoked(name, 'ResourceNotFoundException');
  }
  const timeoutMs = state.limitSettings.triggers.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let out;
  try {
    out = await Promise.race([invoker.invoke(trigger.target, JSON.stringify(event), { invocationType: 'RequestResponse' }), timedOut]);
  } catch (error) {
    const reason = isForteError(error) ? error.code : 'ServiceException';
    kernel.log.warn('a user pool trigger could not be invoked', { userPoolId: pool.id, trigger: name, reason });
    throw notInvoked(name, reason);
  } finally {
    clearTimeout(timer);
  }
  if (out === 'timeout') {
    kernel.log.warn('a user pool trigger did not answer in time', { userPoolId: pool.id, trigger: name, seconds: timeoutMs / 1000 });
    throw notInvoked(name, 'TimeoutException');
  }
  let parsed: unknown;
  try {
    parsed = out.payload === undefined || out.payload === '' ? null : JSON.parse(out.payload);
  } catch {
    parsed = undefined;
  }
  if (out.functionError) {
    const message = (parsed as { errorMessage?: unknown } | null | undefined)?.errorMessage;
    throw failed(name, typeof message === 'string' ? message : 'Unhandled');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unrecognizable();
  const response = (parsed as { response?: unknown }).response;
  if (response === undefined || response === null) return {};
  if (typeof response !== 'object' || Array.isArray(response)) throw unrecognizable();
  return response as Record<string, unknown>;
}

/** A boolean of a trigger's response: absent or null is false; anything else but a boolean is refused. */
export function flag(response: Record<string, unknown>, key: string): boolean {
  const value = response[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw unrecognizable();
  return value;
}

/** A string map of a trigger's response (attributes, challenge parameters); absent or null is undefined. */
export function stringMap(response: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const value = response[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw unrecognizable();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** A string of a trigger's response; absent or null is undefined. */
export function text(response: Record<string, unknown>, key: string): string | undefined {
  const value = response[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw unrecognizable();
  return value;
}

/** `ClientMetadata` of a request, a string map Cognito passes to the triggers (absent: undefined). */
export function clientMetadataOf(input: Record<string, unknown>, field = 'ClientMetadata'): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A user's attributes as trigger events carry them: `sub`, the stored attributes and `cognito:user_status`. */
export function eventAttributes(user: StoredUser): Record<string, string> {
  return { sub: user.sub, ...user.attributes, 'cognito:user_status': user.status };
}
