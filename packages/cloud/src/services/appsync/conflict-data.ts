import {
  execute,
  GraphQLObjectType,
  GraphQLSchema,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';

type Plain = Record<string, unknown>;

const conflictSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The API's executable schema with resolver- and argument-free Mutation fields: a conflict's server item is resolved by
 * executing the mutation field's selection set over a root value that holds the item. Every other type and
 * resolver (relations, field-level rules, owner names) is shared with the schema that answers requests.
 */
function conflictSchema(schema: GraphQLSchema): GraphQLSchema {
  const cached = conflictSchemas.get(schema);
  if (cached) return cached;
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  const config = schema.toConfig();
  const fields = mutation.toConfig().fields;
  const plain = new GraphQLObjectType({
    ...mutation.toConfig(),
    fields: () => Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field, args: {}, resolve: undefined }])),
  });
  const result = new GraphQLSchema({ ...config, mutation: plain, types: config.types.map((t) => (t === mutation ? plain : t)) });
  conflictSchemas.set(schema, result);
  return result;
}

/** The mutation field alone, without its arguments, and only the variables its selection set still uses. */
function selectionDocument(info: GraphQLResolveInfo): DocumentNode {
  const fields: FieldNode[] = info.fieldNodes.map((node) => ({ ...node, arguments: [] }));
  const used = new Set<string>();
  const fragments = Object.values(info.fragments);
  for (const node of [...fields, ...fragments]) visit(node, { Variable: (v) => void used.add(v.name.value) });
  const operation: OperationDefinitionNode = {
    ...info.operation,
    variableDefinitions: (info.operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)),
    selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
  };
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
}

/**
 * A `ConflictUnhandled` whose server item is resolved through the mutation's selection set, as any answer of
 * the field would be: nested relations read with the caller's rules, owners answered as AppSync answers
 * them, a selected field the item lacks null. Fields the caller may not read on the item (`hidden`) never
 * appear. Any other error as it is.
 */
export async function conflictThroughSelection(
  error: unknown,
  info: GraphQLResolveInfo,
  ctx: ExecutionContext,
  hidden: (item: Plain) => readonly string[],
): Promise<unknown> {
  if (!(error instanceof AppSyncFieldError) || error.errorType !== 'ConflictUnhandled' || typeof error.data !== 'object' || error.data === null) return error;
  const item = { ...(error.data as Plain) };
  const left = hidden(item);
  for (const name of left) item[name] = null;
  const result = await execute({
    schema: conflictSchema(info.schema),
    document: selectionDocument(info),
    rootValue: { [info.fieldName]: item },
    contextValue: ctx,
    variableValues: info.variableValues,
  });
  const answered = result.data?.[info.path.key] as Plain | null | undefined;
  const data: Plain = {};
  for (const [name, value] of Object.entries(answered ?? {})) if (!left.includes(name)) data[name] = value;
  return new AppSyncFieldError(error.errorType, error.message, { cause: error, data });
}
