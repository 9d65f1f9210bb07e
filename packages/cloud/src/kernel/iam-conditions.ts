import { createAddressList, normaliseAddress, trustedProxyProblem, type TrustedProxies } from './trusted-proxies.js';

/**
 * The request context a policy's `Condition` block is evaluated against: condition key → value. A list is a
 * multivalued key (`cognito-identity.amazonaws.com:amr`); an absent key is simply missing.
 */
export type ConditionContext = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** `true` the conditions hold, `false` they do not, `'unknown'` an operator Forte does not evaluate. */
export type ConditionResult = boolean | 'unknown';

type Compare = (policyValue: string, contextValue: string) => boolean;

const equals: Compare = (p, c) => p === c;
const equalsIgnoreCase: Compare = (p, c) => p.toLowerCase() === c.toLowerCase();
const like: Compare = (p, c) => globMatch(p, c);
const boolEquals: Compare = (p, c) => p.toLowerCase() === c.toLowerCase();
/** `IpAddress`: the address (`aws:SourceIp`) is the policy's address or in its CIDR block (checked before: `ipValueProblem`). */
const inRange: Compare = (p, c) => addressList(p).has(normaliseAddress(c));

// Policies are few and long-lived: each value's list is made once.
const addressLists = new Map<string, TrustedProxies>();
function addressList(value: string): TrustedProxies {
  let list = addressLists.get(value);
  if (!list) {
    if (addressLists.size >= 10_000) addressLists.clear();
    addressLists.set(value, (list = createAddressList([value])));
  }
  return list;
}

/** Positive operators and the comparison they make; each `Not` form is the negation of its positive one. */
const OPERATORS: Record<string, { compare: Compare; negated: boolean; pattern: boolean }> = {
  StringEquals: { compare: equals, negated: false, pattern: false },
  StringNotEquals: { compare: equals, negated: true, pattern: false },
  StringEqualsIgnoreCase: { compare: equalsIgnoreCase, negated: false, pattern: false },
  StringNotEqualsIgnoreCase: { compare: equalsIgnoreCase, negated: true, pattern: false },
  StringLike: { compare: like, negated: false, pattern: true },
  StringNotLike: { compare: like, negated: true, pattern: true },
  ArnEquals: { compare: equals, negated: false, pattern: false },
  ArnNotEquals: { compare: equals, negated: true, pattern: false },
  ArnLike: { compare: like, negated: false, pattern: true },
  ArnNotLike: { compare: like, negated: true, pattern: true },
  Bool: { compare: boolEquals, negated: false, pattern: false },
  IpAddress: { compare: inRange, negated: false, pattern: false },
  NotIpAddress: { compare: inRange, negated: true, pattern: false },
};

/**
 * Evaluates a statement's `Condition` block as IAM does: every operator and every key must hold (AND);
 * the values listed for one key are alternatives (OR). A key missing from the context fails a positive
 * operator and satisfies a negated one (`StringNotEquals`), unless the operator ends in `IfExists`
 * (then a missing key holds). `Null: true` holds when the key is missing. A multivalued context key is
 * compared with `ForAnyValue:` (some value matches) or `ForAllValues:` (every value matches; an empty or
 * missing key holds); without a qualifier it is compared as `ForAnyValue:`. Policy variables
 * (`${cognito-identity.amazonaws.com:sub}`) in values are replaced; an unknown variable makes the key
 * fail. An operator Forte does not know answers `'unknown'`: the caller must then refuse an Allow and
 * apply a Deny.
 */
export function evaluateConditions(condition: Record<string, unknown>, context: ConditionContext, variables: Record<string, string>): ConditionResult {
  let result: ConditionResult = true;
  for (const [rawOperator, block] of Object.entries(condition)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) return 'unknown';
    for (const [key, rawValues] of Object.entries(block as Record<string, unknown>)) {
      const values = (Array.isArray(rawValues) ? rawValues : [rawValues]).map((v) =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined,
      );
      if (values.some((v) => v === undefined)) return 'unknown';
      const holds = evaluateKey(rawOperator, key, values as string[], context, variables);
      if (holds === 'unknown') return 'unknown';
      if (!holds) result = false;
    }
  }
  return result;
}

function evaluateKey(rawOperator: string, key: string, policyValues: string[], context: ConditionContext, variables: Record<string, string>): ConditionResult {
  let operator = rawOperator;
  let qualifier: 'any' | 'all' | undefined;
  if (operator.startsWith('ForAnyValue:')) {
    qualifier = 'any';
    operator = operator.slice('ForAnyValue:'.length);
  } else if (operator.startsWith('ForAllValues:')) {
    qualifier = 'all';
    operator = operator.slice('ForAllValues:'.length);
  }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  const raw = Object.hasOwn(context, key) ? context[key] : undefined;
  const present = raw !== undefined && !(Array.isArray(raw) && raw.length === 0);
  if (operator === 'Null') {
    if (qualifier !== undefined || ifExists || policyValues.length !== 1) return 'unknown';
    const wanted = policyValues[0]!.toLowerCase();
    if (wanted !== 'true' && wanted !== 'false') return 'unknown';
    return wanted === 'true' ? !present : present;
  }
  const spec = OPERATORS[operator];
  if (!spec) return 'unknown';
  // A value that is no address or CIDR block: IAM refuses such a policy; here it decides nothing.
  if (spec.compare === inRange && policyValues.some((value) => trustedProxyProblem(value) !== undefined)) return 'unknown';
  const contextValues: string[] = raw === undefined ? [] : Array.isArray(raw) ? [...(raw as readonly string[])] : [String(raw as string | boolean)];
  if (qualifier === 'all') {
    // ForAllValues holds when there is nothing to check (IAM's rule, which is why it is paired with Null checks).
    if (!present) return true;
  } else if (!present) {
    return ifExists || (spec.negated && qualifier === undefined);
  }
  const resolved = policyValues.map((v) => resolveVariables(v, variables, spec.pattern));
  const matchesOne = (value: string): boolean => resolved.some((p) => p !== undefined && spec.compare(p, value));
  const holdsFor = (value: string): boolean => (spec.negated ? !matchesOne(value) : matchesOne(value));
  return qualifier === 'all'
    ? contextValues.every(holdsFor)
    : spec.negated && qualifier === undefined
      ? contextValues.every(holdsFor)
      : contextValues.some(holdsFor);
}

/** `${name}` replaced by its value (escaped for glob patterns); undefined when a variable is unknown. */
function resolveVariables(value: string, variables: Record<string, string>, pattern: boolean): string | undefined {
  let unresolved = false;
  const out = value.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    if (name === '*' || name === '?' || name === '$') return pattern ? `\\${name}` : name;
    const found = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (found === undefined) {
      unresolved = true;
      return '';
    }
    return pattern ? found.replace(/[*?\\]/g, (c) => `\\${c}`) : found;
  });
  return unresolved ? undefined : out;
}

/** Glob match: `*` any run of characters, `?` one character, `\x` the literal x. Whole string. */
export function globMatch(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'su').test(value);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
