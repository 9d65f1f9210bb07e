import type { AttributeValue, TableItem } from '../../../kernel/types.js';
import { validationError } from '../errors.js';
import type { Comparator, Condition, ConditionFunction, Operand, Path, SetValue, UpdateActions } from './ast.js';
import { RESERVED_WORDS } from './reserved-words.js';
import { syntaxError, tokenize, type Token } from './tokenizer.js';

/**
 * The `#name` and `:value` placeholders of one request, shared by all its expressions: DynamoDB refuses a
 * request that defines a placeholder none of its expressions uses, or uses one it does not define.
 */
export class ExpressionPlaceholders {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  /** `values` must be normalised already (normalizeItem). */
  constructor(
    private readonly names: Record<string, string> = {},
    private readonly values: TableItem = {},
  ) {}

  name(placeholder: string): string {
    const name = Object.hasOwn(this.names, placeholder) ? this.names[placeholder] : undefined;
    if (name === undefined) throw validationError(`An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`);
    this.usedNames.add(placeholder);
    return name;
  }

  value(placeholder: string): AttributeValue {
    const value = Object.hasOwn(this.values, placeholder) ? this.values[placeholder] : undefined;
    if (value === undefined) throw validationError(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    this.usedValues.add(placeholder);
    return value;
  }

  /** Throws DynamoDB's ValidationException for placeholders that were given but never used. */
  assertAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((n) => !this.usedNames.has(n));
    if (unusedNames.length > 0) throw validationError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    const unusedValues = Object.keys(this.values).filter((v) => !this.usedValues.has(v));
    if (unusedValues.length > 0) throw validationError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const CONDITION_FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);
const ATTRIBUTE_TYPES = new Set(['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M']);

/**
 * Deepest nesting of parentheses, NOT and function calls the parser follows. DynamoDB documents none beyond
 * the 4 KB of an expression; the parser is recursive, so it refuses nesting this deep rather than let a
 * `((((…` expression exhaust the stack. Real expressions nest a few levels.
 */
export const MAX_EXPRESSION_NESTING = 256;

/** Recursive-descent parser over the tokens of one expression. */
class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private nesting = 0;

  constructor(
    private readonly source: string,
    private readonly kind: string,
    private readonly placeholders: ExpressionPlaceholders,
    /** Refuse redundant parentheses, as DynamoDB's API does (expressions that other services build are spared). */
    private readonly strict = false,
  ) {
    if (source.trim() === '') throw validationError(`Invalid ${kind}: The expression can not be empty;`);
    this.tokens = tokenize(source, kind);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.at++;
    return token;
  }

  private isKeyword(word: string, token = this.peek()): boolean {
    return token.type === 'identifier' && token.text.toUpperCase() === word;
  }

  private isPunct(text: string, token = this.peek()): boolean {
    return token.type === 'punct' && token.text === text;
  }

  private expect(text: string): void {
    if (!this.isPunct(text)) throw this.unexpected();
  }

  private expectPunct(text: string): void {
    this.expect(text);
    this.next();
  }

  unexpected(token = this.peek()): Error {
    return syntaxError(this.kind, this.source, token);
  }

  /** Conditions that were written in parentheses (to refuse redundant ones). */
  private readonly parenthesized = new WeakSet<Condition>();

  private invalid(message: string): Error {
    return validationError(`Invalid ${this.kind}: ${message}`);
  }

  /** Parses one nested part (parenthesised, negated, a function's arguments) within MAX_EXPRESSION_NESTING. */
  private nested<T>(parse: () => T): T {
    if (++this.nesting > MAX_EXPRESSION_NESTING)
      throw this.invalid(`The expression is nested more than ${MAX_EXPRESSION_NESTING} levels deep (parentheses, NOT and functions);`);
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  end(): void {
    if (this.peek().type !== 'eof') throw this.unexpected();
  }

  // condition := or
  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', condition: this.nested(() => this.negation()) };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.isPunct('(')) {
      this.next();
      const inner = this.nested(() => this.condition());
      this.expectPunct(')');
      // `((a = b))`: DynamoDB refuses parentheses around what is already parenthesized.
      if (this.strict && this.parenthesized.has(inner)) throw this.invalid('The expression has redundant parentheses;');
      this.parenthesized.add(inner);
      return inner;
    }
    const start = this.peek();
    if (start.type === 'identifier' && this.isPunct('(', this.peek(1)) && start.text !== 'size') return this.conditionFunction();
    const operand = this.operand();
    const token = this.peek();
    if (token.type === 'punct' && COMPARATORS.has(token.text)) {
      this.next();
      return { kind: 'compare', op: token.text as Comparator, left: operand, right: this.operand() };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand();
      if (!this.isKeyword('AND')) throw this.unexpected();
      this.next();
      return { kind: 'between', operand, low, high: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectPunct('(');
      const list = [this.operand()];
      while (this.isPunct(',')) {
        this.next();
        list.push(this.operand());
      }
      this.expectPunct(')');
      if (list.length > 100) throw this.invalid('The IN operator is provided with too many operands; number of operands: ' + list.length);
      return { kind: 'in', operand, list };
    }
    if (operand.kind === 'size') throw this.invalid('The function is not allowed to be used this way in an expression; function: size');
    throw this.unexpected();
  }

  private conditionFunction(): Condition {
    const token = this.next();
    const name = token.text;
    if (!CONDITION_FUNCTIONS.has(name)) throw this.invalid(`Invalid function name; function: ${name}`);
    const args = this.arguments(() => this.operand());
    const arity = name === 'attribute_exists' || name === 'attribute_not_exists' ? 1 : 2;
    if (args.length !== arity)
      throw this.invalid(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
    if (args[0]!.kind !== 'path') throw this.invalid(`Operator or function requires a document path; operator or function: ${name}`);
    if (name === 'attribute_type') {
      const type = args[1]!;
      if (type.kind === 'value' && 'S' in type.value && !ATTRIBUTE_TYPES.has(type.value.S))
        throw this.invalid(`Invalid attribute type name found; type: ${type.value.S}, valid types: { B, NULL, SS, BOOL, L, BS, N, NS, S, M }`);
      if (type.kind !== 'value' || !('S' in type.value)) {
        throw this.invalid(`Invalid type for attribute_type; the second operand must be an S value naming a type (S, SS, N, NS, B, BS, BOOL, NULL, L, M)`);
      }
    }
    if (name === 'begins_with') {
      // A constant operand of begins_with is a string or binary, whatever the item holds.
      for (const arg of args) {
        if (arg.kind !== 'value' || 'S' in arg.value || 'B' in arg.value) continue;
        throw this.invalid(`Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${Object.keys(arg.value)[0]}`);
      }
    }
    return { kind: 'function', name: name as ConditionFunction, args };
  }

  private arguments<T>(parse: () => T): T[] {
    this.expectPunct('(');
    const args = this.nested(() => {
      const list = [parse()];
      while (this.isPunct(',')) {
        this.next();
        list.push(parse());
      }
      return list;
    });
    this.expectPunct(')');
    return args;
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.type === 'value') {
      this.next();
      return { kind: 'value', value: this.placeholders.value(token.text) };
    }
    if (token.type === 'identifier' && this.isPunct('(', this.peek(1))) {
      if (token.text !== 'size') {
        if (CONDITION_FUNCTIONS.has(token.text))
          throw this.invalid(`The function is not allowed to be used this way in an expression; function: ${token.text}`);
        throw this.invalid(`Invalid function name; function: ${token.text}`);
      }
      this.next();
      const args = this.arguments(() => this.operand());
      if (args.length !== 1)
        throw this.invalid(`Incorrect number of operands for operator or function; operator or function: size, number of operands: ${args.length}`);
      const arg = args[0]!;
      if (arg.kind !== 'path') throw this.invalid('Operator or function requires a document path; operator or function: size');
      return { kind: 'size', path: arg.path };
    }
    return { kind: 'path', path: this.path() };
  }

  path(): Path {
    const path: Path = [{ name: this.pathName() }];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        path.push({ name: this.pathName() });
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.next();
        if (index.type !== 'number') throw this.unexpected(index);
        // List indexes are 32-bit, as DynamoDB reads them.
        if (index.text.length > 10 || Number(index.text) > 2 ** 31 - 1)
          throw this.invalid(`List index is not within the allowable range; index: [${index.text}]`);
        this.expectPunct(']');
        path.push({ index: Number(index.text) });
      } else {
        // A document path goes at most 32 levels deep, as items do (MAX_NESTING_LEVELS).
        if (path.length > 32) throw this.invalid(`The document path has too many nesting levels; nesting levels: ${path.length}`);
        return path;
      }
    }
  }

  private pathName(): string {
    const token = this.peek();
    if (token.type === 'name') {
      this.next();
      return this.placeholders.name(token.text);
    }
    if (token.type === 'identifier' && !KEYWORDS.has(token.text.toUpperCase())) {
      if (RESERVED_WORDS.has(token.text.toUpperCase())) throw this.invalid(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
      this.next();
      return token.text;
    }
    throw this.unexpected();
  }

  // projection := path (',' path)*
  projection(): Path[] {
    const paths = [this.path()];
    while (this.isPunct(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }

  // update := (SET set-action, ... | REMOVE path, ... | ADD path value, ... | DELETE path value, ...)+
  update(): UpdateActions {
    const actions: UpdateActions = { set: [], remove: [], add: [], delete: [] };
    const seen = new Set<string>();
    do {
      const token = this.next();
      const clause = token.type === 'identifier' ? token.text.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause)) throw this.unexpected(token);
      if (seen.has(clause)) throw this.invalid(`The "${clause}" section can only be used once in an update expression;`);
      seen.add(clause);
      for (;;) {
        if (clause === 'SET') {
          const path = this.path();
          this.expectPunct('=');
          actions.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') {
          actions.remove.push(this.path());
        } else {
          const path = this.path();
          const value = this.peek();
          if (value.type !== 'value') throw this.unexpected(value);
          this.next();
          actions[clause === 'ADD' ? 'add' : 'delete'].push({ path, value: this.placeholders.value(value.text) });
        }
        if (!this.isPunct(',')) break;
        this.next();
      }
    } while (this.peek().type !== 'eof');
    checkOverlaps(this.kind, [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)]);
    return actions;
  }

  private setValue(): SetValue {
    const left = this.setOperand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().text === '+' ? 'plus' : 'minus';
      return { kind: op, left, right: this.setOperand() };
    }
    return left;
  }

  private setOperand(): SetValue {
    const token = this.peek();
    if (token.type === 'value') {
      this.next();
      return { kind: 'value', value: this.placeholders.value(token.text) };
    }
    if (token.type === 'identifier' && this.isPunct('(', this.peek(1))) {
      this.next();
      // A function's operands are paths, values or functions, not sums (DynamoDB's grammar).
      if (token.text === 'if_not_exists') {
        const args = this.arguments(() => this.setOperand());
        const [path, fallback] = args;
        if (args.length !== 2)
          throw this.invalid(`Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: ${args.length}`);
        if (path?.kind !== 'path' || !fallback) throw this.invalid('Operator or function requires a document path; operator or function: if_not_exists');
        return { kind: 'if_not_exists', path: path.path, fallback };
      }
      if (token.text === 'list_append') {
        const args = this.arguments(() => this.setOperand());
        if (args.length !== 2)
          throw this.invalid(`Incorrect number of operands for operator or function; operator or function: list_append, number of operands: ${args.length}`);
        if (args.some((a) => a.kind === 'list_append'))
          throw this.invalid('The function is not allowed to be used this way in an expression; function: list_append');
        return { kind: 'list_append', first: args[0]!, second: args[1]! };
      }
      if (CONDITION_FUNCTIONS.has(token.text)) throw this.invalid(`The function is not allowed in an update expression; function: ${token.text}`);
      throw this.invalid(`Invalid function name; function: ${token.text}`);
    }
    return { kind: 'path', path: this.path() };
  }
}

function pathText(path: Path): string {
  return `[${path.map((e) => ('name' in e ? e.name : `[${e.index}]`)).join(', ')}]`;
}

/** DynamoDB refuses an update whose paths overlap (`a` and `a.b`, or the same path twice). */
function checkOverlaps(kind: string, paths: Path[]): void {
  const same = (a: Path[number], b: Path[number]): boolean =>
    'name' in a && 'name' in b ? a.name === b.name : 'index' in a && 'index' in b && a.index === b.index;
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const a = paths[i]!;
      const b = paths[j]!;
      const n = Math.min(a.length, b.length);
      let k = 0;
      while (k < n && same(a[k]!, b[k]!)) k++;
      if (k === n)
        throw validationError(
          `Invalid ${kind}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`,
        );
    }
  }
}

/** Parses a ConditionExpression, FilterExpression or KeyConditionExpression (`kind` names it in errors). */
export function parseCondition(source: string, kind: string, placeholders: ExpressionPlaceholders, strict = false): Condition {
  const parser = new Parser(source, kind, placeholders, strict);
  const condition = parser.condition();
  parser.end();
  return condition;
}

export function parseProjection(source: string, placeholders: ExpressionPlaceholders): Path[] {
  const parser = new Parser(source, 'ProjectionExpression', placeholders);
  const paths = parser.projection();
  parser.end();
  return paths;
}

export function parseUpdate(source: string, placeholders: ExpressionPlaceholders): UpdateActions {
  const parser = new Parser(source, 'UpdateExpression', placeholders);
  return parser.update();
}
