import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, execute, GraphQLObjectType, Kind, parse, type ExecutionResult, type GraphQLFieldResolver, type OperationDefinitionNode } from 'graphql';
import { compiledQuery, readOnlyResolver } from './compiled-query.js';
import type { ExecutionContext } from './execution-context.js';
import { DEFAULT_GRAPHQL_LIMITS } from './query-limits.js';
import { createRequestBudget, meterFieldResolvers } from './request-budget.js';

// The compiled query answers exactly what graphql-js answers, or nothing (then graphql-js executes): each
// document runs both ways on fresh budgets, and the answers and the fields charged must be the same.

const SDL = /* GraphQL */ `
  enum Status {
    OPEN
    DONE
  }
  type Todo {
    id: ID!
    content: String
    status: Status
    tags: [String]
    owner: String
    score: Int!
    secret: String
    note(prefix: String = ">"): String
    parent: Todo
    callsOut: String
  }
  type TodoConnection {
    items: [Todo]!
    nextToken: String
  }
  type Query {
    listTodos(limit: Int, status: Status): TodoConnection
    getTodo(id: ID!): Todo
    strictTodo(id: ID!): Todo!
    broken: TodoConnection
    asyncLeaf: TodoConnection
    sideEffect: TodoConnection
  }
`;

const todo = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `t${n}`,
  content: `content ${n}`,
  status: n % 2 ? 'DONE' : 'OPEN',
  tags: ['a', `b${n}`],
  owner: `sub::user${n}`,
  score: n,
  secret: 'hidden',
  ...extra,
});

function makeSchema() {
  const schema = buildSchema(SDL);
  const query = schema.getQueryType()!;
  const type = schema.getType('Todo') as GraphQLObjectType;
  const set = (t: GraphQLObjectType, field: string, resolve: GraphQLFieldResolver<any, any, any>) =>
    (t.getFields()[field]!.resolve = readOnlyResolver(resolve));
  // Resolvers not marked as reads (a @function field's) keep their documents out of compiled queries.
  type.getFields().callsOut!.resolve = () => 'called';
  query.getFields().sideEffect!.resolve = () => ({ items: [], nextToken: null });
  set(query, 'listTodos', async (_s, args: { limit?: number; status?: string }) => ({
    items: Array.from({ length: args.limit ?? 3 }, (_, i) => todo(i)).filter((t) => !args.status || t.status === args.status),
    nextToken: 'next',
  }));
  set(query, 'getTodo', async (_s, args: { id: string }) => {
    if (args.id === 'missing') return null;
    if (args.id === 'forbidden') throw new Error('Not Authorized to access getTodo on type Query');
    if (args.id === 'nullscore') return todo(1, { score: null });
    if (args.id === 'badenum') return todo(1, { status: 'LOST' });
    return todo(Number(args.id.slice(1)));
  });
  set(query, 'strictTodo', async () => todo(1));
  set(query, 'broken', () => ({ items: 'not a list', nextToken: null }));
  set(query, 'asyncLeaf', () => ({ items: [todo(1, { content: Promise.resolve('later') })], nextToken: null }));
  // Own leaf resolvers, as the owner field's and a field rule's: synchronous, one throwing for some items.
  set(type, 'owner', (source: { owner: string }) => source.owner.slice(source.owner.lastIndexOf('::') + 2));
  set(type, 'secret', (source: { id: string }) => {
    if (source.id === 't1') throw new Error('Not Authorized to access secret on type Todo');
    return 'visible';
  });
  meterFieldResolvers(schema);
  return schema;
}

const schema = makeSchema();

function context(maxResultFields = DEFAULT_GRAPHQL_LIMITS.maxResultFields): ExecutionContext & { fieldsCharged: () => number } {
  const budget = createRequestBudget({ ...DEFAULT_GRAPHQL_LIMITS, maxResultFields });
  let fields = 0;
  const counting = { ...budget, field: () => (fields++, budget.field()) };
  Object.defineProperty(counting, 'exceeded', { get: () => budget.exceeded });
  return { budget: counting, fieldsCharged: () => fields } as unknown as ExecutionContext & { fieldsCharged: () => number };
}

async function both(query: string, variables?: Record<string, unknown>, maxResultFields?: number) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const compiled = compiledQuery(schema, operation);
  const jsContext = context(maxResultFields);
  const viaJs = await execute({ schema, document, variableValues: variables, contextValue: jsContext });
  const fastContext = context(maxResultFields);
  const viaFast: ExecutionResult | undefined = compiled && (await compiled.run(fastContext, variables));
  return { compiled, viaJs, viaFast, jsContext, fastContext };
}

/** The two answers as the route writes them (JSON), errors as formatted by graphql-js. */
const asJson = (r: ExecutionResult | undefined) =>
  r && JSON.parse(JSON.stringify({ data: r.data ?? null, errors: r.errors?.map((e) => ({ message: e.message, locations: e.locations, path: e.path })) }));

describe('compiled queries', () => {
  const answered = [
    ['a list of items with nested lists, enums and own leaf resolvers', '{ listTodos(limit: 4) { items { id content status tags owner score } nextToken } }'],
    ['aliases and __typename at every level', '{ l: listTodos { __typename all: items { __typename key: id o: owner } n: nextToken } }'],
    ['variables and enum arguments', 'query Q($n: Int, $s: Status) { listTodos(limit: $n, status: $s) { items { id status } } }', { n: 5, s: 'DONE' }],
    ['a nested object selection', '{ getTodo(id: "t2") { id parent { id } } }'],
    ['a root field answering null', '{ getTodo(id: "missing") { id } }'],
    ['a root field error, located at the field', '{ getTodo(id: "forbidden") { id } }'],
  ] as const;
  for (const [what, query, variables] of answered) {
    it(`answers ${what} as graphql-js does`, async () => {
      const r = await both(query, variables as Record<string, unknown> | undefined);
      assert.ok(r.compiled, 'the document compiles');
      assert.ok(r.viaFast, 'the compiled query answers it');
      assert.deepEqual(asJson(r.viaFast), asJson(r.viaJs));
      assert.equal(r.fastContext.fieldsCharged(), r.jsContext.fieldsCharged(), 'the same fields are charged');
    });
  }

  const deferred = [
    ['a null in a non-null field', '{ getTodo(id: "nullscore") { id score } }'],
    ['an enum value the type refuses', '{ getTodo(id: "badenum") { status } }'],
    ['an own leaf resolver that throws for one item', '{ listTodos { items { id secret } } }'],
    ['a leaf answered by a promise', '{ asyncLeaf { items { content } } }'],
    ['a list field answered by a non-list', '{ broken { items { id } } }'],
    ['variables that do not coerce', 'query Q($n: Int) { listTodos(limit: $n) { items { id } } }', { n: 'many' }],
  ] as const;
  for (const [what, query, variables] of deferred) {
    it(`leaves ${what} to graphql-js`, async () => {
      const r = await both(query, variables as Record<string, unknown> | undefined);
      assert.ok(r.compiled, 'the document compiles');
      assert.equal(r.viaFast, undefined);
    });
  }

  const notCompiled = [
    ['fragments', '{ listTodos { items { ...F } } } fragment F on Todo { id }'],
    ['inline fragments', '{ listTodos { items { ... on Todo { id } } } }'],
    ['directives', 'query Q($s: Boolean!) { listTodos { items { id @skip(if: $s) } } }'],
    ['duplicate response keys', '{ listTodos { items { id id } } }'],
    ['several root fields', '{ a: getTodo(id: "t1") { id } b: getTodo(id: "t2") { id } }'],
    ['a non-null root field', '{ strictTodo(id: "t1") { id } }'],
    ['a nested field with arguments', '{ getTodo(id: "t1") { note } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
    ['a mutation', 'mutation { x }'],
    ['a root field whose resolver is not marked as a read', '{ sideEffect { items { id } } }'],
    ['a leaf whose resolver is not marked as a read', '{ listTodos { items { id callsOut } } }'],
  ] as const;
  for (const [what, query] of notCompiled) {
    it(`does not compile ${what}`, () => {
      const document = parse(query);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      assert.equal(compiledQuery(schema, operation), undefined);
    });
  }

  it('stops at the budget as the metered resolvers do: the answer is the limit alone', async () => {
    const r = await both('{ listTodos(limit: 50) { items { id content } } }', undefined, 20);
    assert.ok(r.viaFast);
    assert.ok(r.fastContext.budget?.exceeded, 'the compiled query passed the limit');
    assert.ok(r.jsContext.budget?.exceeded, 'graphql-js passed the same limit');
    assert.equal(r.fastContext.budget?.exceeded?.message, r.jsContext.budget?.exceeded?.message);
  });
});
