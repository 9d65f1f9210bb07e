import { validationError } from '../errors.js';

export type TokenType = 'identifier' | 'name' | 'value' | 'number' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  /** The token as written (`#n`, `:v`, `<=`, `attr`). */
  text: string;
  /** Offset in the expression. */
  pos: number;
}

const PUNCT = ['<>', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-'];

/** Splits a DynamoDB expression into tokens; `kind` names the expression in syntax errors (`ConditionExpression`). */
export function tokenize(source: string, kind: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    // Attribute names in expressions start with a letter (`_a` and `1a` need a #placeholder), as in DynamoDB.
    const m = /^(?:[#:][A-Za-z0-9_]+|[A-Za-z][A-Za-z0-9_]*|[0-9]+)/.exec(rest);
    if (m) {
      const text = m[0];
      const type: TokenType = text.startsWith('#') ? 'name' : text.startsWith(':') ? 'value' : /^[0-9]/.test(text) ? 'number' : 'identifier';
      tokens.push({ type, text, pos: i });
      i += text.length;
      continue;
    }
    const punct = PUNCT.find((p) => rest.startsWith(p));
    if (!punct) throw syntaxError(kind, source, { type: 'punct', text: c, pos: i });
    tokens.push({ type: 'punct', text: punct, pos: i });
    i += punct.length;
  }
  tokens.push({ type: 'eof', text: '<EOF>', pos: source.length });
  return tokens;
}

/** DynamoDB's syntax error: `Invalid <Kind>: Syntax error; token: "<token>", near: "<context>"`. */
export function syntaxError(kind: string, source: string, token: Token) {
  const near = source.slice(Math.max(0, token.pos - 10), token.pos + Math.max(token.text.length, 1) + 10).trim();
  return validationError(`Invalid ${kind}: Syntax error; token: "${token.text}", near: "${near}"`);
}
