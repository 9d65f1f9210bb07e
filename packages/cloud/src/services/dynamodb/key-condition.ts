import type { AttributeValue } from '../../kernel/types.js';
import { compareValues, typeOf } from './attribute-values.js';
import { validationError } from './errors.js';
import type { Comparator, Condition, Operand } from './expressions/ast.js';
import { encodeKey, prefixUpperBound } from './key-codec.js';
import type { SortBound } from './table-store.js';
import type { KeySchema } from './table-definition.js';

/** A key condition as a range of rows: one partition, and bounds on the sort key. */
export interface KeyRange {
  partition: Buffer;
  sortBounds: SortBound[];
}

const FLIPPED: Record<Comparator, Comparator> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function keyName(operand: Operand): string | undefined {
  const first = operand.kind === 'path' && operand.path.length === 1 ? operand.path[0] : undefined;
  return first && 'name' in first ? first.name : undefined;
}

function constant(operand: Operand): AttributeValue {
  if (operand.kind !== 'value') throw validationError('Invalid KeyConditionExpression: a key condition compares a key attribute with a value');
  return operand.value;
}

/**
 * Turns a KeyConditionExpression into a row range: `hash = :v` and at most one condition on the sort key
 * (`=`, `<`, `<=`, `>`, `>=`, BETWEEN, begins_with), with DynamoDB's messages for anything else.
 */
export function keyRange(condition: Condition, key: KeySchema): KeyRange {
  const parts = condition.kind === 'and' ? [condition.left, condition.right] : [condition];
  let partition: Buffer | undefined;
  let sortBounds: SortBound[] | undefined;
  const typed = (value: AttributeValue, type: string): AttributeValue => {
    if (typeOf(value) !== type) throw validationError('One or more parameter values were invalid: Condition parameter type does not match schema type');
    return value;
  };
  const setSort = (bounds: SortBound[]): void => {
    if (sortBounds) throw validationError('KeyConditionExpressions must only contain one condition per key');
    sortBounds = bounds;
  };
  for (const part of parts) {
    if (part.kind === 'compare') {
      let { op, left, right } = part;
      if (keyName(left) === undefined && keyName(right) !== undefined) [left, right, op] = [right, left, FLIPPED[op]];
      const name = keyName(left);
      if (op === '<>') throw validationError('Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>');
      if (name === key.hash.name) {
        if (op !== '=') throw validationError('Query key condition not supported');
        if (partition) throw validationError('KeyConditionExpressions must only contain one condition per key');
        partition = encodeKey(typed(constant(right), key.hash.type));
      } else if (key.range && name === key.range.name) {
        const value = encodeKey(typed(constant(right), key.range.type));
        setSort(
          op === '='
            ? [
                { op: '>=', value },
                { op: '<=', value },
              ]
            : [{ op, value }],
        );
      } else {
        throw validationError(`Query condition missed key schema element: ${key.hash.name}`);
      }
    } else if (part.kind === 'between' && key.range && keyName(part.operand) === key.range.name) {
      const low = typed(constant(part.low), key.range.type);
      const high = typed(constant(part.high), key.range.type);
      if ((compareValues(low, high) ?? 0) > 0) {
        throw validationError(
          `Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(low)}, upper bound operand: AttributeValue: ${JSON.stringify(high)}`,
        );
      }
      setSort([
        { op: '>=', value: encodeKey(low) },
        { op: '<=', value: encodeKey(high) },
      ]);
    } else if (part.kind === 'function' && part.name === 'begins_with' && key.range && keyName(part.args[0]!) === key.range.name) {
      if (key.range.type === 'N')
        throw validationError(
          'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
        );
      const prefix = encodeKey(typed(constant(part.args[1]!), key.range.type));
      const upper = prefixUpperBound(prefix);
      setSort(
        upper
          ? [
              { op: '>=', value: prefix },
              { op: '<', value: upper },
            ]
          : [{ op: '>=', value: prefix }],
      );
    } else if (part.kind === 'and' || part.kind === 'or' || part.kind === 'not' || part.kind === 'in' || part.kind === 'function') {
      throw validationError(`Invalid operator used in KeyConditionExpression: ${part.kind === 'function' ? part.name : part.kind.toUpperCase()}`);
    } else {
      throw validationError(`Query condition missed key schema element: ${key.range?.name ?? key.hash.name}`);
    }
  }
  if (!partition) throw validationError(`Query condition missed key schema element: ${key.hash.name}`);
  return { partition, sortBounds: sortBounds ?? [] };
}
