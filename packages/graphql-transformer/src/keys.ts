/**
 * `@primaryKey` and `@index`: the table key and its secondary indexes, the key arguments of get/list, the
 * key fields of the mutation inputs, and the index queries (`ordersByStatus`).
 */
import type { FieldDefinitionNode, TypeNode } from 'graphql';
import {
  baseTypeName,
  directiveArgs,
  fieldNamed,
  findDirective,
  findDirectives,
  isListType,
  isScalarName,
  listOf,
  named,
  nonNull,
  nullable,
  stringArg,
  stringListArg,
} from './ast.js';
import type { Context, IndexState, ModelState } from './context.js';
import { SchemaError } from './errors.js';
import { keyConditionInputFor } from './filters.js';
import { camelCase, lowerFirst, names, plural, upperFirst } from './naming.js';
import { addDirectivesToOperation, sandboxDirectives } from './model.js';
import { arg, field } from './output.js';
import type { OutArg } from './output.js';

const keyTypeError = (ctx: Context, m: ModelState, f: FieldDefinitionNode, what: string, directive: string): void => {
  const base = baseTypeName(f.type);
  if (isListType(f.type) || !(isScalarName(base) || ctx.isEnum(base))) {
    throw new SchemaError(
      `${what} on type '${m.name}' must be a scalar or enum field, but '${f.name.value}' is of type ${base}${isListType(f.type) ? ' (a list)' : ''}.`,
      {
        typeName: m.name,
        fieldName: f.name.value,
        directive,
      },
    );
  }
};

const sortKeyFieldsOf = (
  ctx: Context,
  m: ModelState,
  f: FieldDefinitionNode,
  sortKeyFields: string[],
  what: string,
  directive: string,
): FieldDefinitionNode[] =>
  sortKeyFields.map((name) => {
    const sk = fieldNamed(m.def.fields, name);
    if (!sk) {
      throw new SchemaError(`Can't find field '${name}' in ${m.name}, but it was specified in ${what}.`, {
        typeName: m.name,
        fieldName: f.name.value,
        directive,
      });
    }
    keyTypeError(ctx, m, sk, `The sort key of ${what}`, directive);
    return sk;
  });

/** Reads `@primaryKey` and `@index` of every model (validation and model state; no schema change yet). */
export const readKeys = (ctx: Context): void => {
  for (const m of ctx.models.values()) {
    let primary: FieldDefinitionNode | undefined;
    for (const f of m.def.fields ?? []) {
      const pk = findDirective(f, 'primaryKey');
      if (pk) {
        if (primary)
          throw new SchemaError(`You may only supply one primary key on type '${m.name}'.`, {
            typeName: m.name,
            fieldName: f.name.value,
            directive: 'primaryKey',
          });
        primary = f;
        if (f.type.kind !== 'NonNullType') {
          throw new SchemaError(
            `The primary key on type '${m.name}' must reference non-null fields: make '${f.name.value}' non-null (${baseTypeName(f.type)}!).`,
            {
              typeName: m.name,
              fieldName: f.name.value,
              directive: 'primaryKey',
            },
          );
        }
        keyTypeError(ctx, m, f, 'The primary key', 'primaryKey');
        const sortKeyFields = stringListArg(directiveArgs(pk).sortKeyFields) ?? [];
        sortKeyFieldsOf(ctx, m, f, sortKeyFields, 'the primary key', 'primaryKey');
        m.primaryKey = { partitionField: f.name.value, sortKeyFields };
      }
      for (const ix of findDirectives(f, 'index')) {
        const args = directiveArgs(ix);
        const sortKeyFields = stringListArg(args.sortKeyFields) ?? [];
        keyTypeError(ctx, m, f, 'An index', 'index');
        let name = stringArg(args.name);
        if (name !== undefined && name.trim() === '') {
          throw new SchemaError(`@index on ${m.name}.${f.name.value} has an empty name: give the index a name or leave the argument out.`, {
            typeName: m.name,
            fieldName: f.name.value,
            directive: 'index',
          });
        }
        // Unnamed indexes are named like their automatic query (`ordersBySku`), even when queryField is given.
        const autoName = `${lowerFirst(plural(m.name))}By${[f.name.value, ...sortKeyFields].map(upperFirst).join('And')}`;
        let queryField = stringArg(args.queryField);
        if (!queryField && ctx.params.enableAutoIndexQueryNames) queryField = autoName;
        if (name === undefined) {
          if (!ctx.params.enableAutoIndexQueryNames) {
            throw new SchemaError(
              `@index on ${m.name}.${f.name.value} has no name: add name: "by${upperFirst(f.name.value)}" (index names are required when automatic index query names are off).`,
              {
                typeName: m.name,
                fieldName: f.name.value,
                directive: 'index',
              },
            );
          }
          name = autoName;
        }
        if (m.indexes.some((i) => i.name === name)) {
          throw new SchemaError(`You may only supply one @index named '${name}' on type '${m.name}'.`, {
            typeName: m.name,
            fieldName: f.name.value,
            directive: 'index',
          });
        }
        sortKeyFieldsOf(ctx, m, f, sortKeyFields, `index '${name}'`, 'index');
        m.indexes.push({ name, partitionField: f.name.value, sortKeyFields, queryField });
      }
    }
  }
};

const fieldType = (ctx: Context, m: ModelState, name: string): TypeNode => {
  const f = ctx.output.object(m.name)?.fields.find((x) => x.name === name) ?? fieldNamed(m.def.fields, name);
  if (!f) throw new Error(`internal: ${m.name}.${name} not found`);
  return f.type;
};

/** The sort key argument of a key query: a key condition, or a composite key condition for several fields. */
const sortKeyArg = (ctx: Context, m: ModelState, sortKeyFields: string[], compositeName: string): OutArg | undefined => {
  if (sortKeyFields.length === 0) return undefined;
  if (sortKeyFields.length === 1) {
    const sk = sortKeyFields[0]!;
    return arg(sk, keyConditionInputFor(ctx, fieldType(ctx, m, sk)));
  }
  const keyInput = `${compositeName}Input`;
  const conditionInput = `${compositeName}ConditionInput`;
  ctx.output.add({
    kind: 'input',
    name: conditionInput,
    fields: [...['eq', 'le', 'lt', 'ge', 'gt'].map((op) => arg(op, keyInput)), arg('between', listOf(named(keyInput))), arg('beginsWith', keyInput)],
    directives: [],
  });
  ctx.output.add({
    kind: 'input',
    name: keyInput,
    fields: sortKeyFields.map((sk) => arg(sk, nullable(fieldType(ctx, m, sk)))),
    directives: [],
  });
  return arg(camelCase(sortKeyFields), conditionInput);
};

/** Applies the primary keys to the generated operations and inputs. */
export const transformPrimaryKeys = (ctx: Context): void => {
  for (const m of ctx.models.values()) {
    if (!m.def.fields?.some((f) => findDirective(f, 'primaryKey'))) continue;
    const { partitionField, sortKeyFields } = m.primaryKey;
    const keyFields = [partitionField, ...sortKeyFields];
    const q = m.config.queries;
    const query = ctx.output.object('Query');
    if (q?.get) {
      const get = query?.fields.find((f) => f.name === q.get);
      if (get) get.args = keyFields.map((k) => arg(k, nonNull(fieldType(ctx, m, k))));
    }
    if (q?.list) {
      const list = query?.fields.find((f) => f.name === q.list);
      if (list) {
        const sk = sortKeyArg(ctx, m, sortKeyFields, `Model${m.name}PrimaryCompositeKey`);
        list.args = [
          arg(partitionField, nullable(fieldType(ctx, m, partitionField))),
          ...(sk ? [sk] : []),
          ...list.args,
          arg('sortDirection', 'ModelSortDirection'),
        ];
      }
    }
    const autoIdRemoved = m.idAutoAdded && partitionField !== 'id';
    if (autoIdRemoved) {
      const type = ctx.output.object(m.name)!;
      type.fields = type.fields.filter((f) => f.name !== 'id');
    }
    const create = ctx.output.input(names.createInput(m.name));
    if (create && autoIdRemoved) create.fields = create.fields.filter((f) => f.name !== 'id');
    const update = ctx.output.input(names.updateInput(m.name));
    if (update) {
      if (autoIdRemoved) update.fields = update.fields.filter((f) => f.name !== 'id');
      for (const f of update.fields) if (keyFields.includes(f.name)) f.type = nonNull(f.type);
    }
    const del = ctx.output.input(names.deleteInput(m.name));
    if (del) {
      const rest = del.fields.filter((f) => f.name !== 'id');
      del.fields = [...keyFields.map((k) => arg(k, nonNull(fieldType(ctx, m, k)))), ...rest];
    }
    const condition = ctx.output.input(names.condition(m.name));
    if (condition) condition.fields = condition.fields.filter((f) => !keyFields.includes(f.name));
  }
};

/** Adds the query of an index (`ordersByStatus(status: OrderStatus!, createdAt: ModelStringKeyConditionInput, …)`). */
export const addIndexQuery = (ctx: Context, m: ModelState, index: IndexState): void => {
  if (!index.queryField) return;
  const sk = sortKeyArg(ctx, m, index.sortKeyFields, `Model${m.name}${upperFirst(index.name)}CompositeKey`);
  ctx.output.addRootField(
    'Query',
    field(index.queryField, names.connection(m.name), [
      arg(index.partitionField, nonNull(nullable(fieldType(ctx, m, index.partitionField)))),
      ...(sk ? [sk] : []),
      arg('sortDirection', 'ModelSortDirection'),
      arg('filter', names.filter(m.name)),
      arg('limit', 'Int'),
      arg('nextToken', 'String'),
    ]),
  );
  addDirectivesToOperation(ctx, 'Query', index.queryField, sandboxDirectives(ctx, m));
};

export const transformIndexes = (ctx: Context): void => {
  for (const m of ctx.models.values()) for (const index of m.indexes) if (!index.generated) addIndexQuery(ctx, m, index);
};

/** The argument of a relation field for the sort key(s) of the index it queries. */
export const indexSortKeyArg = (ctx: Context, m: ModelState, index: IndexState): OutArg | undefined =>
  sortKeyArg(ctx, m, index.sortKeyFields, `Model${m.name}${upperFirst(index.name)}CompositeKey`);

/** The argument of a relation field for the sort key(s) of the related model's primary key. */
export const primaryKeySortArg = (ctx: Context, m: ModelState): OutArg | undefined =>
  sortKeyArg(ctx, m, m.primaryKey.sortKeyFields, `Model${m.name}PrimaryCompositeKey`);
