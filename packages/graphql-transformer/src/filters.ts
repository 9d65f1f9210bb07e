/**
 * The shared filter and condition inputs (`ModelStringInput`, `ModelSubscriptionIDInput`, key conditions…)
 * and the per-model filter inputs built from a model's fields.
 */
import { Kind } from 'graphql';
import type { TypeNode } from 'graphql';
import { DEFAULT_SCALARS, baseTypeName, isListType, isScalarName, listOf } from './ast.js';
import type { Context } from './context.js';
import { arg } from './output.js';
import type { OutArg, OutInput } from './output.js';

const STRING_CONDITIONS = ['ne', 'eq', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'between', 'beginsWith'];
const NUMBER_CONDITIONS = ['ne', 'eq', 'le', 'lt', 'ge', 'gt', 'between'];
const BOOLEAN_CONDITIONS = ['ne', 'eq'];
const SUBSCRIPTION_STRING_CONDITIONS = [...STRING_CONDITIONS, 'in', 'notIn'];
const SUBSCRIPTION_NUMBER_CONDITIONS = [...NUMBER_CONDITIONS, 'in', 'notIn'];
const FILTER_SCALARS = ['String', 'Int', 'Float', 'Boolean', 'ID'] as const;

const input = (name: string, fields: OutArg[]): OutInput => ({ kind: 'input', name, fields, directives: [] });

const conditionsFor = (scalar: string, subscription: boolean): string[] => {
  if (scalar === 'String' || scalar === 'ID') return subscription ? SUBSCRIPTION_STRING_CONDITIONS : STRING_CONDITIONS;
  if (scalar === 'Boolean') return BOOLEAN_CONDITIONS;
  return subscription ? SUBSCRIPTION_NUMBER_CONDITIONS : NUMBER_CONDITIONS;
};

const scalarFilterInput = (scalar: string, subscription: boolean): OutInput => {
  const name = `Model${subscription ? 'Subscription' : ''}${scalar}Input`;
  const fields = conditionsFor(scalar, subscription).map((c) =>
    arg(c, ['between', 'in', 'notIn'].includes(c) ? listOf({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: scalar } }) : scalar),
  );
  if (!subscription) {
    fields.push(arg('attributeExists', 'Boolean'), arg('attributeType', 'ModelAttributeTypes'));
    if (scalar === 'String' || scalar === 'ID') fields.push(arg('size', 'ModelSizeInput'));
  }
  return input(name, fields);
};

/** The inputs every schema gets, with or without models (reference §2.6 quirk 1). */
export const addSharedInputs = (ctx: Context): void => {
  for (const s of FILTER_SCALARS) ctx.output.add(scalarFilterInput(s, false));
  for (const s of FILTER_SCALARS) ctx.output.add(scalarFilterInput(s, true));
  ctx.output.add({
    kind: 'other',
    name: 'ModelAttributeTypes',
    node: {
      kind: Kind.ENUM_TYPE_DEFINITION,
      name: { kind: Kind.NAME, value: 'ModelAttributeTypes' },
      values: ['binary', 'binarySet', 'bool', 'list', 'map', 'number', 'numberSet', 'string', 'stringSet', '_null'].map((v) => ({
        kind: Kind.ENUM_VALUE_DEFINITION,
        name: { kind: Kind.NAME, value: v },
      })),
    },
  });
  ctx.output.add(
    input(
      'ModelSizeInput',
      NUMBER_CONDITIONS.map((c) => arg(c, c === 'between' ? listOf({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Int' } }) : 'Int')),
    ),
  );
};

export const addSortDirection = (ctx: Context): void => {
  ctx.output.add({
    kind: 'other',
    name: 'ModelSortDirection',
    node: {
      kind: Kind.ENUM_TYPE_DEFINITION,
      name: { kind: Kind.NAME, value: 'ModelSortDirection' },
      values: ['ASC', 'DESC'].map((v) => ({ kind: Kind.ENUM_VALUE_DEFINITION, name: { kind: Kind.NAME, value: v } })),
    },
  });
};

/** The filter input type name of a scalar or enum field (`ModelStringInput`, `ModelStatusInput`, `ModelStatusListInput`). */
export const filterTypeFor = (ctx: Context, type: TypeNode): string | undefined => {
  const base = baseTypeName(type);
  if (isScalarName(base)) return `Model${DEFAULT_SCALARS[base]}Input`;
  if (ctx.isEnum(base)) return isListType(type) ? `Model${base}ListInput` : `Model${base}Input`;
  return undefined;
};

export const subscriptionFilterTypeFor = (ctx: Context, type: TypeNode): string | undefined => {
  const base = baseTypeName(type);
  if (isScalarName(base)) return `ModelSubscription${DEFAULT_SCALARS[base]}Input`;
  if (ctx.isEnum(base)) return 'ModelSubscriptionStringInput';
  return undefined;
};

/** `Model<Enum>Input` / `Model<Enum>ListInput` for the enum fields among `fields`. */
export const addEnumFilters = (ctx: Context, fields: { type: TypeNode }[]): void => {
  for (const f of fields) {
    const base = baseTypeName(f.type);
    if (!ctx.isEnum(base)) continue;
    if (isListType(f.type)) {
      ctx.output.add(
        input(`Model${base}ListInput`, [arg('eq', listOf(named(base))), arg('ne', listOf(named(base))), arg('contains', base), arg('notContains', base)]),
      );
    } else {
      ctx.output.add(input(`Model${base}Input`, [arg('eq', base), arg('ne', base)]));
    }
  }
};

const named = (name: string): TypeNode => ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } });

/** A model's filter or condition input: one entry per scalar/enum field, then `and`, `or`, `not`. */
export const conditionInput = (ctx: Context, name: string, fields: { name: string; type: TypeNode }[]): OutInput => {
  const out: OutArg[] = [];
  for (const f of fields) {
    const t = filterTypeFor(ctx, f.type);
    if (t) out.push(arg(f.name, t));
  }
  out.push(arg('and', listOf(named(name))), arg('or', listOf(named(name))), arg('not', name));
  return input(name, out);
};

export const subscriptionFilterInput = (ctx: Context, name: string, fields: { name: string; type: TypeNode }[]): OutInput => {
  const out: OutArg[] = [];
  for (const f of fields) {
    const t = subscriptionFilterTypeFor(ctx, f.type);
    if (t) out.push(arg(f.name, t));
  }
  out.push(arg('and', listOf(named(name))), arg('or', listOf(named(name))));
  return input(name, out);
};

/** `Model<Scalar>KeyConditionInput` for a sort key of that type. */
export const keyConditionInputFor = (ctx: Context, type: TypeNode): string => {
  const base = baseTypeName(type);
  const scalar = isScalarName(base) ? DEFAULT_SCALARS[base]! : 'String';
  const name = `Model${scalar}KeyConditionInput`;
  const ops = scalar === 'String' || scalar === 'ID' ? ['eq', 'le', 'lt', 'ge', 'gt', 'between', 'beginsWith'] : ['eq', 'le', 'lt', 'ge', 'gt', 'between'];
  ctx.output.add(
    input(
      name,
      ops.map((op) => arg(op, op === 'between' ? listOf(named(scalar)) : scalar)),
    ),
  );
  return name;
};

/** Appends a field to an input unless it has one of that name. */
export const appendInputField = (target: OutInput | undefined, field: OutArg): void => {
  if (target && !target.fields.some((f) => f.name === field.name)) target.fields.push(field);
};
