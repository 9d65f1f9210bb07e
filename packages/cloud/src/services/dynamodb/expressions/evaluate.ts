import type { AttributeValue, TableItem } from '../../../kernel/types.js';
import { compareValues, typeOf, valuesEqual } from '../attribute-values.js';
import { validationError } from '../errors.js';
import type { Condition, Operand, Path } from './ast.js';

/** The value at `path` in `item`, or undefined when any step is missing or of the wrong kind. */
export function resolvePath(item: TableItem, path: Path): AttributeValue | undefined {
  const [first, ...rest] = path;
  if (!first || !('name' in first)) return undefined;
  let current: AttributeValue | undefined = Object.hasOwn(item, first.name) ? item[first.name] : undefined;
  for (const step of rest) {
    if (!current) return undefined;
    if ('name' in step) current = 'M' in current && Object.hasOwn(current.M, step.name) ? current.M[step.name] : undefined;
    else current = 'L' in current ? current.L[step.index] : undefined;
  }
  return current;
}

function sizeOf(value: AttributeValue | undefined): AttributeValue | undefined {
  if (!value) return undefined;
  if ('S' in value) return { N: String([...value.S].length) };
  if ('B' in value) return { N: String(Buffer.from(value.B, 'base64').length) };
  if ('SS' in value) return { N: String(value.SS.length) };
  if ('NS' in value) return { N: String(value.NS.length) };
  if ('BS' in value) return { N: String(value.BS.length) };
  if ('L' in value) return { N: String(value.L.length) };
  if ('M' in value) return { N: String(Object.keys(value.M).length) };
  return undefined;
}

function operandValue(item: TableItem, operand: Operand): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path':
      return resolvePath(item, operand.path);
    case 'size':
      return sizeOf(resolvePath(item, operand.path));
  }
}

/** Evaluates a condition or filter on an item (an empty object for an item that does not exist). */
export function evaluateCondition(item: TableItem, condition: Condition): boolean {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return evaluateChain(item, condition);
    case 'not':
      return !evaluateCondition(item, condition.condition);
    case 'compare': {
      const left = operandValue(item, condition.left);
      const right = operandValue(item, condition.right);
      if (condition.op === '=' || condition.op === '<>') {
        const equal = left !== undefined && right !== undefined && valuesEqual(left, right);
        return condition.op === '=' ? equal : !equal;
      }
      const order = left && right ? compareValues(left, right) : undefined;
      if (order === undefined) return false;
      switch (condition.op) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
      }
      return false;
    }
    case 'between': {
      const value = operandValue(item, condition.operand);
      const low = operandValue(item, condition.low);
      const high = operandValue(item, condition.high);
      if (!value || !low || !high) return false;
      const bounds = compareValues(low, high);
      if (bounds !== undefined && bounds > 0) {
        throw validationError(
          `Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(low)}, upper bound operand: AttributeValue: ${JSON.stringify(high)}`,
        );
      }
      const fromLow = compareValues(value, low);
      const toHigh = compareValues(value, high);
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case 'in': {
      const value = operandValue(item, condition.operand);
      return (
        value !== undefined &&
        condition.list.some((candidate) => {
          const other = operandValue(item, candidate);
          return other !== undefined && valuesEqual(value, other);
        })
      );
    }
    case 'function':
      return evaluateFunction(
        condition.name,
        condition.args.map((arg) => operandValue(item, arg)),
      );
  }
}

/**
 * `a OR b OR c …` parses left-deep, as deep as the chain is long: its spine is walked in a loop, so a long
 * chain needs no deep recursion. Operands are evaluated left to right and stop as soon as the answer is known.
 */
function evaluateChain(item: TableItem, chain: Extract<Condition, { kind: 'and' | 'or' }>): boolean {
  const rights: Condition[] = [];
  let node: Condition = chain;
  while (node.kind === chain.kind) {
    rights.push(node.right);
    node = node.left;
  }
  const decisive = chain.kind === 'or';
  if (evaluateCondition(item, node) === decisive) return decisive;
  for (let i = rights.length - 1; i >= 0; i--) if (evaluateCondition(item, rights[i]!) === decisive) return decisive;
  return !decisive;
}

function evaluateFunction(name: string, args: (AttributeValue | undefined)[]): boolean {
  const [first, second] = args;
  switch (name) {
    case 'attribute_exists':
      return first !== undefined;
    case 'attribute_not_exists':
      return first === undefined;
    case 'attribute_type':
      return first !== undefined && second !== undefined && 'S' in second && typeOf(first) === second.S;
    case 'begins_with':
      if (!first || !second) return false;
      if ('S' in first && 'S' in second) return first.S.startsWith(second.S);
      if ('B' in first && 'B' in second) {
        const whole = Buffer.from(first.B, 'base64');
        const prefix = Buffer.from(second.B, 'base64');
        return whole.subarray(0, prefix.length).equals(prefix);
      }
      return false;
    case 'contains':
      if (!first || !second) return false;
      if ('S' in first && 'S' in second) return first.S.includes(second.S);
      if ('B' in first && 'B' in second) return Buffer.from(first.B, 'base64').includes(Buffer.from(second.B, 'base64'));
      if ('SS' in first && 'S' in second) return first.SS.includes(second.S);
      if ('NS' in first && 'N' in second) return first.NS.includes(second.N);
      if ('BS' in first && 'B' in second) return first.BS.some((b) => valuesEqual({ B: b }, second));
      if ('L' in first) return first.L.some((element) => valuesEqual(element, second));
      return false;
    default:
      throw new Error(`unknown condition function ${name}`);
  }
}

/**
 * The item reduced to `paths` (ProjectionExpression): nested maps keep their structure, list elements are
 * gathered in the order asked for, as DynamoDB does. Missing paths are left out.
 */
export function projectItem(item: TableItem, paths: Path[]): TableItem {
  const out: TableItem = {};
  for (const path of paths) {
    const value = resolvePath(item, path);
    if (value === undefined) continue;
    const first = path[0]!;
    if (!('name' in first)) continue;
    if (path.length === 1) {
      out[first.name] = structuredClone(value);
      continue;
    }
    let container: AttributeValue | undefined = out[first.name];
    const original = item[first.name]!;
    if (!container) container = out[first.name] = 'M' in original ? { M: {} } : { L: [] };
    let source: AttributeValue = original;
    for (let i = 1; i < path.length; i++) {
      const step = path[i]!;
      const last = i === path.length - 1;
      const child: AttributeValue = 'name' in step ? (source as { M: TableItem }).M[step.name]! : (source as { L: AttributeValue[] }).L[step.index]!;
      const next: AttributeValue = last ? structuredClone(child) : 'M' in child ? { M: {} } : { L: [] };
      if ('M' in container && 'name' in step) {
        container = container.M[step.name] ??= next;
      } else if ('L' in container) {
        container.L.push(next);
        container = next;
      }
      source = child;
    }
  }
  return out;
}

/** The top-level attribute names a condition reads (the first element of each of its paths). */
export function conditionAttributeNames(condition: Condition, out: string[] = []): string[] {
  const operand = (o: Operand): void => {
    if (o.kind === 'value') return;
    const first = o.path[0];
    if (first && 'name' in first) out.push(first.name);
  };
  switch (condition.kind) {
    case 'compare':
      operand(condition.left);
      operand(condition.right);
      break;
    case 'between':
      [condition.operand, condition.low, condition.high].forEach(operand);
      break;
    case 'in':
      [condition.operand, ...condition.list].forEach(operand);
      break;
    case 'function':
      condition.args.forEach(operand);
      break;
    case 'and':
    case 'or':
      conditionAttributeNames(condition.left, out);
      conditionAttributeNames(condition.right, out);
      break;
    case 'not':
      conditionAttributeNames(condition.condition, out);
      break;
  }
  return out;
}
