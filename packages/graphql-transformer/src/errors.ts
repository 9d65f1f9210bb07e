/**
 * A problem in the input schema. It names the type, the field and the directive concerned, like the
 * Amplify transformer's InvalidDirectiveError, so a CLI can point at the line to fix.
 */
export class SchemaError extends Error {
  readonly typeName: string | undefined;
  readonly fieldName: string | undefined;
  readonly directive: string | undefined;

  constructor(message: string, where: { typeName?: string; fieldName?: string; directive?: string } = {}) {
    super(message);
    this.name = 'SchemaError';
    this.typeName = where.typeName;
    this.fieldName = where.fieldName;
    this.directive = where.directive;
  }
}
