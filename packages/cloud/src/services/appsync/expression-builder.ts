import type { TableExpression, TableItem } from '../../kernel/types.js';
import { AppSyncFieldError } from './field-error.js';
import type { ReadableWhen } from './field-visibility.js';
import { toAttributeValue } from './item-values.js';

const ATTRIBUTE_TYPES: Record<string, string> = {
  binary: 'B',
  binarySet: 'BS',
  bool: 'BOOL',
  list: 'L',
  map: 'M',
  number: 'N',
  numberSet: 'NS',
  string: 'S',
  stringSet: 'SS',
  _null: 'NULL',
};
/** Up to this many placeholders, `expression` looks each up in the text instead of scanning the text for all. */
const FEW_PLACEHOLDERS = 16;
const PLACEHOLDER_CHAR = /[0-9A-Za-z_]/;

/** Whether `text` holds `placeholder` as a whole placeholder (`#f1` is not in `#f10 = :f0`). */
function holdsPlaceholder(text: string, placeholder: string): boolean {
  for (let at = text.indexOf(placeholder); at !== -1; at = text.indexOf(placeholder, at + 1)) {
    const after = text[at + placeholder.length];
    if (after === undefined || !PLACEHOLDER_CHAR.test(after)) return true;
  }
  return false;
}

const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', le: '<=', lt: '<', ge: '>=', gt: '>' };

/** Collects `#name` and `:value` placeholders for one DynamoDB expression. */
export class ExpressionBuilder {
  private readonly names = new Map<string, string>();
  /** Attribute → its placeholder, so a name used by many conditions is found in constant time. */
  private readonly placeholderOf = new Map<string, string>();
  private readonly values = new Map<string, TableItem[string]>();

  constructor(private readonly prefix: string) {}

  name(attribute: string): string {
    const existing = this.placeholderOf.get(attribute);
    if (existing) return existing;
    const placeholder = `#${this.prefix}${this.names.size}`;
    this.names.set(placeholder, attribute);
    this.placeholderOf.set(attribute, placeholder);
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:${this.prefix}${this.values.size}`;
    this.values.set(placeholder, toAttributeValue(value));
    return placeholder;
  }

  /**
   * The expression with the placeholders it uses (the table refuses unused ones, as DynamoDB does). With
   * few placeholders (the usual key condition or auth filter) each is looked up in the text; with many, the
   * text is scanned once for every placeholder it holds: linear in its length, however many there are.
   */
  expression(text: string): TableExpression {
    const few = this.names.size + this.values.size <= FEW_PLACEHOLDERS;
    const usedInText = few ? undefined : new Set(text.match(/[#:][0-9A-Za-z_]+/g));
    const used = (placeholder: string): boolean => (usedInText ? usedInText.has(placeholder) : holdsPlaceholder(text, placeholder));
    const out: TableExpression = { expression: text };
    for (const [placeholder, attribute] of this.names) if (used(placeholder)) (out.names ??= {})[placeholder] = attribute;
    for (const [placeholder, value] of this.values) if (used(placeholder)) (out.values ??= {})[placeholder] = value;
    return out;
  }

  /**
   * `$util.transform.toDynamoDBFilterExpression`: a `Model<X>FilterInput` / `ConditionInput` as a DynamoDB
   * condition (`and`/`or` arrays, `not`, and per field eq/ne/le/lt/ge/gt/between/beginsWith/contains/
   * notContains/attributeExists/attributeType/size/in/notIn). Undefined for an empty filter.
   * `readableWhen` (from `checkFieldUse`) confines the conditions on each field to the items that let the
   * caller read it; every filter and condition a caller sends passes through it.
   */
  filter(input: Record<string, unknown> | null | undefined, readableWhen: ReadableWhen): string | undefined {
    if (!input) return undefined;
    const parts: string[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined || value === null) continue;
      if (key === 'and' || key === 'or') {
        const items = (Array.isArray(value) ? value : [value])
          .map((v) => this.filter(v as Record<string, unknown>, readableWhen))
          .filter((p): p is string => p !== undefined);
        if (items.length > 0) parts.push(`(${items.join(key === 'and' ? ' AND ' : ' OR ')})`);
      } else if (key === 'not') {
        const inner = this.filter(value as Record<string, unknown>, readableWhen);
        if (inner) parts.push(`(NOT ${inner})`);
      } else {
        const conditions = this.fieldConditions(key, value as Record<string, unknown>);
        const readable = conditions.length > 0 ? readableWhen(key) : undefined;
        parts.push(...(readable ? conditions.map((c) => `(${readable} AND ${c})`) : conditions));
      }
    }
    return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
  }

  private fieldConditions(field: string, ops: Record<string, unknown>): string[] {
    if (typeof ops !== 'object' || Array.isArray(ops))
      throw new AppSyncFieldError('ValidationError', `The filter on ${field} must be an object of operators (eq, ne, …).`);
    const path = this.name(field);
    const out: string[] = [];
    for (const [op, value] of Object.entries(ops)) {
      if (value === undefined) continue;
      if (op in COMPARISONS) {
        out.push(
          value === null && (op === 'eq' || op === 'ne')
            ? op === 'eq'
              ? `(attribute_not_exists(${path}) OR ${path} = ${this.value(null)})`
              : `(attribute_exists(${path}) AND ${path} <> ${this.value(null)})`
            : `${path} ${COMPARISONS[op]} ${this.value(value)}`,
        );
      } else if (op === 'between') {
        if (!Array.isArray(value) || value.length !== 2) throw new AppSyncFieldError('ValidationError', `between on ${field} needs two values.`);
        out.push(`${path} BETWEEN ${this.value(value[0])} AND ${this.value(value[1])}`);
      } else if (op === 'beginsWith') {
        out.push(`begins_with(${path}, ${this.value(value)})`);
      } else if (op === 'contains') {
        out.push(`contains(${path}, ${this.value(value)})`);
      } else if (op === 'notContains') {
        out.push(`(NOT contains(${path}, ${this.value(value)}))`);
      } else if (op === 'attributeExists') {
        out.push(value ? `attribute_exists(${path})` : `attribute_not_exists(${path})`);
      } else if (op === 'attributeType') {
        out.push(`attribute_type(${path}, ${this.value(ATTRIBUTE_TYPES[String(value)] ?? String(value))})`);
      } else if (op === 'size') {
        for (const [sizeOp, sizeValue] of Object.entries(value as Record<string, unknown>)) {
          if (sizeValue === undefined || sizeValue === null) continue;
          if (sizeOp === 'between' && Array.isArray(sizeValue)) out.push(`size(${path}) BETWEEN ${this.value(sizeValue[0])} AND ${this.value(sizeValue[1])}`);
          else if (sizeOp in COMPARISONS) out.push(`size(${path}) ${COMPARISONS[sizeOp]} ${this.value(sizeValue)}`);
        }
      } else if (op === 'in' || op === 'notIn') {
        const list = Array.isArray(value) ? value : [value];
        const any =
          list.length === 0
            ? `(attribute_exists(${path}) AND attribute_not_exists(${path}))`
            : `(${list.map((v) => `${path} = ${this.value(v)}`).join(' OR ')})`;
        out.push(op === 'in' ? any : `(NOT ${any})`);
      } else {
        throw new AppSyncFieldError('ValidationError', `Unknown filter operator ${op} on ${field}.`);
      }
    }
    return out;
  }
}
