import { isForteError } from '@forte/protocol';
import type { TableItem } from '../../kernel/types.js';
import { checkAttributeName, normalizeItem } from './attribute-values.js';
import { checkPathOverlaps } from './expressions/path-overlap.js';
import { DYNAMODB_ERRORS, validationError } from './errors.js';
import type { Condition, Path, UpdateActions } from './expressions/ast.js';
import { ExpressionPlaceholders, parseCondition, parseProjection, parseUpdate } from './expressions/parser.js';
import type { WriteOptions } from './table-engine.js';

/** A DynamoDB request body (or one element of a batch or transaction), fields not yet checked. */
export type Fields = Record<string, unknown>;

const LEGACY: Record<string, string> = {
  Expected: 'ConditionExpression',
  AttributesToGet: 'ProjectionExpression',
  KeyConditions: 'KeyConditionExpression',
  QueryFilter: 'FilterExpression',
  ScanFilter: 'FilterExpression',
  AttributeUpdates: 'UpdateExpression',
  ConditionalOperator: 'expressions with AND / OR',
};

/** Forte speaks expressions only; the legacy conditional parameters are refused with the expression to use instead. */
export function refuseLegacy(fields: Fields): void {
  for (const [legacy, modern] of Object.entries(LEGACY)) {
    if (fields[legacy] !== undefined) throw validationError(`Forte does not support the legacy parameter ${legacy}: use ${modern} instead.`);
  }
}

export function requiredString(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string')
    throw validationError(
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

export function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${name} must be a string`);
  return value;
}

export function requiredItem(fields: Fields, name: string): TableItem {
  if (fields[name] === undefined || fields[name] === null)
    throw validationError(`1 validation error detected: Value null at '${name.toLowerCase()}' failed to satisfy constraint: Member must not be null`);
  return normalizeItem(fields[name]);
}

/** DynamoDB's longest expression string: 4 KB of UTF-8 (1 KB = 1024 bytes). */
export const MAX_EXPRESSION_BYTES = 4 * 1024;

/** An expression parameter, refused as DynamoDB refuses it when longer than MAX_EXPRESSION_BYTES. */
function expressionText(fields: Fields, name: string): string | undefined {
  const source = optionalString(fields, name);
  const size = source === undefined ? 0 : Buffer.byteLength(source);
  if (size > MAX_EXPRESSION_BYTES) throw validationError(`Invalid ${name}: Expression size has exceeded the maximum allowed size; expression size: ${size}`);
  return source;
}

/**
 * The expressions of one request, parsed against its shared placeholders; throws DynamoDB's
 * ValidationException for unused or undefined placeholders and syntax errors.
 */
export class RequestExpressions {
  private readonly placeholders: ExpressionPlaceholders;
  private readonly hasNames: boolean;
  private readonly hasValues: boolean;

  constructor(fields: Fields) {
    refuseLegacy(fields);
    const names = fields.ExpressionAttributeNames;
    const values = fields.ExpressionAttributeValues;
    if (names !== undefined && (typeof names !== 'object' || names === null || Object.values(names).some((n) => typeof n !== 'string'))) {
      // Not a map of strings: the request does not deserialize, as DynamoDB answers it.
      throw DYNAMODB_ERRORS.error('SerializationException', 'ExpressionAttributeNames must map #placeholders to attribute names (strings)');
    }
    if (names !== undefined && Object.keys(names).length === 0) throw validationError('ExpressionAttributeNames must not be empty');
    if (names !== undefined)
      for (const [placeholder, name] of Object.entries(names as Record<string, string>)) checkAttributeName(name, ` (ExpressionAttributeNames ${placeholder})`);
    if (values !== undefined && typeof values === 'object' && values !== null && Object.keys(values).length === 0)
      throw validationError('ExpressionAttributeValues must not be empty');
    let parsedValues: TableItem | undefined;
    try {
      parsedValues = values === undefined ? undefined : normalizeItem(values);
    } catch (error) {
      if (isForteError(error) && error.code === 'SerializationException') throw error;
      throw validationError(`ExpressionAttributeValues contains invalid value: ${(error as Error).message}`, error);
    }
    this.placeholders = new ExpressionPlaceholders(names as Record<string, string> | undefined, parsedValues);
    this.hasNames = names !== undefined;
    this.hasValues = values !== undefined;
    const expressions = ['ConditionExpression', 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression', 'UpdateExpression'].filter(
      (f) => fields[f] !== undefined,
    );
    if (expressions.length === 0 && this.hasNames) throw validationError('ExpressionAttributeNames can only be specified when using expressions');
    if (expressions.length === 0 && this.hasValues) throw validationError('ExpressionAttributeValues can only be specified when using expressions');
  }

  condition(fields: Fields, name: 'ConditionExpression' | 'KeyConditionExpression' | 'FilterExpression'): Condition | undefined {
    const source = expressionText(fields, name);
    return source === undefined ? undefined : parseCondition(source, name, this.placeholders, true);
  }

  projection(fields: Fields): Path[] | undefined {
    const source = expressionText(fields, 'ProjectionExpression');
    if (source === undefined) return undefined;
    const paths = parseProjection(source, this.placeholders);
    checkPathOverlaps(paths, 'ProjectionExpression');
    return paths;
  }

  update(fields: Fields): UpdateActions | undefined {
    const source = expressionText(fields, 'UpdateExpression');
    return source === undefined ? undefined : parseUpdate(source, this.placeholders);
  }

  done(): void {
    this.placeholders.assertAllUsed();
  }
}

/** ConditionExpression, ReturnValues and ReturnValuesOnConditionCheckFailure of a write. */
export function writeOptions(fields: Fields, expressions: RequestExpressions): WriteOptions {
  const options: WriteOptions = {};
  const condition = expressions.condition(fields, 'ConditionExpression');
  if (condition) options.condition = condition;
  const returnValues = optionalString(fields, 'ReturnValues');
  if (returnValues !== undefined) {
    if (!['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'].includes(returnValues)) {
      throw validationError(
        `1 validation error detected: Value '${returnValues}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]`,
      );
    }
    options.returnValues = returnValues as WriteOptions['returnValues'];
  }
  const onFailure = optionalString(fields, 'ReturnValuesOnConditionCheckFailure');
  if (onFailure !== undefined && onFailure !== 'ALL_OLD' && onFailure !== 'NONE') {
    throw validationError(
      `1 validation error detected: Value '${onFailure}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
    );
  }
  if (onFailure === 'ALL_OLD') options.returnItemOnConditionFailure = true;
  return options;
}

/** `{Attributes}` when there are any. */
export function attributesOutput(attributes: TableItem | undefined): { Attributes?: TableItem } {
  return attributes ? { Attributes: attributes } : {};
}
