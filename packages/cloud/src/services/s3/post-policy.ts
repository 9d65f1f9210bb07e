import type { ForteError } from '@forte/protocol';
import { S3_ERRORS } from './s3-errors.js';

/** One condition of a POST policy, as S3 reads it. */
export type PostCondition =
  { kind: 'eq' | 'starts-with'; field: string; name: string; value: string } | { kind: 'content-length-range'; min: number; max: number };

/** A decoded POST policy: when it stops being valid and what the form must satisfy. */
export interface PostPolicy {
  expiration: Date;
  conditions: PostCondition[];
}

/**
 * Form fields no condition needs to name (S3: the signature, the file, the policy itself and `x-ignore-*`).
 * Lower-case, as form field names are compared.
 */
const UNCONDITIONED = new Set(['x-amz-signature', 'file', 'policy']);

/** Decodes the `policy` form field (base64 JSON: `expiration` and `conditions`); a bad one is InvalidPolicyDocument. */
export function parsePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch (error) {
    throw invalidPolicy('Invalid JSON.', error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as Record<string, unknown>;
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expires = typeof expiration === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(expiration) ? new Date(expiration) : undefined;
  if (expires === undefined || Number.isNaN(expires.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration: expires, conditions: conditions.map(parseCondition) };
}

function parseCondition(source: unknown): PostCondition {
  if (Array.isArray(source)) {
    const [operator, a, b] = source as unknown[];
    if (source.length !== 3 || typeof operator !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(source)}`);
    const name = operator.toLowerCase();
    if (name === 'content-length-range') {
      const min = Number(a);
      const max = Number(b);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        throw invalidPolicy(`Invalid content-length-range: ${JSON.stringify(source)}`);
      }
      return { kind: 'content-length-range', min, max };
    }
    if (name !== 'eq' && name !== 'starts-with') throw invalidPolicy(`Invalid Condition: unknown operator '${operator}'.`);
    if (typeof a !== 'string' || !a.startsWith('$') || typeof b !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(source)}`);
    return { kind: name, field: a.slice(1).toLowerCase(), name: a.slice(1), value: b };
  }
  if (typeof source === 'object' && source !== null) {
    const entries = Object.entries(source);
    const [entry] = entries;
    if (entries.length !== 1 || entry === undefined || typeof entry[1] !== 'string') {
      throw invalidPolicy(`Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.`);
    }
    return { kind: 'eq', field: entry[0].toLowerCase(), name: entry[0], value: entry[1] };
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(source)}`);
}

/**
 * Checks the form's fields (lower-case names, `key` with `${filename}` expanded) and the request's bucket (the
 * `bucket` condition names the bucket addressed, whatever a `bucket` field says) against the policy, as S3 does before it reads the file: the policy has not expired, every condition
 * holds, and every field but the signature, the file, the policy and `x-ignore-*` is named by a condition.
 * Answers the size range the file must be in (`content-length-range`), when the policy sets one.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  request: { fields: ReadonlyMap<string, string>; bucket: string; now: Date },
): { min: number; max: number } | undefined {
  const { fields, now } = request;
  if (policy.expiration.getTime() <= now.getTime()) throw denied('Policy expired.');
  let range: { min: number; max: number } | undefined;
  const named = new Set<string>();
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: condition.min, max: condition.max };
      continue;
    }
    named.add(condition.field);
    const value = condition.field === 'bucket' ? request.bucket : (fields.get(condition.field) ?? '');
    if (!conditionHolds(condition.kind, condition.field, value, condition.value)) {
      // S3 quotes the condition in its array form, whichever form the policy used.
      throw denied(`Policy Condition failed: ${JSON.stringify([condition.kind, `$${condition.name}`, condition.value]).replaceAll('","', '", "')}`);
    }
  }
  const extra = [...fields.keys()].filter((name) => !UNCONDITIONED.has(name) && !name.startsWith('x-ignore-') && !named.has(name));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

function conditionHolds(kind: 'eq' | 'starts-with', field: string, value: string, expected: string): boolean {
  if (kind === 'eq') return value === expected;
  // A Content-Type may list several types, separated by commas: each must start with the prefix.
  if (field === 'content-type') return value.split(',').every((part) => part.trim().startsWith(expected));
  return value.startsWith(expected);
}

function denied(why: string): ForteError {
  return S3_ERRORS.error('AccessDenied', `Invalid according to Policy: ${why}`);
}

function invalidPolicy(why: string, cause?: unknown): ForteError {
  return S3_ERRORS.error('InvalidPolicyDocument', `Invalid Policy: ${why}`, cause === undefined ? {} : { cause });
}
