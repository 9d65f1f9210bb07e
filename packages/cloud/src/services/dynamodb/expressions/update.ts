import type { AttributeValue, TableItem } from '../../../kernel/types.js';
import { validationError } from '../errors.js';
import { addDecimals, formatNumber, negateDecimal, parseNumber } from '../number.js';
import type { Path, SetValue, UpdateActions } from './ast.js';
import { resolvePath } from './evaluate.js';

const INVALID_PATH = 'The document path provided in the update expression is invalid for update';
const WRONG_TYPE = 'An operand in the update expression has an incorrect data type';

/**
 * Applies an UpdateExpression to a copy of `item` (an empty object for a new item). Every SET operand is
 * read from the item as it was before the update, as DynamoDB does. Answers the new item and the names of
 * the top-level attributes the update touched (for UPDATED_OLD / UPDATED_NEW).
 */
export function applyUpdate(item: TableItem, actions: UpdateActions, exists = true): { item: TableItem; touched: string[] } {
  const next = structuredClone(item);
  const values = actions.set.map((action) => computeValue(item, action.value));
  // List elements set past the end are appended in index order, whatever the order of the actions (the
  // paths of one update never overlap, so only appends to one list depend on the order).
  const order = actions.set.map((_, i) => i);
  const lastIndex = (i: number): number | undefined => {
    const last = actions.set[i]!.path[actions.set[i]!.path.length - 1]!;
    return 'index' in last ? last.index : undefined;
  };
  order.sort((a, b) => (lastIndex(a) ?? -1) - (lastIndex(b) ?? -1) || a - b);
  for (const i of order) setAt(next, actions.set[i]!.path, values[i]!);
  // Removing list elements by index: highest first, so earlier removals do not shift later ones.
  const removals = [...actions.remove].sort((a, b) => {
    const x = a[a.length - 1]!;
    const y = b[b.length - 1]!;
    return 'index' in x && 'index' in y ? y.index - x.index : 0;
  });
  for (const path of removals) removeAt(next, path, exists);
  for (const { path, value } of actions.add) setAt(next, path, addValue(resolvePath(next, path), value));
  for (const { path, value } of actions.delete) {
    const remaining = deleteFromSet(resolvePath(next, path), value);
    if (remaining) setAt(next, path, remaining);
    else removeAt(next, path);
  }
  const touched = new Set<string>();
  for (const path of [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)]) {
    const first = path[0];
    if (first && 'name' in first) touched.add(first.name);
  }
  return { item: next, touched: [...touched] };
}

function computeValue(item: TableItem, value: SetValue): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const found = resolvePath(item, value.path);
      if (!found) throw validationError('The provided expression refers to an attribute that does not exist in the item');
      return found;
    }
    case 'if_not_exists':
      return resolvePath(item, value.path) ?? computeValue(item, value.fallback);
    case 'list_append': {
      const first = computeValue(item, value.first);
      const second = computeValue(item, value.second);
      if (!('L' in first) || !('L' in second)) throw validationError(WRONG_TYPE);
      return { L: [...first.L, ...second.L] };
    }
    case 'plus':
    case 'minus': {
      const left = computeValue(item, value.left);
      const right = computeValue(item, value.right);
      if (!('N' in left) || !('N' in right)) throw validationError(WRONG_TYPE);
      const r = parseNumber(right.N);
      return { N: formatNumber(addDecimals(parseNumber(left.N), value.kind === 'plus' ? r : negateDecimal(r))) };
    }
  }
}

function addValue(current: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if ('N' in value) {
    if (current && !('N' in current)) throw validationError(WRONG_TYPE);
    return { N: formatNumber(addDecimals(parseNumber(current?.N ?? '0'), parseNumber(value.N))) };
  }
  for (const type of ['SS', 'NS', 'BS'] as const) {
    if (type in value) {
      const adding = (value as Record<string, string[]>)[type]!;
      if (!current) return { [type]: [...adding] } as AttributeValue;
      if (!(type in current)) throw validationError(WRONG_TYPE);
      const existing = (current as Record<string, string[]>)[type]!;
      return { [type]: [...existing, ...adding.filter((e) => !existing.includes(e))] } as AttributeValue;
    }
  }
  throw validationError(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${Object.keys(value)[0]}`);
}

function deleteFromSet(current: AttributeValue | undefined, value: AttributeValue): AttributeValue | undefined {
  for (const type of ['SS', 'NS', 'BS'] as const) {
    if (type in value) {
      if (!current) return undefined;
      if (!(type in current)) throw validationError(WRONG_TYPE);
      const removing = new Set((value as Record<string, string[]>)[type]);
      const left = (current as Record<string, string[]>)[type]!.filter((e) => !removing.has(e));
      return left.length > 0 ? ({ [type]: left } as AttributeValue) : undefined;
    }
  }
  throw validationError(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: ${Object.keys(value)[0]}`);
}

/** The container holding the last step of `path` (the item for a top-level name); throws when missing. */
function parentOf(item: TableItem, path: Path): TableItem | AttributeValue[] {
  if (path.length === 1) return item;
  const parent = resolvePath(item, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (parent && 'name' in last && 'M' in parent) return parent.M;
  if (parent && 'index' in last && 'L' in parent) return parent.L;
  throw validationError(INVALID_PATH);
}

function setAt(item: TableItem, path: Path, value: AttributeValue): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (!('index' in last)) throw validationError(INVALID_PATH);
    if (last.index >= parent.length) parent.push(value);
    else parent[last.index] = value;
  } else {
    if (!('name' in last)) throw validationError(INVALID_PATH);
    parent[last.name] = value;
  }
}

/**
 * Removes what `path` names; nothing there is a no-op, but a path through a missing or non-document
 * attribute is refused as DynamoDB refuses it (except on an item that does not exist: `strict` false).
 */
function removeAt(item: TableItem, path: Path, strict = true): void {
  let parent: TableItem | AttributeValue[];
  try {
    parent = parentOf(item, path);
  } catch (error) {
    if (strict) throw error;
    return;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && 'index' in last) parent.splice(last.index, 1);
  else if (!Array.isArray(parent) && 'name' in last) delete parent[last.name];
}
