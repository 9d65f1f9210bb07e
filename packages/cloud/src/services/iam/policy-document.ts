import type { ForteError } from '@forte/protocol';
import type { PolicyDocument, PolicyStatement } from '../../kernel/types.js';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';

/**
 * Validates an IAM policy document (object or JSON string, `Statement` one object or a list) and
 * returns it in the kernel's normal form. Unsupported elements are refused rather than ignored, because
 * ignoring `NotAction` or `NotResource` would grant more than the author meant.
 */
export function normalizePolicyDocument(input: unknown, where: string): PolicyDocument {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid(where, 'is a string that is not JSON');
    }
  }
  if (!isRecord(value)) throw invalid(where, 'must be an object with a Statement');
  const raw = value.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements = list.map((statement, i) => normalizeStatement(statement, `${where}.Statement[${i}]`));
  return typeof value.Version === 'string' ? { Version: value.Version, Statement: statements } : { Statement: statements };
}

function normalizeStatement(input: unknown, where: string): PolicyStatement {
  if (!isRecord(input)) throw invalid(where, 'must be an object');
  for (const unsupported of ['NotAction', 'NotResource', 'NotPrincipal']) {
    if (unsupported in input) throw invalid(where, `uses ${unsupported}, which Forte does not support: list the actions and resources instead`);
  }
  if (input.Effect !== 'Allow' && input.Effect !== 'Deny') throw invalid(where, 'needs Effect "Allow" or "Deny"');
  const statement: PolicyStatement = {
    Effect: input.Effect,
    Action: stringList(input.Action, `${where}.Action`),
    Resource: input.Resource === undefined ? '*' : stringList(input.Resource, `${where}.Resource`),
  };
  if (typeof input.Sid === 'string') statement.Sid = input.Sid;
  if (input.Principal !== undefined) statement.Principal = principalOf(input.Principal, `${where}.Principal`);
  if (isRecord(input.Condition)) statement.Condition = input.Condition;
  return statement;
}

/** `"*"` or `{ Federated | Service | AWS: name or names }` (trust policies name who may assume the role). */
function principalOf(value: unknown, where: string): NonNullable<PolicyStatement['Principal']> {
  if (value === '*') return '*';
  if (!isRecord(value)) throw invalid(where, 'must be "*" or an object such as {"Federated": "cognito-identity.amazonaws.com"}');
  const out: Record<string, string | string[]> = {};
  for (const [kind, names] of Object.entries(value)) {
    if (typeof names === 'string') out[kind] = names;
    else out[kind] = stringList(names, `${where}.${kind}`);
  }
  return out;
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v !== '')) {
    throw invalid(where, 'must be a string or a list of strings');
  }
  return list;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(where: string, problem: string): ForteError {
  return RESOURCE_ERRORS.error('ValidationException', `${where} ${problem}.`);
}
