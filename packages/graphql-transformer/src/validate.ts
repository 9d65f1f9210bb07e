/**
 * Checks that every directive used in the schema is one the transformer knows, with known arguments, on
 * the kind of definition it applies to. Unknown directives are refused rather than silently dropped, as
 * the Amplify transformer does.
 */
import { Kind } from 'graphql';
import type { DefinitionNode, DirectiveNode } from 'graphql';
import { SchemaError } from './errors.js';

type Location = 'OBJECT' | 'FIELD_DEFINITION' | 'OTHER';

/** Directive name → [allowed locations, argument names]. */
export const KNOWN_DIRECTIVES: Record<string, [Location[], string[]]> = {
  model: [['OBJECT'], ['queries', 'mutations', 'subscriptions', 'timestamps']],
  auth: [['OBJECT', 'FIELD_DEFINITION'], ['rules']],
  primaryKey: [['FIELD_DEFINITION'], ['sortKeyFields']],
  index: [['FIELD_DEFINITION'], ['name', 'sortKeyFields', 'queryField']],
  hasOne: [['FIELD_DEFINITION'], ['fields', 'references']],
  hasMany: [['FIELD_DEFINITION'], ['indexName', 'fields', 'references', 'limit']],
  belongsTo: [['FIELD_DEFINITION'], ['fields', 'references']],
  manyToMany: [['FIELD_DEFINITION'], ['relationName', 'limit']],
  default: [['FIELD_DEFINITION'], ['value']],
  function: [['FIELD_DEFINITION'], ['name', 'region', 'accountId']],
  http: [['FIELD_DEFINITION'], ['method', 'url', 'headers']],
  predictions: [['FIELD_DEFINITION'], ['actions']],
  searchable: [['OBJECT'], ['queries']],
  mapsTo: [['OBJECT'], ['name']],
  aws_api_key: [['OBJECT', 'FIELD_DEFINITION'], []],
  aws_iam: [['OBJECT', 'FIELD_DEFINITION'], []],
  aws_oidc: [['OBJECT', 'FIELD_DEFINITION'], []],
  aws_lambda: [['OBJECT', 'FIELD_DEFINITION'], []],
  aws_cognito_user_pools: [['OBJECT', 'FIELD_DEFINITION'], ['cognito_groups']],
  aws_auth: [['FIELD_DEFINITION'], ['cognito_groups']],
  aws_subscribe: [['FIELD_DEFINITION'], ['mutations']],
  deprecated: [['FIELD_DEFINITION', 'OTHER'], ['reason']],
};

/** Directives consumed by the transformer and absent from the output schema. */
export const TRANSFORMER_DIRECTIVES = new Set([
  'model', 'auth', 'primaryKey', 'index', 'hasOne', 'hasMany', 'belongsTo', 'manyToMany', 'default', 'function', 'http', 'predictions', 'searchable', 'mapsTo',
]);

const check = (directives: readonly DirectiveNode[] | undefined, location: Location, typeName: string, fieldName: string | undefined, declared: Set<string>): void => {
  for (const d of directives ?? []) {
    const name = d.name.value;
    if (declared.has(name)) continue;
    const where = fieldName ? `${typeName}.${fieldName}` : typeName;
    const at = { typeName, ...(fieldName ? { fieldName } : {}), directive: name };
    const known = KNOWN_DIRECTIVES[name];
    if (!known) throw new SchemaError(`Unknown directive '@${name}' on ${where}.`, at);
    if (!known[0].includes(location)) {
      throw new SchemaError(`Directive '@${name}' may not be used on ${location === 'OBJECT' ? 'a type' : location === 'FIELD_DEFINITION' ? 'a field' : 'this definition'} (${where}).`, at);
    }
    for (const a of d.arguments ?? []) {
      if (!known[1].includes(a.name.value)) {
        const expected = known[1].length ? `expected ${known[1].join(', ')}` : 'it takes no arguments';
        throw new SchemaError(`Unknown argument '${a.name.value}' on directive '@${name}' of ${where} (${expected}).`, at);
      }
    }
  }
};

export const validateDirectives = (definitions: readonly DefinitionNode[]): void => {
  const declared = new Set(definitions.filter((d) => d.kind === Kind.DIRECTIVE_DEFINITION).map((d) => (d.kind === Kind.DIRECTIVE_DEFINITION ? d.name.value : '')));
  for (const d of definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) {
      check(d.directives, 'OBJECT', d.name.value, undefined, declared);
      for (const f of d.fields ?? []) check(f.directives, 'FIELD_DEFINITION', d.name.value, f.name.value, declared);
    } else if (d.kind === Kind.ENUM_TYPE_DEFINITION || d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || d.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      check(d.directives, 'OTHER', d.name.value, undefined, declared);
    }
  }
};
