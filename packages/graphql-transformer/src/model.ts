/**
 * `@model`: auto fields (id, timestamps), the connection, filter, condition and mutation inputs, and the
 * get/list/sync queries, create/update/delete mutations and onCreate/onUpdate/onDelete subscriptions.
 * Field order inside generated inputs follows the Amplify transformer, because clients and codegen see it.
 */
import type { DirectiveNode, FieldDefinitionNode, ObjectTypeDefinitionNode, TypeNode } from 'graphql';
import { baseTypeName, directiveArgs, isScalarName, listOf, makeDirective, named, nonNull, nullable, stringList, withBaseName } from './ast.js';
import type { Context, ModelConfig, ModelState, SubscriptionLevel } from './context.js';
import { SchemaError } from './errors.js';
import { addEnumFilters, addSharedInputs, addSortDirection, conditionInput, subscriptionFilterInput } from './filters.js';
import { names, operationName } from './naming.js';
import { arg, field } from './output.js';
import type { OutArg, OutField, OutInput } from './output.js';

type Named = { name: string; type: TypeNode };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOrNull = (v: unknown, fallback: string | null): string | null => (v === null ? null : typeof v === 'string' ? v : fallback);
const listOrNull = (v: unknown, fallback: string[] | null): string[] | null => {
  if (v === null) return null;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return fallback;
};

/**
 * The `@model` arguments with Gen 1 defaults: a map given in the directive replaces the default map as a
 * whole (shouldDeepMergeDirectiveConfigDefaults=false), so `queries: { get: "x" }` drops the list query.
 */
export const readModelConfig = (ctx: Context, typeName: string, directive: DirectiveNode): ModelConfig => {
  const args = directiveArgs(directive);
  const deep = ctx.params.shouldDeepMergeDirectiveConfigDefaults;
  const dq = { get: operationName.get(typeName), list: operationName.list(typeName), sync: ctx.syncEnabled ? operationName.sync(typeName) : null };
  const dm = { create: operationName.create(typeName), update: operationName.update(typeName), delete: operationName.delete(typeName) };
  const ds = { onCreate: [operationName.onCreate(typeName)], onUpdate: [operationName.onUpdate(typeName)], onDelete: [operationName.onDelete(typeName)] };

  let queries: ModelConfig['queries'] = dq;
  if (args.queries === null) queries = null;
  else if (isRecord(args.queries)) {
    const q = args.queries;
    const d = deep ? dq : { get: null, list: null, sync: null };
    queries = { get: nameOrNull(q.get, d.get), list: nameOrNull(q.list, d.list), sync: nameOrNull(q.sync, d.sync) };
  }
  let mutations: ModelConfig['mutations'] = dm;
  if (args.mutations === null) mutations = null;
  else if (isRecord(args.mutations)) {
    const m = args.mutations;
    const d = deep ? dm : { create: null, update: null, delete: null };
    mutations = { create: nameOrNull(m.create, d.create), update: nameOrNull(m.update, d.update), delete: nameOrNull(m.delete, d.delete) };
  }
  let subscriptions: ModelConfig['subscriptions'] = { ...ds, level: 'on' };
  if (args.subscriptions === null) subscriptions = null;
  else if (isRecord(args.subscriptions)) {
    const s = args.subscriptions;
    const level: SubscriptionLevel = s.level === 'off' || s.level === 'public' ? s.level : 'on';
    const given = s.onCreate !== undefined || s.onUpdate !== undefined || s.onDelete !== undefined;
    if (!deep && level === 'public' && !given) subscriptions = { ...ds, level };
    else {
      const d = deep ? ds : { onCreate: null, onUpdate: null, onDelete: null };
      subscriptions = {
        onCreate: listOrNull(s.onCreate, d.onCreate),
        onUpdate: listOrNull(s.onUpdate, d.onUpdate),
        onDelete: listOrNull(s.onDelete, d.onDelete),
        level,
      };
    }
  }
  let timestamps: ModelConfig['timestamps'] = { createdAt: 'createdAt', updatedAt: 'updatedAt' };
  if (args.timestamps === null) timestamps = { createdAt: null, updatedAt: null };
  else if (isRecord(args.timestamps)) {
    timestamps = { createdAt: nameOrNull(args.timestamps.createdAt, 'createdAt'), updatedAt: nameOrNull(args.timestamps.updatedAt, 'updatedAt') };
  }
  return { queries, mutations, subscriptions, timestamps };
};

/** Creates the model's state when its definition is read (before any schema change). */
export const registerModel = (ctx: Context, def: ObjectTypeDefinitionNode, directive: DirectiveNode): ModelState => {
  const name = def.name.value;
  if (['Query', 'Mutation', 'Subscription'].includes(name)) {
    throw new SchemaError(`'${name}' is a reserved type name and currently in use within the default schema element.`, { typeName: name, directive: 'model' });
  }
  const state: ModelState = {
    name,
    def,
    config: readModelConfig(ctx, name, directive),
    tableName: name,
    primaryKey: { partitionField: 'id', sortKeyFields: [] },
    idAutoAdded: false,
    indexes: [],
    relations: [],
    hasAuth: def.directives?.some((d) => d.name.value === 'auth') ?? false,
    authRules: [],
    writtenAuthRules: [],
    fieldAuthRules: new Map(),
    defaults: {},
    sync: ctx.syncEnabled ? ctx.syncConfigFor(name) : undefined,
  };
  ctx.models.set(name, state);
  return state;
};

/** Converts a model field to its mutation input field: non-model object types become `<Type>Input`. */
const inputFieldFrom = (ctx: Context, f: Named, parentIsModel: boolean): OutArg => {
  const base = baseTypeName(f.type);
  const auto: Record<string, string[]> = { id: ['ID'], createdAt: ['AWSDateTime', 'String'], updatedAt: ['AWSDateTime', 'String'] };
  let type: TypeNode;
  if (parentIsModel && auto[f.name]?.includes(baseTypeName(nullable(f.type))) && nullable(f.type).kind === 'NamedType') type = nullable(f.type);
  else if (isScalarName(base) || ctx.isEnum(base)) type = f.type;
  else type = withBaseName(f.type, names.nonModelInput(base));
  return arg(f.name, type);
};

/** `<Type>Input` for every non-model object type reachable from these fields. */
const addNonModelInputs = (ctx: Context, fields: readonly Named[]): void => {
  for (const f of fields) {
    const base = baseTypeName(f.type);
    if (!ctx.isNonModelObject(base)) continue;
    const inputName = names.nonModelInput(base);
    if (ctx.output.has(inputName)) continue;
    const def = ctx.objects.get(base)!;
    const nested = (def.fields ?? []).map((x) => ({ name: x.name.value, type: x.type }));
    ctx.output.add({ kind: 'input', name: inputName, fields: nested.map((x) => inputFieldFrom(ctx, x, false)), directives: [] });
    addNonModelInputs(ctx, nested);
  }
};

const declared = (def: ObjectTypeDefinitionNode): Named[] => (def.fields ?? []).map((f: FieldDefinitionNode) => ({ name: f.name.value, type: f.type }));

const createInput = (ctx: Context, m: ModelState, fields: Named[]): OutInput => {
  const kept = fields.filter((f) => !ctx.isModel(baseTypeName(f.type)));
  const out = kept.map((f) => inputFieldFrom(ctx, f, true));
  const id = out.find((f) => f.name === 'id');
  if (!id) out.push(arg('id', 'ID'));
  else if (['ID', 'String'].includes(baseTypeName(id.type))) id.type = nullable(id.type);
  for (const ts of [m.config.timestamps.createdAt, m.config.timestamps.updatedAt]) {
    const f = out.find((x) => x.name === ts);
    if (f && ['String', 'AWSDateTime'].includes(baseTypeName(f.type))) f.type = nullable(f.type);
  }
  if (ctx.syncEnabled) out.push(arg('_version', 'Int'));
  return { kind: 'input', name: names.createInput(m.name), fields: out, directives: [] };
};

const updateInput = (ctx: Context, m: ModelState, fields: Named[]): OutInput => {
  const kept = fields.filter((f) => !ctx.isModel(baseTypeName(f.type)));
  const out = kept.map((f) => inputFieldFrom(ctx, f, true));
  for (const f of out) f.type = nullable(f.type);
  const id = out.find((f) => f.name === 'id');
  if (!id) out.push(arg('id', nonNull(named('ID'))));
  else id.type = nonNull(id.type);
  if (ctx.syncEnabled) out.push(arg('_version', 'Int'));
  return { kind: 'input', name: names.updateInput(m.name), fields: out, directives: [] };
};

const deleteInput = (ctx: Context, m: ModelState): OutInput => ({
  kind: 'input',
  name: names.deleteInput(m.name),
  fields: [arg('id', nonNull(named('ID'))), ...(ctx.syncEnabled ? [arg('_version', 'Int')] : [])],
  directives: [],
});

/** Applies `@model` to every model, in definition order. */
export const transformModels = (ctx: Context): void => {
  addSharedInputs(ctx);
  addSortDirection(ctx);
  for (const m of ctx.models.values()) transformModel(ctx, m);
};

const transformModel = (ctx: Context, m: ModelState): void => {
  const type = ctx.output.object(m.name)!;
  const before = declared(m.def);

  // Auto fields: id, then the timestamps, appended after the declared fields.
  if (!type.fields.some((f) => f.name === 'id')) {
    type.fields.push(field('id', nonNull(named('ID'))));
    m.idAutoAdded = true;
  }
  for (const ts of [m.config.timestamps.createdAt, m.config.timestamps.updatedAt]) {
    if (ts && !type.fields.some((f) => f.name === ts)) type.fields.push(field(ts, nonNull(named('AWSDateTime'))));
  }
  const withAuto: Named[] = type.fields.map((f) => ({ name: f.name, type: f.type }));
  addNonModelInputs(ctx, withAuto);

  const q = m.config.queries;
  const queryFields: OutField[] = [];
  if (q?.get) queryFields.push(field(q.get, m.name, [arg('id', nonNull(named('ID')))]));
  const listArgs = (): OutArg[] => [arg('filter', names.filter(m.name)), arg('limit', 'Int'), arg('nextToken', 'String')];
  if (q?.list || q?.sync) {
    ctx.output.add({
      kind: 'object',
      name: names.connection(m.name),
      fields: [field('items', nonNull(listOf(named(m.name)))), field('nextToken', 'String'), ...(ctx.syncEnabled ? [field('startedAt', 'AWSTimestamp')] : [])],
      directives: [],
      interfaces: [],
    });
    addEnumFilters(ctx, withAuto);
    const filter = conditionInput(ctx, names.filter(m.name), withAuto);
    if (ctx.syncEnabled) filter.fields.push(arg('_deleted', 'ModelBooleanInput'));
    ctx.output.add(filter);
  }
  if (q?.list) queryFields.push(field(q.list, names.connection(m.name), listArgs()));
  if (q?.sync) queryFields.push(field(q.sync, names.connection(m.name), [...listArgs(), arg('lastSync', 'AWSTimestamp')]));
  for (const f of queryFields) ctx.output.addRootField('Query', f);

  const mu = m.config.mutations;
  const mutationFields: OutField[] = [];
  if (mu?.create || mu?.update || mu?.delete) {
    addEnumFilters(ctx, before);
    const condition = conditionInput(ctx, names.condition(m.name), before);
    const idIdx = condition.fields.findIndex((f) => f.name === 'id' && baseTypeName(f.type) === 'ModelIDInput');
    if (idIdx >= 0) condition.fields.splice(idIdx, 1);
    if (ctx.syncEnabled) condition.fields.push(arg('_deleted', 'ModelBooleanInput'));
    for (const ts of [m.config.timestamps.createdAt, m.config.timestamps.updatedAt]) {
      if (ts && !before.some((f) => f.name === ts)) condition.fields.push(arg(ts, 'ModelStringInput'));
    }
    ctx.output.add(condition);
    const mutationArgs = (inputName: string): OutArg[] => [arg('input', nonNull(named(inputName))), arg('condition', names.condition(m.name))];
    if (mu.create) {
      ctx.output.add(createInput(ctx, m, before));
      mutationFields.push(field(mu.create, m.name, mutationArgs(names.createInput(m.name))));
    }
    if (mu.update) {
      ctx.output.add(updateInput(ctx, m, before));
      mutationFields.push(field(mu.update, m.name, mutationArgs(names.updateInput(m.name))));
    }
    if (mu.delete) {
      ctx.output.add(deleteInput(ctx, m));
      mutationFields.push(field(mu.delete, m.name, mutationArgs(names.deleteInput(m.name))));
    }
  }
  for (const f of mutationFields) ctx.output.addRootField('Mutation', f);

  const subscriptionFields: OutField[] = [];
  const s = m.config.subscriptions;
  if (s && s.level !== 'off') {
    const pairs: [string[] | null, string | null | undefined][] = [
      [s.onCreate, mu?.create],
      [s.onUpdate, mu?.update],
      [s.onDelete, mu?.delete],
    ];
    for (const [subs, mutation] of pairs) {
      if (!subs || !mutation) continue;
      for (const sub of subs) {
        subscriptionFields.push(
          field(sub, m.name, [arg('filter', names.subscriptionFilter(m.name))], [makeDirective('aws_subscribe', { mutations: stringList([mutation]) })]),
        );
      }
    }
    if (subscriptionFields.length > 0) {
      addEnumFilters(ctx, withAuto);
      const filter = subscriptionFilterInput(ctx, names.subscriptionFilter(m.name), withAuto);
      if (ctx.syncEnabled) filter.fields.push(arg('_deleted', 'ModelBooleanInput'));
      ctx.output.add(filter);
    }
  }
  for (const f of subscriptionFields) ctx.output.addRootField('Subscription', f);

  if (ctx.syncEnabled) {
    type.fields.push(field('_version', nonNull(named('Int'))), field('_deleted', 'Boolean'), field('_lastChangedAt', nonNull(named('AWSTimestamp'))));
  }

  const d = sandboxDirectives(ctx, m);
  if (d.length > 0) {
    ctx.output.addTypeDirectives(m.name, d);
    propagateToNonModelTypes(ctx, m.name, d, new Set());
    for (const [root, fields] of [
      ['Query', queryFields],
      ['Mutation', mutationFields],
      ['Subscription', subscriptionFields],
    ] as const) {
      for (const f of fields) addDirectivesToOperation(ctx, root, f.name, d);
    }
  }
};

/** Sandbox mode: a model without @auth is open to the API key; say so when the API key is not the default mode. */
export const sandboxDirectives = (ctx: Context, m: ModelState): DirectiveNode[] =>
  !m.hasAuth && ctx.params.sandboxModeEnabled && ctx.authConfig.defaultAuthentication.authenticationType !== 'API_KEY' ? [makeDirective('aws_api_key')] : [];

/** Adds directives to a root field and to the object type it returns (as AppSync needs both). */
export const addDirectivesToOperation = (ctx: Context, root: string, fieldName: string, directives: DirectiveNode[]): void => {
  if (directives.length === 0) return;
  ctx.output.addFieldDirectives(root, fieldName, directives);
  const f = ctx.output.object(root)?.fields.find((x) => x.name === fieldName);
  if (f && f.type.kind === 'NamedType') ctx.output.addTypeDirectives(f.type.name.value, directives);
};

/** Non-model object types reachable from a model get its auth mode directives, once each. */
export const propagateToNonModelTypes = (ctx: Context, typeName: string, directives: DirectiveNode[], seen: Set<string>): void => {
  const t = ctx.output.object(typeName);
  for (const f of t?.fields ?? []) {
    const base = baseTypeName(f.type);
    if (!ctx.isNonModelObject(base) || seen.has(base)) continue;
    const target = ctx.output.object(base);
    if (!target) continue;
    const missing = directives.filter((d) => !target.directives.some((x) => x.name.value === d.name.value));
    if (missing.length === 0) continue;
    seen.add(base);
    ctx.output.addTypeDirectives(base, missing);
    propagateToNonModelTypes(ctx, base, directives, seen);
  }
};
