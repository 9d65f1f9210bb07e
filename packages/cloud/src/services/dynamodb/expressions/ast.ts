import type { AttributeValue } from '../../../kernel/types.js';

/** One step of a document path: a map key / attribute name, or a list index. */
export type PathElement = { name: string } | { index: number };
/** A document path with `#names` already resolved: `a.b[2]` → `[{name:'a'},{name:'b'},{index:2}]`. */
export type Path = PathElement[];

/** An operand of a condition, with `:values` already resolved. */
export type Operand = { kind: 'path'; path: Path } | { kind: 'value'; value: AttributeValue } | { kind: 'size'; path: Path };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ConditionFunction = 'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

/** A condition, filter or key condition expression. */
export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition };

/** The right-hand side of a SET action. */
export type SetValue =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'if_not_exists'; path: Path; fallback: SetValue }
  | { kind: 'list_append'; first: SetValue; second: SetValue }
  | { kind: 'plus' | 'minus'; left: SetValue; right: SetValue };

export interface UpdateActions {
  set: { path: Path; value: SetValue }[];
  remove: Path[];
  add: { path: Path; value: AttributeValue }[];
  delete: { path: Path; value: AttributeValue }[];
}
