import { FORTE_ERROR } from '@forte/protocol';
import { getLocation } from 'graphql';
import type { Location } from 'graphql';

/** Where in the input schema a problem is: the names it concerns and, when known, its line and column. */
export interface SchemaErrorWhere {
  typeName?: string;
  fieldName?: string;
  directive?: string;
  /** 1-based, in the schema text given to the transformer. */
  line?: number;
  column?: number;
}

/**
 * A problem in the input schema. It names the type, the field and the directive concerned, like the
 * Amplify transformer's InvalidDirectiveError, and the line and column when known, so a CLI can point at
 * what to fix. When validation finds several problems, `errors` holds them all (this one first).
 * Recognise it with `isSchemaError`: the CLI's plugins may load another copy of this package.
 */
export class SchemaError extends Error {
  readonly [FORTE_ERROR] = 'schema' as const;
  readonly typeName: string | undefined;
  readonly fieldName: string | undefined;
  readonly directive: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly errors: readonly SchemaError[];

  constructor(message: string, where: SchemaErrorWhere = {}, errors: readonly SchemaError[] = []) {
    super(message);
    this.name = 'SchemaError';
    this.typeName = where.typeName;
    this.fieldName = where.fieldName;
    this.directive = where.directive;
    this.line = where.line;
    this.column = where.column;
    this.errors = errors.length ? errors : [this];
  }
}

/** Whether `value` is a SchemaError, made by this copy of the package or any other. */
export function isSchemaError(value: unknown): value is SchemaError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<typeof FORTE_ERROR | 'message' | 'errors', unknown>>;
  return candidate[FORTE_ERROR] === 'schema' && typeof candidate.message === 'string' && Array.isArray(candidate.errors);
}

/** The line and column of a node parsed with locations; nothing for a node without. */
export const lineAndColumn = (loc: Location | undefined): { line?: number; column?: number } => {
  if (!loc) return {};
  const { line, column } = getLocation(loc.source, loc.start);
  return { line, column };
};
