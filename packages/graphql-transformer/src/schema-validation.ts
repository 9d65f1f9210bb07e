/**
 * Validates a schema the way a GraphQL server builds it: the user's SDL before the transform (with Amplify's
 * directive definitions and AppSync's scalars and directives, so errors point at what the user wrote), and
 * the output schema after it (with AppSync's prelude, as the cloud builds it), so a schema that could not
 * deploy is refused when it is compiled.
 */
import { buildASTSchema, buildSchema, GraphQLError, Kind, parse, validateSchema } from 'graphql';
import type { ASTNode, DefinitionNode, DocumentNode } from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';
import { APPSYNC_PRELUDE } from '@forte/protocol';
import { lineAndColumn, SchemaError } from './errors.js';

/**
 * The transformer's directives, as Amplify declares them. Argument values are not checked here (each
 * directive's module checks its own), so object-valued arguments are typed with opaque scalars.
 */
export const AMPLIFY_DIRECTIVES = `
scalar ModelQueryMap
scalar ModelMutationMap
scalar ModelSubscriptionMap
scalar TimestampConfiguration
scalar SearchableQueryMap
scalar AuthRule
scalar HttpMethod
scalar HttpHeader
scalar PredictionsActions
directive @model(queries: ModelQueryMap, mutations: ModelMutationMap, subscriptions: ModelSubscriptionMap, timestamps: TimestampConfiguration) on OBJECT
directive @auth(rules: [AuthRule!]!) on OBJECT | FIELD_DEFINITION
directive @primaryKey(sortKeyFields: [String]) on FIELD_DEFINITION
directive @index(name: String, sortKeyFields: [String], queryField: String) repeatable on FIELD_DEFINITION
directive @hasOne(fields: [String!], references: [String!]) on FIELD_DEFINITION
directive @hasMany(indexName: String, fields: [String!], references: [String!], limit: Int = 100) on FIELD_DEFINITION
directive @belongsTo(fields: [String!], references: [String!]) on FIELD_DEFINITION
directive @manyToMany(relationName: String!, limit: Int = 100) on FIELD_DEFINITION
directive @default(value: String) on FIELD_DEFINITION
directive @function(name: String!, region: String, accountId: String, invocationType: InvocationType = RequestResponse) repeatable on FIELD_DEFINITION
enum InvocationType { RequestResponse Event }
directive @http(method: HttpMethod, url: String!, headers: [HttpHeader]) on FIELD_DEFINITION
directive @predictions(actions: [PredictionsActions!]!) on FIELD_DEFINITION
directive @searchable(queries: SearchableQueryMap) on OBJECT
directive @mapsTo(name: String!) on OBJECT
`;

const definedName = (d: DefinitionNode): string | undefined =>
  'name' in d && d.name ? `${d.kind === Kind.DIRECTIVE_DEFINITION ? '@' : ''}${d.name.value}` : undefined;

const preludeDefinitions = parse(APPSYNC_PRELUDE + AMPLIFY_DIRECTIVES, { noLocation: true }).definitions;

/** Directives consumed by the transformer and absent from the output schema. */
export const TRANSFORMER_DIRECTIVES: ReadonlySet<string> = new Set(
  parse(AMPLIFY_DIRECTIVES, { noLocation: true }).definitions.flatMap((d) => (d.kind === Kind.DIRECTIVE_DEFINITION ? [d.name.value] : [])),
);

/** The scalars AppSync defines before every schema. */
export const APPSYNC_SCALARS: ReadonlySet<string> = new Set(
  parse(APPSYNC_PRELUDE, { noLocation: true }).definitions.flatMap((d) => (d.kind === Kind.SCALAR_TYPE_DEFINITION ? [d.name.value] : [])),
);

/** The names (type, field, argument) that enclose a position of the user's schema. */
const enclosing = (definitions: readonly DefinitionNode[], offset: number): string | undefined => {
  const within = (n: ASTNode): boolean => !!n.loc && n.loc.start <= offset && offset < n.loc.end;
  for (const d of definitions) {
    if (!within(d) || !('name' in d) || !d.name) continue;
    const typeName = d.kind === Kind.DIRECTIVE_DEFINITION ? `@${d.name.value}` : d.name.value;
    const members = 'fields' in d ? (d.fields ?? []) : [];
    for (const f of members) {
      if (!within(f)) continue;
      const arg = 'arguments' in f ? f.arguments?.find(within) : undefined;
      return `${typeName}.${f.name.value}${arg ? `(${arg.name.value})` : ''}`;
    }
    return typeName;
  }
  return undefined;
};

/** `Unknown type "Strin". Did you mean "String"?` → `unknown type "Strin" (did you mean "String"?)`. */
const restate = (message: string): string => {
  const [head = message, suggestion] = message.split(/\s+Did you mean /);
  const body = head.replace(/\.$/, '');
  return `${body.charAt(0).toLowerCase()}${body.slice(1)}${suggestion ? ` (did you mean ${suggestion.replace(/\?$/, '')}?)` : ''}`;
};

const fromGraphQLError = (error: GraphQLError, definitions: readonly DefinitionNode[]): SchemaError => {
  // A repetition names every occurrence: the last one is the one to remove.
  const node = error.nodes?.[error.nodes.length - 1];
  const where = node?.loc ? enclosing(definitions, node.loc.start) : undefined;
  const [typeName, rest] = where?.split('.') ?? [];
  const directive = node?.kind === Kind.DIRECTIVE ? node.name.value : /"@(\w+)"/.exec(error.message)?.[1];
  return new SchemaError(`${where ? `${where}: ` : ''}${restate(error.message)}`, {
    ...(typeName ? { typeName } : {}),
    ...(rest ? { fieldName: rest.replace(/\(.*$/, '') } : {}),
    ...(directive ? { directive } : {}),
    ...lineAndColumn(node?.loc),
  });
};

/** One SchemaError carrying every distinct problem, or nothing when there is none. */
const collect = (errors: readonly GraphQLError[], definitions: readonly DefinitionNode[]): void => {
  const unique = new Map<string, SchemaError>();
  for (const error of errors.map((e) => fromGraphQLError(e, definitions))) {
    const key = `${error.line}:${error.column}:${error.message}`;
    if (!unique.has(key)) unique.set(key, error);
  }
  const all = [...unique.values()];
  const [first] = all;
  if (first) throw new SchemaError(first.message, first, all);
};

/** Parses the user's schema with locations; a syntax error is a SchemaError with its line and column. */
export const parseSchema = (schema: string): DocumentNode => {
  try {
    return parse(schema);
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    const [at] = e.locations ?? [];
    throw new SchemaError(`The schema is not valid GraphQL: ${e.message}`, at ? { line: at.line, column: at.column } : {});
  }
};

/**
 * Validates the user's definitions (parsed with locations, `extend type` merged) with graphql's SDL rules:
 * known types, directives and arguments, directives not repeated where they are not repeatable, names
 * defined once; then the schema they build (interfaces implemented, input and output types in their place).
 * What the user defines takes the place of the prelude's definition of the same name.
 */
export const validateUserSchema = (definitions: readonly DefinitionNode[]): void => {
  const own = new Set(definitions.map(definedName));
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...preludeDefinitions.filter((d) => !own.has(definedName(d))), ...definitions] };
  collect(validateSDL(document), definitions);
  // The transform adds Query when the user has none, so its absence is not a problem here.
  const built = buildASTSchema(document, { assumeValidSDL: true });
  collect(
    validateSchema(built).filter((e) => !/Query root type must be provided/.test(e.message)),
    definitions,
  );
};

/**
 * The safety net: the output schema must build, as the cloud builds it. A failure here is a schema the
 * transform turned into something AppSync refuses.
 */
export const validateOutputSchema = (output: string): void => {
  let errors: readonly GraphQLError[];
  try {
    errors = validateSchema(buildSchema(APPSYNC_PRELUDE + output));
  } catch (e) {
    throw new SchemaError(`The output schema would not deploy: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (errors.length) throw new SchemaError(`The output schema would not deploy: ${errors.map((e) => e.message).join(' ')}`);
};
