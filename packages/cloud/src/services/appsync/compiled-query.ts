import {
  GraphQLEnumType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  Kind,
  locatedError,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import type { ExecutionContext } from './execution-context.js';
import { ownResolver } from './request-budget.js';

/**
 * The common read, executed without graphql-js's general machinery: a query of one root field whose answer is
 * objects, lists and leaves selected by plain fields (no fragments, directives, duplicate keys, abstract types,
 * nested arguments, or own resolvers below the root other than leaves'). Listing 20 items of 6 fields costs
 * graphql-js about 120 resolve-info objects, paths and completion dispatches; here each field is one property
 * read (or its own leaf resolver's call) and its type's `serialize`, charged to the budget exactly as the metered
 * resolvers charge it.
 *
 * It answers what graphql-js answers or nothing: whatever graphql-js would turn into a located error below the
 * root (a throwing resolver, a null in a non-null field, a value a leaf type refuses, a promise where a value was
 * expected) makes `run` answer undefined, and the caller executes the document with graphql-js on a fresh
 * budget (a query only reads, so reading again changes nothing). An error of the root field is answered as
 * graphql-js answers it: the field null, the error located at it.
 */
export interface CompiledQuery {
  /** The answer, or undefined when graphql-js must execute the document. */
  run(context: ExecutionContext, variables: Record<string, unknown> | undefined): Promise<ExecutionResult | undefined>;
}

type Completion =
  | { kind: 'leaf'; nonNull: boolean; type: GraphQLScalarType | GraphQLEnumType }
  | { kind: 'list'; nonNull: boolean; item: Completion }
  | { kind: 'object'; nonNull: boolean; type: GraphQLObjectType; fields: CompiledField[] };

interface CompiledField {
  key: string;
  name: string;
  node: FieldNode;
  parentType: GraphQLObjectType;
  /** `__typename`: answered by the parent type's name. */
  typename: boolean;
  /** The field's metered resolver when the field has its own (a leaf's); undefined: graphql's default resolver. */
  resolve: GraphQLField<unknown, unknown>['resolve'];
  returnType: GraphQLOutputType;
  completion: Completion;
}

/** Resolvers that only read and may run twice (the compiled query's fall-back runs them again). */
const readOnlyResolvers = new WeakSet<object>();

/**
 * Marks `resolve` as one a compiled query may call: it only reads (a model's get, list or search, an item's
 * field), so running it again when graphql-js takes over changes nothing. Any other resolver (a `@function`
 * field's, which runs someone's code) keeps its field out of compiled queries, so it runs exactly once.
 */
export function readOnlyResolver<T extends object>(resolve: T): T {
  readOnlyResolvers.add(resolve);
  return resolve;
}

const readsOnly = (resolve: GraphQLField<unknown, unknown>['resolve']): boolean => {
  const own = ownResolver(resolve);
  return own !== undefined && readOnlyResolvers.has(own);
};

/** Thrown inside `run` for anything graphql-js answers differently from a plain value: it executes instead. */
const FALL_BACK = Symbol('fall back to graphql-js');

const compiled = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, CompiledQuery | null>>();

/** The compiled form of `operation` (of a document validated against `schema`), or undefined when it has none. */
export function compiledQuery(schema: GraphQLSchema, operation: OperationDefinitionNode): CompiledQuery | undefined {
  let bySchema = compiled.get(schema);
  if (!bySchema) compiled.set(schema, (bySchema = new WeakMap()));
  let query = bySchema.get(operation);
  if (query === undefined) bySchema.set(operation, (query = compile(schema, operation) ?? null));
  return query ?? undefined;
}

function compile(schema: GraphQLSchema, operation: OperationDefinitionNode): CompiledQuery | undefined {
  const queryType = schema.getQueryType();
  if (operation.operation !== 'query' || !queryType || operation.directives?.length) return undefined;
  const [selection, ...others] = operation.selectionSet.selections;
  if (!selection || others.length > 0 || selection.kind !== Kind.FIELD || selection.directives?.length || selection.name.value.startsWith('__'))
    return undefined;
  const root = queryType.getFields()[selection.name.value];
  if (!root?.resolve || !readsOnly(root.resolve) || root.type instanceof GraphQLNonNull) return undefined;
  const completion = compileType(root.type, selection);
  if (!completion) return undefined;
  const key = selection.alias?.value ?? selection.name.value;
  const fragments = {};

  return {
    async run(context, variables) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return undefined;
      const variableValues = coerced.coerced;
      const path = { prev: undefined, key, typename: queryType.name };
      const info: GraphQLResolveInfo = {
        fieldName: root.name,
        fieldNodes: [selection],
        returnType: root.type,
        parentType: queryType,
        path,
        schema,
        fragments,
        rootValue: undefined,
        operation,
        variableValues,
      };
      let value: unknown;
      try {
        value = root.resolve!(undefined, getArgumentValues(root, selection, variableValues), context, info);
        if (isThenable(value)) value = await value;
      } catch (error) {
        if (context.budget?.exceeded) return { data: null };
        return { data: { [key]: null }, errors: [locatedError(error, [selection], [key])] };
      }
      try {
        return { data: { [key]: complete(completion, value, context, path) } };
      } catch {
        // FALL_BACK, or a leaf's serialize or a field's own resolver threw, which graphql-js answers as a
        // located error beside the rest of the data; past a limit the answer is the limit's error alone.
        return context.budget?.exceeded ? { data: null } : undefined;
      }

      function complete(c: Completion, value: unknown, ctx: ExecutionContext, at: Path): unknown {
        if (value === null || value === undefined) {
          if (c.nonNull) throw FALL_BACK;
          return null;
        }
        if (value instanceof Error || isThenable(value)) throw FALL_BACK;
        switch (c.kind) {
          case 'leaf': {
            const out = c.type.serialize(value);
            if (out === null || out === undefined) throw FALL_BACK;
            return out;
          }
          case 'list': {
            if (!Array.isArray(value)) throw FALL_BACK;
            const out = new Array<unknown>(value.length);
            for (let i = 0; i < value.length; i++)
              out[i] = complete(c.item, value[i], ctx, c.item.kind === 'leaf' ? at : { prev: at, key: i, typename: undefined });
            return out;
          }
          case 'object': {
            if (typeof value !== 'object') throw FALL_BACK;
            const source = value as Record<string, unknown>;
            const out: Record<string, unknown> = {};
            for (const f of c.fields) {
              const fieldValue = resolveField(f, source, ctx, at);
              // A leaf's completion never reads its path: only lists and objects get one (a list of 20 items
              // of 6 leaf fields would otherwise make 120 path objects that nothing reads).
              out[f.key] = complete(f.completion, fieldValue, ctx, f.completion.kind === 'leaf' ? at : { prev: at, key: f.key, typename: c.type.name });
            }
            return out;
          }
        }
      }

      function resolveField(f: CompiledField, source: Record<string, unknown>, ctx: ExecutionContext, at: Path): unknown {
        if (!f.resolve) {
          // What the metering wrapper around graphql's default resolver does.
          ctx.budget?.field();
          if (f.typename) return f.parentType.name;
          const property = source[f.name];
          if (typeof property === 'function') throw FALL_BACK;
          return property;
        }
        return f.resolve(source, {}, ctx, {
          fieldName: f.name,
          fieldNodes: [f.node],
          returnType: f.returnType,
          parentType: f.parentType,
          path: { prev: at, key: f.key, typename: f.parentType.name },
          schema,
          fragments,
          rootValue: undefined,
          operation,
          variableValues,
        });
      }
    },
  };
}

interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
  readonly typename: string | undefined;
}

const isThenable = (value: unknown): boolean => typeof (value as { then?: unknown } | null)?.then === 'function';

function compileType(type: GraphQLOutputType, node: FieldNode): Completion | undefined {
  if (type instanceof GraphQLNonNull) {
    const inner = compileType(type.ofType, node);
    return inner && { ...inner, nonNull: true };
  }
  if (type instanceof GraphQLList) {
    const item = compileType(type.ofType, node);
    return item && { kind: 'list', nonNull: false, item };
  }
  if (type instanceof GraphQLScalarType || type instanceof GraphQLEnumType) return node.selectionSet ? undefined : { kind: 'leaf', nonNull: false, type };
  if (type instanceof GraphQLObjectType && !type.isTypeOf && node.selectionSet) {
    const fields = compileSelection(type, node.selectionSet);
    return fields && { kind: 'object', nonNull: false, type, fields };
  }
  return undefined;
}

function compileSelection(parentType: GraphQLObjectType, selectionSet: SelectionSetNode): CompiledField[] | undefined {
  const fields: CompiledField[] = [];
  const keys = new Set<string>();
  for (const s of selectionSet.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || s.arguments?.length) return undefined;
    const key = s.alias?.value ?? s.name.value;
    if (keys.has(key)) return undefined;
    keys.add(key);
    const name = s.name.value;
    if (name === '__typename') {
      if (s.selectionSet) return undefined;
      // Its resolver is graphql's own, metered like a default resolver.
      // A non-null String (not a constant of this module: graphql-js is loaded on first use, not at start).
      const completion: Completion = { kind: 'leaf', nonNull: true, type: GraphQLString };
      fields.push({ key, name, node: s, parentType, typename: true, resolve: undefined, returnType: parentType, completion });
      continue;
    }
    const def = parentType.getFields()[name];
    if (!def || name.startsWith('__') || def.args.length > 0) return undefined;
    const completion = compileType(def.type, s);
    if (!completion) return undefined;
    // A field with its own resolver is taken only when it answers a leaf (relations read tables, asynchronously)
    // and only reads.
    const own = ownResolver(def.resolve);
    if (own && (!isLeaf(completion) || !readOnlyResolvers.has(own))) return undefined;
    fields.push({ key, name, node: s, parentType, typename: false, resolve: own ? def.resolve : undefined, returnType: def.type, completion });
  }
  return fields;
}

const isLeaf = (c: Completion): boolean => c.kind === 'leaf' || (c.kind === 'list' && isLeaf(c.item));
