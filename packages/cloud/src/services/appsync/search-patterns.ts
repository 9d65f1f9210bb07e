import { AppSyncFieldError } from './field-error.js';

/** Longest `regexp` pattern accepted. */
export const MAX_REGEXP_LENGTH = 200;
/**
 * Most repetitions of variable length (`*`, `+`, `{n,}`, and `{n,m}` with m > n + 1) in one `regexp` pattern: each
 * multiplies the ways a value can be matched, so three over a value's 256 characters cost some 20 ms, four 1 s, five
 * a minute and a half (measured: `.{0,99}` four times then `b`, before bounded ones counted).
 */
export const MAX_REGEXP_UNBOUNDED = 3;
/** A value's most characters (keyword values beyond it are not kept, as OpenSearch's `ignore_above`). */
const MAX_VALUE_CHARS = 256;
/** Largest repetition count in `{n,m}`. */
export const MAX_REGEXP_REPEAT = 100;

/**
 * The matcher of a `wildcard` pattern (`*` any run, `?` one character, `\` escapes), matching a value as a whole,
 * case-sensitively, with linear backtracking over the last `*`, so no pattern can blow up. Read once for every item a
 * search filters (not once per item); runs of `*` are one; a pattern of more characters than a value may hold matches
 * nothing, whatever its length (a pattern in the variables may be a megabyte long).
 */
export function compileWildcard(pattern: string): (value: string) => boolean {
  const tokens: Array<string | 0 | 1> = []; // 0 = `*`, 1 = `?`
  let fixed = 0;
  for (let i = 0; i < pattern.length && fixed <= MAX_VALUE_CHARS; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1] !== 0) tokens.push(0);
      continue;
    }
    fixed += 1;
    if (c === '\\' && i + 1 < pattern.length) tokens.push(pattern[++i]!);
    else tokens.push(c === '?' ? 1 : c);
  }
  if (fixed > MAX_VALUE_CHARS) return () => false;
  return (value) => matchTokens(tokens, value);
}

function matchTokens(tokens: Array<string | 0 | 1>, value: string): boolean {
  const chars = Array.from(value);
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < chars.length) {
    const t = tokens[p];
    if (t === 1 || (typeof t === 'string' && t === chars[v])) {
      p++;
      v++;
    } else if (t === 0) {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (tokens[p] === 0) p++;
  return p === tokens.length;
}

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const literal = (c: string): string => (JS_SYNTAX.has(c) ? `\\${c}` : c);
const CLASS_SPECIAL = new Set(['\\', ']', '[', '^', '-']);

interface Group {
  quantified: boolean;
  alternation: boolean;
}

/**
 * A `regexp` filter (Lucene's syntax, as OpenSearch reads it: anchored at both ends, `.` `?` `*` `+`
 * `{n,m}` `|` `()` `[]` `"literal"` `\` escapes) as a JavaScript RegExp. Only a safe subset is accepted,
 * so no pattern backtracks catastrophically: at most MAX_REGEXP_LENGTH characters, no repetition of
 * something that already repeats or alternates (`(a+)+`, `(a|aa)*`), at most MAX_REGEXP_UNBOUNDED
 * repetitions of variable length, and Lucene's `~ & < > @ #` operators refused. Throws a ValidationError saying why.
 */
export function compileRegexp(field: string, pattern: string): RegExp {
  const refuse = (why: string): never => {
    throw new AppSyncFieldError('ValidationError', `regexp on ${field} is refused: ${why}.`);
  };
  if (pattern.length > MAX_REGEXP_LENGTH) refuse(`the pattern is longer than ${MAX_REGEXP_LENGTH} characters`);
  let out = '';
  const groups: Group[] = [{ quantified: false, alternation: false }];
  let last: 'none' | 'atom' | 'quantified' = 'none';
  let lastGroup: Group | undefined;
  let unbounded = 0;
  const quantify = (text: string, isUnbounded: boolean): void => {
    if (last === 'none') refuse(`"${text}" has nothing to repeat`);
    if (last === 'quantified' || (lastGroup && (lastGroup.quantified || lastGroup.alternation))) {
      refuse(
        'a repetition of something that already repeats or alternates (nested quantifiers) could run for ever; use a character class such as [ab]* instead',
      );
    }
    if (isUnbounded && ++unbounded > MAX_REGEXP_UNBOUNDED)
      refuse(`more than ${MAX_REGEXP_UNBOUNDED} repetitions of variable length (*, +, {n,} or {n,m} with m > n + 1)`);
    groups[groups.length - 1]!.quantified = true;
    out += text;
    last = 'quantified';
    lastGroup = undefined;
  };
  const atom = (text: string, group?: Group): void => {
    out += text;
    last = 'atom';
    lastGroup = group;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    switch (c) {
      case '\\': {
        if (i + 1 >= pattern.length) refuse('it ends with a lone backslash');
        atom(literal(pattern[++i]!));
        break;
      }
      case '"': {
        const end = pattern.indexOf('"', i + 1);
        if (end < 0) refuse('a quoted string is not closed');
        atom(`(?:${Array.from(pattern.slice(i + 1, end), literal).join('')})`);
        i = end;
        break;
      }
      case '.':
        atom('.');
        break;
      case '*':
      case '+':
        quantify(c, true);
        break;
      case '?':
        quantify('?', false);
        break;
      case '{': {
        const m = /^\{(\d{1,4})(,(\d{1,4})?)?\}/.exec(pattern.slice(i));
        if (!m) refuse('a repetition {n}, {n,} or {n,m} is malformed');
        const min = Number(m![1]);
        const max = m![3] === undefined ? undefined : Number(m![3]);
        if (min > MAX_REGEXP_REPEAT || (max ?? 0) > MAX_REGEXP_REPEAT) refuse(`a repetition count is over ${MAX_REGEXP_REPEAT}`);
        if (max !== undefined && max < min) refuse('a repetition {n,m} has m < n');
        quantify(m![0], m![2] !== undefined && (max === undefined || max - min > 1));
        i += m![0].length - 1;
        break;
      }
      case '(':
        groups.push({ quantified: false, alternation: false });
        out += '(?:';
        last = 'none';
        lastGroup = undefined;
        break;
      case ')': {
        if (groups.length < 2) refuse('a ")" has no "("');
        const closed = groups.pop()!;
        const parent = groups[groups.length - 1]!;
        parent.quantified ||= closed.quantified;
        parent.alternation ||= closed.alternation;
        atom(')', closed);
        break;
      }
      case '|':
        groups[groups.length - 1]!.alternation = true;
        out += '|';
        last = 'none';
        lastGroup = undefined;
        break;
      case '[': {
        let j = i + 1;
        let body = '';
        if (pattern[j] === '^') {
          body = '^';
          j++;
        }
        for (; j < pattern.length && pattern[j] !== ']'; j++) {
          const d = pattern[j]!;
          if (d === '\\' && j + 1 < pattern.length) {
            const e = pattern[++j]!;
            body += CLASS_SPECIAL.has(e) ? `\\${e}` : e;
          } else {
            body += d === '[' ? '\\[' : d;
          }
        }
        if (j >= pattern.length) refuse('a character class "[" is not closed');
        if (body === '' || body === '^') refuse('a character class is empty');
        atom(`[${body}]`);
        i = j;
        break;
      }
      case '~':
      case '&':
      case '<':
      case '>':
      case '@':
      case '#':
        refuse(`the operator "${c}" is not supported; escape it (\\${c}) to match it literally`);
        break;
      default:
        atom(literal(c));
    }
  }
  if (groups.length > 1) refuse('a "(" is not closed');
  try {
    return new RegExp(`^(?:${out})$`, 'su');
  } catch (error) {
    return refuse(`it is not a valid pattern (${(error as Error).message})`);
  }
}
