/**
 * `@searchable`: the `search<Models>` query with its filter, sort and aggregation inputs and the shared
 * Searchable* types. The cloud answers it from its own index of the model table.
 */
import { Kind } from 'graphql';
import type { TypeNode } from 'graphql';
import { DEFAULT_SCALARS, baseTypeName, directiveArgs, findDirective, isScalarName, listOf, named, nonNull } from './ast.js';
import type { Context, ModelState } from './context.js';
import { plural, upperFirst } from './naming.js';
import { arg, field } from './output.js';
import type { OutArg, OutObject } from './output.js';

const STRING_OPS = ['ne', 'gt', 'lt', 'gte', 'lte', 'eq', 'match', 'matchPhrase', 'matchPhrasePrefix', 'multiMatch', 'exists', 'wildcard', 'regexp', 'range'];
const NUMBER_OPS = ['ne', 'gt', 'lt', 'gte', 'lte', 'eq', 'range'];

const enumType = (name: string, values: string[]) => ({
  kind: 'other' as const,
  name,
  node: {
    kind: Kind.ENUM_TYPE_DEFINITION,
    name: { kind: Kind.NAME, value: name },
    values: values.map((v) => ({ kind: Kind.ENUM_VALUE_DEFINITION, name: { kind: Kind.NAME, value: v } })),
  } as const,
});

const object = (name: string, fields: ReturnType<typeof field>[]): OutObject => ({ kind: 'object', name, fields, directives: [], interfaces: [] });

/** Types shared by every searchable model. */
export const SEARCHABLE_AGGREGATE_TYPES = [
  'SearchableAggregateResult',
  'SearchableAggregateScalarResult',
  'SearchableAggregateBucketResult',
  'SearchableAggregateBucketResultItem',
];

const addSharedTypes = (ctx: Context): void => {
  const scalarInput = (scalar: string, ops: string[]) =>
    ctx.output.add({
      kind: 'input',
      name: `Searchable${scalar}FilterInput`,
      fields: ops.map((op) => arg(op, op === 'exists' ? 'Boolean' : op === 'range' ? listOf(named(scalar)) : scalar)),
      directives: [],
    });
  scalarInput('String', STRING_OPS);
  scalarInput('Int', NUMBER_OPS);
  scalarInput('Float', NUMBER_OPS);
  ctx.output.add({ kind: 'input', name: 'SearchableBooleanFilterInput', fields: [arg('eq', 'Boolean'), arg('ne', 'Boolean')], directives: [] });
  scalarInput('ID', STRING_OPS);
  ctx.output.add(enumType('SearchableSortDirection', ['asc', 'desc']));
  ctx.output.add(enumType('SearchableAggregateType', ['terms', 'avg', 'min', 'max', 'sum', 'cardinality']));
  ctx.output.add(object('SearchableAggregateResult', [field('name', nonNull(named('String'))), field('result', 'SearchableAggregateGenericResult')]));
  ctx.output.add(object('SearchableAggregateScalarResult', [field('value', nonNull(named('Float')))]));
  ctx.output.add(object('SearchableAggregateBucketResult', [field('buckets', listOf(named('SearchableAggregateBucketResultItem')))]));
  ctx.output.add(object('SearchableAggregateBucketResultItem', [field('key', nonNull(named('String'))), field('doc_count', nonNull(named('Int')))]));
  ctx.output.add({
    kind: 'other',
    name: 'SearchableAggregateGenericResult',
    node: {
      kind: Kind.UNION_TYPE_DEFINITION,
      name: { kind: Kind.NAME, value: 'SearchableAggregateGenericResult' },
      types: [named('SearchableAggregateScalarResult'), named('SearchableAggregateBucketResult')] as never,
    },
  });
};

const searchableScalar = (type: TypeNode): string => {
  const base = baseTypeName(type);
  return isScalarName(base) ? DEFAULT_SCALARS[base]! : 'String';
};

const addModelTypes = (ctx: Context, m: ModelState, queryName: string): void => {
  const fields = ctx.output.object(m.name)!.fields.filter((f) => isScalarName(baseTypeName(f.type)) || ctx.isEnum(baseTypeName(f.type)));
  const scalars = fields.filter((f) => isScalarName(baseTypeName(f.type)));
  const enums = fields.filter((f) => ctx.isEnum(baseTypeName(f.type)));
  const filterName = `Searchable${m.name}FilterInput`;
  const filter: OutArg[] = [
    ...scalars.map((f) => arg(f.name, `Searchable${searchableScalar(f.type)}FilterInput`)),
    ...enums.map((f) => arg(f.name, 'SearchableStringFilterInput')),
    arg('and', listOf(named(filterName))),
    arg('or', listOf(named(filterName))),
    arg('not', filterName),
  ];
  ctx.output.add({ kind: 'input', name: filterName, fields: filter, directives: [] });
  ctx.output.add(
    enumType(
      `Searchable${m.name}SortableFields`,
      scalars.map((f) => f.name),
    ),
  );
  ctx.output.add({
    kind: 'input',
    name: `Searchable${m.name}SortInput`,
    fields: [arg('field', `Searchable${m.name}SortableFields`), arg('direction', 'SearchableSortDirection')],
    directives: [],
  });
  ctx.output.add(
    enumType(
      `Searchable${m.name}AggregateField`,
      fields.map((f) => f.name),
    ),
  );
  ctx.output.add({
    kind: 'input',
    name: `Searchable${m.name}AggregationInput`,
    fields: [
      arg('name', nonNull(named('String'))),
      arg('type', nonNull(named('SearchableAggregateType'))),
      arg('field', nonNull(named(`Searchable${m.name}AggregateField`))),
    ],
    directives: [],
  });
  ctx.output.add(
    object(`Searchable${m.name}Connection`, [
      field('items', nonNull(listOf(named(m.name)))),
      field('nextToken', 'String'),
      field('total', 'Int'),
      field('aggregateItems', nonNull(listOf(named('SearchableAggregateResult')))),
    ]),
  );
  const query = ctx.output.root('Query');
  const declared = ctx.objects.get('Query')?.fields?.length ?? 0;
  const searchFields = query.fields.slice(declared).filter((f) => baseTypeName(f.type).startsWith('Searchable') && baseTypeName(f.type).endsWith('Connection'));
  const search = field(queryName, `Searchable${m.name}Connection`, [
    arg('filter', filterName),
    arg('sort', listOf(named(`Searchable${m.name}SortInput`))),
    arg('limit', 'Int'),
    arg('nextToken', 'String'),
    arg('from', 'Int'),
    arg('aggregates', listOf(named(`Searchable${m.name}AggregationInput`))),
  ]);
  // The Amplify transformer declares search queries after the schema's own queries, ahead of the model queries.
  query.fields.splice(declared + searchFields.length, 0, search);
};

export const transformSearchable = (ctx: Context): void => {
  for (const m of ctx.models.values()) {
    const d = findDirective(m.def, 'searchable');
    if (!d) continue;
    const queries = directiveArgs(d).queries as { search?: string | null } | null | undefined;
    const queryName = queries === null || queries?.search === null ? undefined : (queries?.search ?? `search${plural(upperFirst(m.name))}`);
    addSharedTypes(ctx);
    if (!queryName) continue;
    m.searchQuery = queryName;
    addModelTypes(ctx, m, queryName);
  }
};
