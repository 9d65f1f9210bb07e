import { isForteError } from '@forte/protocol';
import type { JsonCall } from '../../kernel/json-api.js';
import { parameterArn } from './parameter-names.js';
import type { ParameterStore, StoredParameter } from './parameter-store.js';

/** What the operations share: the store, and the account and region that ARNs name. */
export interface SsmContext {
  store: ParameterStore;
  region: string;
  accountId: string;
}

/** The ARN of a parameter of this cloud. */
export const arnOf = (ssm: SsmContext, name: string): string => parameterArn(ssm.region, ssm.accountId, name);

/** AWS JSON timestamps are epoch seconds. */
const epochSeconds = (ms: number): number => ms / 1000;

/** A parameter as GetParameter(s) answer it: a SecureString's plaintext only with `decrypt`. */
export function parameterOutput(ssm: SsmContext, parameter: StoredParameter, decrypt: boolean, selector?: string): Record<string, unknown> {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: ssm.store.plaintext(parameter, decrypt),
    Version: parameter.version,
    ...(selector === undefined ? {} : { Selector: selector }),
    LastModifiedDate: epochSeconds(parameter.lastModifiedAt),
    ARN: arnOf(ssm, parameter.name),
    DataType: parameter.dataType,
  };
}

/** A parameter as DescribeParameters answers it: its metadata, never its value. */
export function parameterMetadata(ssm: SsmContext, parameter: StoredParameter): Record<string, unknown> {
  return {
    Name: parameter.name,
    ARN: arnOf(ssm, parameter.name),
    Type: parameter.type,
    ...(parameter.type === 'SecureString' ? { KeyId: 'alias/aws/ssm' } : {}),
    ...(parameter.description === undefined ? {} : { Description: parameter.description }),
    Version: parameter.version,
    Tier: parameter.tier,
    LastModifiedDate: epochSeconds(parameter.lastModifiedAt),
    LastModifiedUser: parameter.lastModifiedUser,
    Policies: [],
    DataType: parameter.dataType,
  };
}

/** The caller as AWS records it in LastModifiedUser. */
export function callerArn(ssm: SsmContext, call: JsonCall): string {
  const { principal } = call;
  return principal.kind === 'role' ? principal.roleArn : `arn:aws:iam::${ssm.accountId}:root`;
}

/** Whether the caller may do `action` on `resource` (a refusal is an answer here, not an error). */
export async function isAllowed(call: JsonCall, action: string, resource: string): Promise<boolean> {
  if (call.principal.kind === 'admin') return true;
  try {
    await call.ctx.authorize(call.principal, action, resource, 'AccessDeniedException');
    return true;
  } catch (error) {
    if (isForteError(error) && error.code === 'AccessDeniedException') return false;
    throw error;
  }
}

/** An opaque NextToken for a listing that goes on after `name`. */
export const nextTokenAfter = (name: string): string => Buffer.from(`v1:${name}`, 'utf8').toString('base64url');

/** The name a NextToken goes on after, or undefined when it is not one this service made. */
export function nameOfNextToken(token: string): string | undefined {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  return decoded.startsWith('v1:') && decoded.length > 3 ? decoded.slice(3) : undefined;
}
