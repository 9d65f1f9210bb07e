/**
 * The `filter: ModelSubscription<Model>FilterInput` argument of a subscription, as a predicate over the
 * changed item (AppSync's enhanced subscription filtering): field conditions (`eq`, `ne`, `le`, `lt`, `ge`,
 * `gt`, `contains`, `notContains`, `between`, `beginsWith`, `in`, `notIn`, `attributeExists`), several in
 * one object all hold, and `and` / `or` / `not` combine filters.
 */

export type SubscriptionFilter = Record<string, unknown>;

/** A filter that names an unknown operator or a malformed operand: answered as a validation error. */
export class SubscriptionFilterError extends Error {
  override readonly name = 'SubscriptionFilterError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isMissing = (value: unknown): boolean => value === undefined || value === null;

/** Strings with strings, numbers with numbers: anything else never compares (like DynamoDB). */
const compare = (a: unknown, b: unknown): number | undefined => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
};

const equals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => equals(a[k], b[k]));
  }
  return false;
};

const contains = (value: unknown, operand: unknown): boolean => {
  if (typeof value === 'string' && typeof operand === 'string') return value.includes(operand);
  if (Array.isArray(value)) return value.some((x) => equals(x, operand));
  return false;
};

const listOperand = (operator: string, operand: unknown): unknown[] => {
  if (!Array.isArray(operand)) throw new SubscriptionFilterError(`The ${operator} operator takes a list.`);
  return operand;
};

/** One operator of a field condition against the item's value of that field. */
function holds(operator: string, value: unknown, operand: unknown): boolean {
  switch (operator) {
    case 'eq':
      return equals(value, operand);
    case 'ne':
      return !equals(value, operand);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const c = compare(value, operand);
      if (c === undefined) return false;
      return operator === 'lt' ? c < 0 : operator === 'le' ? c <= 0 : operator === 'gt' ? c > 0 : c >= 0;
    }
    case 'contains':
      return contains(value, operand);
    case 'notContains':
      return !contains(value, operand);
    case 'between': {
      const range = listOperand(operator, operand);
      if (range.length !== 2) throw new SubscriptionFilterError('The between operator takes exactly two values.');
      const low = compare(value, range[0]);
      const high = compare(value, range[1]);
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'beginsWith':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'in':
      return listOperand(operator, operand).some((x) => equals(value, x));
    case 'notIn':
      return !listOperand(operator, operand).some((x) => equals(value, x));
    case 'attributeExists':
      if (typeof operand !== 'boolean') throw new SubscriptionFilterError('The attributeExists operator takes a boolean.');
      return isMissing(value) !== operand;
    default:
      throw new SubscriptionFilterError(`The filter operator ${operator} is not supported.`);
  }
}

/** Whether `item` passes `filter`. An absent or empty filter passes everything. Throws SubscriptionFilterError. */
export function matchesSubscriptionFilter(filter: SubscriptionFilter | null | undefined, item: Record<string, unknown>): boolean {
  if (!filter) return true;
  for (const [key, condition] of Object.entries(filter)) {
    if (condition === undefined || condition === null) continue; // an unset input field (`and: null`) filters nothing
    if (key === 'and' || key === 'or') {
      const parts = (Array.isArray(condition) ? condition : [condition]).filter(isRecord);
      const ok =
        key === 'and' ? parts.every((p) => matchesSubscriptionFilter(p, item)) : parts.length === 0 || parts.some((p) => matchesSubscriptionFilter(p, item));
      if (!ok) return false;
    } else if (key === 'not') {
      if (!isRecord(condition)) throw new SubscriptionFilterError('The not operator takes a filter.');
      if (matchesSubscriptionFilter(condition, item)) return false;
    } else {
      if (!isRecord(condition)) throw new SubscriptionFilterError(`The condition on ${key} must be an object of operators.`);
      for (const [operator, operand] of Object.entries(condition)) {
        if (operand === undefined || operand === null) continue;
        if (!holds(operator, item[key], operand)) return false;
      }
    }
  }
  return true;
}

const OPERATORS = new Set(['eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'between', 'beginsWith', 'in', 'notIn', 'attributeExists']);

/** Checks a filter's operators and operands once, when the subscription starts (errors then, not per event). */
export function validateSubscriptionFilter(filter: SubscriptionFilter | null | undefined): void {
  if (!filter) return;
  for (const [key, condition] of Object.entries(filter)) {
    if (condition === undefined || condition === null) continue;
    if (key === 'and' || key === 'or') {
      for (const part of Array.isArray(condition) ? condition : [condition]) if (isRecord(part)) validateSubscriptionFilter(part);
    } else if (key === 'not') {
      if (!isRecord(condition)) throw new SubscriptionFilterError('The not operator takes a filter.');
      validateSubscriptionFilter(condition);
    } else {
      if (!isRecord(condition)) throw new SubscriptionFilterError(`The condition on ${key} must be an object of operators.`);
      for (const [operator, operand] of Object.entries(condition)) {
        if (!OPERATORS.has(operator)) throw new SubscriptionFilterError(`The filter operator ${operator} is not supported.`);
        if (operand !== undefined && operand !== null) holds(operator, undefined, operand); // throws on a malformed operand
      }
    }
  }
}
