import type { AttributeValue, TableItem } from '../../../kernel/types.js';
import { compareValues, valuesEqual } from '../attribute-values.js';
import type { Condition, Operand, Path } from './ast.js';
import { evaluateCondition } from './evaluate.js';

/** A filter as a function of the item. */
export type ItemTest = (item: TableItem) => boolean;

type Value = (item: TableItem) => AttributeValue | undefined;

/** Compiled tests of the conditions seen, while the condition lives (read conditions are parsed once and kept). */
const compiledTests = new WeakMap<Condition, ItemTest>();

/**
 * `condition` compiled once into a function of the item: what a read's filter runs on every item it reads
 * (a list under an owner rule tests the owner of each item). It answers exactly what `evaluateCondition`
 * answers, and throws where it throws, for every item: the same operands in the same order, stopping at the
 * same point. What is compiled is the structure (AND/OR chains, NOT), the comparisons and the existence
 * checks of attributes named at the top level, and equality with a constant string (the owner and group
 * alternatives of an auth filter); every other node (BETWEEN, IN, functions on values, `size()`, nested
 * paths) runs `evaluateCondition` on that node, so its semantics live in one place.
 */
export function compiledCondition(condition: Condition): ItemTest {
  let test = compiledTests.get(condition);
  if (!test) compiledTests.set(condition, (test = compile(condition)));
  return test;
}

function compile(condition: Condition): ItemTest {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return compileChain(condition);
    case 'not': {
      const inner = compile(condition.condition);
      return (item) => !inner(item);
    }
    case 'compare':
      return compileCompare(condition) ?? interpreted(condition);
    case 'function': {
      const [arg] = condition.args;
      const get = arg && (condition.name === 'attribute_exists' || condition.name === 'attribute_not_exists') ? valueOf(arg) : undefined;
      if (!get) return interpreted(condition);
      return condition.name === 'attribute_exists' ? (item) => get(item) !== undefined : (item) => get(item) === undefined;
    }
    default:
      return interpreted(condition);
  }
}

const interpreted =
  (condition: Condition): ItemTest =>
  (item) =>
    evaluateCondition(item, condition);

/**
 * `a OR b OR c …` parses left-deep, as deep as the chain is long: its spine is walked in a loop (as
 * `evaluateChain` walks it) into one list of tests, run left to right until one decides.
 */
function compileChain(chain: Extract<Condition, { kind: 'and' | 'or' }>): ItemTest {
  const rights: Condition[] = [];
  let node: Condition = chain;
  while (node.kind === chain.kind) {
    rights.push(node.right);
    node = node.left;
  }
  const tests = [compile(node)];
  for (let i = rights.length - 1; i >= 0; i--) tests.push(compile(rights[i]!));
  const count = tests.length;
  if (chain.kind === 'or') {
    return (item) => {
      for (let i = 0; i < count; i++) if (tests[i]!(item)) return true;
      return false;
    };
  }
  return (item) => {
    for (let i = 0; i < count; i++) if (!tests[i]!(item)) return false;
    return true;
  };
}

/** An operand read without `evaluateCondition`'s general path walk: a constant or a top-level attribute. */
function valueOf(operand: Operand): Value | undefined {
  if (operand.kind === 'value') {
    const value = operand.value;
    return () => value;
  }
  if (operand.kind === 'path') return pathValue(operand.path);
  return undefined;
}

function pathValue(path: Path): Value | undefined {
  const first = path[0];
  if (path.length !== 1 || !first || !('name' in first)) return undefined;
  const name = first.name;
  return (item) => (Object.hasOwn(item, name) ? item[name] : undefined);
}

function compileCompare(condition: Extract<Condition, { kind: 'compare' }>): ItemTest | undefined {
  const { op, left, right } = condition;
  if (op === '=' || op === '<>') {
    const equal = compileEquality(left, right);
    if (!equal) return undefined;
    return op === '=' ? equal : (item) => !equal(item);
  }
  const l = valueOf(left);
  const r = valueOf(right);
  if (!l || !r) return undefined;
  const holds = op === '<' ? (o: number) => o < 0 : op === '<=' ? (o: number) => o <= 0 : op === '>' ? (o: number) => o > 0 : (o: number) => o >= 0;
  return (item) => {
    const a = l(item);
    const b = r(item);
    const order = a && b ? compareValues(a, b) : undefined;
    return order !== undefined && holds(order);
  };
}

/** `left = right` as `evaluateCondition` answers it (both present and `valuesEqual`). */
function compileEquality(left: Operand, right: Operand): ItemTest | undefined {
  const l = valueOf(left);
  const r = valueOf(right);
  if (!l || !r) return undefined;
  // An attribute against a constant string (an auth filter's alternative): `valuesEqual` answers true only
  // for a string value equal to it, whatever the attribute holds (absent, NULL, a number, a list, a set…).
  if (left.kind === 'path' && right.kind === 'value' && 'S' in right.value && Object.keys(right.value).length === 1) {
    const s = right.value.S;
    return (item) => {
      const a = l(item);
      return a !== undefined && 'S' in a && a.S === s;
    };
  }
  return (item) => {
    const a = l(item);
    const b = r(item);
    return a !== undefined && b !== undefined && valuesEqual(a, b);
  };
}
