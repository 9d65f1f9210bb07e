import { isIP } from 'node:net';
import { GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';

const OFFSET = '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const TIME = '\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?';

/**
 * `local@domain.tld`: no white space, one `@`, a dot in the domain with something on both sides. Split with indexOf
 * rather than matched with /^[^\s@]+@[^\s@]+\.[^\s@]+$/, whose backtracking over a domain of dots and a second `@`
 * took quadratic time (30,000 characters: 0.65 s of the event loop); and at most 320 characters, an address's limit.
 */
function isEmail(v: string): boolean {
  if (v.length > 320 || /\s/.test(v)) return false;
  const at = v.indexOf('@');
  if (at <= 0 || v.indexOf('@', at + 1) !== -1) return false;
  const dot = v.lastIndexOf('.');
  return dot > at + 1 && dot < v.length - 1;
}

/** What AppSync accepts for each of its string scalars (its documented formats). */
const FORMATS: Record<string, (value: string) => boolean> = {
  AWSDate: (v) => new RegExp(`^\\d{4}-\\d{2}-\\d{2}${OFFSET}?$`).test(v),
  AWSTime: (v) => new RegExp(`^${TIME}${OFFSET}?$`).test(v),
  AWSDateTime: (v) => new RegExp(`^\\d{4}-\\d{2}-\\d{2}T${TIME}${OFFSET}$`).test(v) && !Number.isNaN(Date.parse(v.replace(/(\.\d{3})\d+/, '$1'))),
  AWSEmail: isEmail,
  AWSURL: (v) => /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v),
  AWSPhone: (v) => /^\+?[\d\s().-]{3,}$/.test(v) && /\d{3,}/.test(v.replace(/\D/g, '')),
  AWSIPAddress: (v) => {
    const [address = '', prefix, ...rest] = v.split('/');
    const family = isIP(address);
    return family !== 0 && rest.length === 0 && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
  },
};

const invalid = (name: string, value: unknown): TypeError => new TypeError(`Invalid ${name} value: ${JSON.stringify(value)}`);

/**
 * Gives the AppSync scalars of a built schema AppSync's input checks: the string formats above and
 * AWSTimestamp as whole seconds. Values are stored and answered as given.
 */
export function applyAwsScalars(schema: GraphQLSchema): void {
  for (const [name, valid] of Object.entries(FORMATS)) {
    const scalar = schema.getType(name);
    if (!(scalar instanceof GraphQLScalarType)) continue;
    const parse = (value: unknown): string => {
      if (typeof value !== 'string' || !valid(value)) throw invalid(name, value);
      return value;
    };
    scalar.parseValue = parse;
    scalar.parseLiteral = (ast: ValueNode) => (ast.kind === Kind.STRING ? parse(ast.value) : undefined);
  }
  const timestamp = schema.getType('AWSTimestamp');
  if (timestamp instanceof GraphQLScalarType) {
    const parse = (value: unknown): number => {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('AWSTimestamp', value);
      return value;
    };
    timestamp.parseValue = parse;
    timestamp.parseLiteral = (ast: ValueNode) => (ast.kind === Kind.INT ? parse(Number(ast.value)) : undefined);
  }
}
