import { validationError } from './errors.js';

/** At most 50 tags a table, as in DynamoDB. */
export const MAX_TAGS = 50;
/** Letters, digits, white space and `_ . : / = + - @`, as DynamoDB's tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** A `Tags` list (CreateTable, TagResource): each `{Key, Value}` checked as DynamoDB does. */
export function parseTags(value: unknown, field = 'tags'): Record<string, string> {
  if (!Array.isArray(value))
    throw validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (value.length === 0) throw validationError('One or more parameter values were invalid: the list of tags is empty');
  const tags: Record<string, string> = {};
  for (const element of value as { Key?: unknown; Value?: unknown }[]) {
    const key = element?.Key;
    const tagValue = element?.Value;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128)
      throw validationError(`One or more parameter values were invalid: a tag Key is a string of 1 to 128 characters, got ${JSON.stringify(key ?? null)}`);
    if (typeof tagValue !== 'string' || tagValue.length > 256)
      throw validationError(`One or more parameter values were invalid: the Value of tag ${key} must be a string of at most 256 characters`);
    if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(tagValue))
      throw validationError(
        `One or more parameter values were invalid: tag ${key} holds characters other than letters, digits, white space and _ . : / = + - @`,
      );
    if (key.toLowerCase().startsWith('aws:'))
      throw validationError(`One or more parameter values were invalid: tag keys starting with aws: are reserved (${key})`);
    tags[key] = tagValue;
  }
  return tags;
}

/** Merges new tags into a table's, refusing more than MAX_TAGS in all. */
export function mergeTags(current: Record<string, string> | undefined, added: Record<string, string>): Record<string, string> {
  const merged = { ...current, ...added };
  if (Object.keys(merged).length > MAX_TAGS)
    throw validationError(`One or more parameter values were invalid: a table has at most ${MAX_TAGS} tags; this would make ${Object.keys(merged).length}`);
  return merged;
}

/**
 * The table name in a table ARN (`<prefix>table/<name>`). Anything else is a ValidationException: not an ARN,
 * an index's ARN, or another region's or account's.
 */
export function tableNameOfArn(arn: unknown, prefix: string): string {
  if (typeof arn !== 'string')
    throw validationError("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null");
  if (!arn.startsWith('arn:')) throw validationError(`Invalid TableArn: ARNs must start with 'arn:': ${arn}`);
  const rest = arn.startsWith(`${prefix}table/`) ? arn.slice(prefix.length + 'table/'.length) : undefined;
  if (rest === undefined || rest.includes('/') || !/^[a-zA-Z0-9_.-]{3,255}$/.test(rest))
    throw validationError(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}: only tables (${prefix}table/<name>) can be tagged`);
  return rest;
}
