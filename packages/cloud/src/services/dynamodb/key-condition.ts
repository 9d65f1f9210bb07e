import type { AttributeValue } from '../../kernel/types.js';
import { compareValues, typeOf } from './attribute-values.js';
import { validationError } from './errors.js';
import type { Comparator, Condition, Operand } from './expressions/ast.js';
import { encodeKey, encodeKeyPart, escapeKeyBytes, KEY_PART_AFTER, KEY_PART_END, prefixUpperBound } from './key-codec.js';
import type { SortBound } from './table-store.js';
import { hashAttributes, isMultiAttributeKey, rangeAttributes, type KeyAttribute, type KeySchema } from './table-definition.js';

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

/** A key condition on an attribute that is not a key of the table or index (or on a nested path). */
function notAKey(operand: Operand): Error {
  if (operand.kind === 'path' && operand.path.length > 1) return validationError('KeyConditionExpressions cannot contain nested attributes');
  return validationError(`Query key condition not supported: ${keyName(operand) ?? 'the operand'} is not a key attribute of the table or index`);
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
  if (isMultiAttributeKey(key)) return multiAttributeKeyRange(condition, key);
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
        throw notAKey(left);
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

function conjuncts(condition: Condition, out: Condition[] = []): Condition[] {
  if (condition.kind === 'and') {
    conjuncts(condition.left, out);
    conjuncts(condition.right, out);
  } else out.push(condition);
  return out;
}

/** One condition of a key condition on one attribute, its values already checked against its type. */
type KeyPart = { attribute: KeyAttribute; op: Comparator | 'between' | 'begins_with'; values: AttributeValue[] };

/**
 * A key condition on a multi-attribute key (a global secondary index's): an equality on every partition key
 * attribute, and conditions on sort key attributes from left to right in KeySchema order, with no gap,
 * every one an equality except the last, which may be `<`, `<=`, `>`, `>=`, BETWEEN or begins_with.
 * The encoded partition is the partition attributes' parts; sort bounds are on the sort parts' bytes.
 */
function multiAttributeKeyRange(condition: Condition, key: KeySchema): KeyRange {
  const hashes = hashAttributes(key);
  const ranges = rangeAttributes(key);
  const byName = new Map<string, KeyAttribute>([...hashes, ...ranges].map((a) => [a.name, a]));
  const given = new Map<string, KeyPart>();
  const typed = (value: AttributeValue, attribute: KeyAttribute): AttributeValue => {
    if (typeOf(value) !== attribute.type)
      throw validationError(
        `One or more parameter values were invalid: Condition parameter type does not match schema type for key attribute ${attribute.name}`,
      );
    return value;
  };
  const add = (part: KeyPart): void => {
    if (given.has(part.attribute.name)) throw validationError('KeyConditionExpressions must only contain one condition per key');
    given.set(part.attribute.name, part);
  };
  for (const part of conjuncts(condition)) {
    if (part.kind === 'compare') {
      let { op, left, right } = part;
      if (keyName(left) === undefined && keyName(right) !== undefined) [left, right, op] = [right, left, FLIPPED[op]];
      const attribute = byName.get(keyName(left) ?? '');
      if (op === '<>') throw validationError('Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>');
      if (!attribute) throw validationError(`Query condition missed key schema element: ${keyName(left) ?? hashes[0]!.name}`);
      add({ attribute, op, values: [typed(constant(right), attribute)] });
    } else if (part.kind === 'between' && byName.has(keyName(part.operand) ?? '')) {
      const attribute = byName.get(keyName(part.operand)!)!;
      const low = typed(constant(part.low), attribute);
      const high = typed(constant(part.high), attribute);
      if ((compareValues(low, high) ?? 0) > 0) {
        throw validationError(
          `Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(low)}, upper bound operand: AttributeValue: ${JSON.stringify(high)}`,
        );
      }
      add({ attribute, op: 'between', values: [low, high] });
    } else if (part.kind === 'function' && part.name === 'begins_with' && byName.has(keyName(part.args[0]!) ?? '')) {
      const attribute = byName.get(keyName(part.args[0]!)!)!;
      if (attribute.type === 'N')
        throw validationError(
          'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
        );
      add({ attribute, op: 'begins_with', values: [typed(constant(part.args[1]!), attribute)] });
    } else if (part.kind === 'or' || part.kind === 'not' || part.kind === 'in' || part.kind === 'function') {
      throw validationError(`Invalid operator used in KeyConditionExpression: ${part.kind === 'function' ? part.name : part.kind.toUpperCase()}`);
    } else {
      throw validationError(`Query condition missed key schema element: ${hashes[0]!.name}`);
    }
  }
  const partition: Buffer[] = [];
  for (const attribute of hashes) {
    const part = given.get(attribute.name);
    if (!part || part.op !== '=') {
      throw validationError(
        `Query key condition not supported: every HASH key attribute of the index needs an equality condition (=); ${part ? 'not an equality' : 'none'} for ${attribute.name}`,
      );
    }
    partition.push(encodeKeyPart(encodeKey(part.values[0]!)));
  }
  const prefix: Buffer[] = [];
  let bounds: SortBound[] | undefined;
  const rangeRule = (name: string): Error =>
    validationError(
      `Query key condition not supported: RANGE key attributes are given from left to right in KeySchema order, each with an equality condition (=) except the last one given; ${name} breaks this`,
    );
  let stopped = false;
  for (const attribute of ranges) {
    const part = given.get(attribute.name);
    if (!part) {
      stopped = true;
      continue;
    }
    if (stopped || bounds) throw rangeRule(attribute.name);
    const bytes = encodeKey(part.values[0]!);
    const at = Buffer.concat(prefix);
    switch (part.op) {
      case '=':
        prefix.push(encodeKeyPart(bytes));
        break;
      case '<':
        bounds = [
          { op: '>=', value: at },
          { op: '<', value: Buffer.concat([at, escapeKeyBytes(bytes), KEY_PART_END]) },
        ];
        break;
      case '<=':
        bounds = [
          { op: '>=', value: at },
          { op: '<', value: Buffer.concat([at, escapeKeyBytes(bytes), KEY_PART_AFTER]) },
        ];
        break;
      case '>':
        bounds = [{ op: '>=', value: Buffer.concat([at, escapeKeyBytes(bytes), KEY_PART_AFTER]) }];
        break;
      case '>=':
        bounds = [{ op: '>=', value: Buffer.concat([at, escapeKeyBytes(bytes), KEY_PART_END]) }];
        break;
      case 'between':
        bounds = [
          { op: '>=', value: Buffer.concat([at, escapeKeyBytes(bytes), KEY_PART_END]) },
          { op: '<', value: Buffer.concat([at, escapeKeyBytes(encodeKey(part.values[1]!)), KEY_PART_AFTER]) },
        ];
        break;
      case 'begins_with':
        bounds = [{ op: '>=', value: Buffer.concat([at, escapeKeyBytes(bytes)]) }];
        break;
      case '<>':
        throw validationError('Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>');
    }
    // A range on a part stays within the equal parts before it.
    if (bounds && part.op !== '<' && part.op !== '<=' && part.op !== 'between') {
      const upper = prefixUpperBound(part.op === 'begins_with' ? Buffer.concat([at, escapeKeyBytes(bytes)]) : at);
      if (upper) bounds.push({ op: '<', value: upper });
    }
  }
  for (const name of given.keys()) if (!hashes.some((a) => a.name === name) && !ranges.some((a) => a.name === name)) throw rangeRule(name);
  if (!bounds && prefix.length > 0) {
    const at = Buffer.concat(prefix);
    const upper = prefixUpperBound(at);
    bounds = upper
      ? [
          { op: '>=', value: at },
          { op: '<', value: upper },
        ]
      : [{ op: '>=', value: at }];
  }
  return { partition: Buffer.concat(partition), sortBounds: bounds ?? [] };
}
