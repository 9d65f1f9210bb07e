/**
 * `@default`, `@function`, `@http` and `@mapsTo`: validation and what the plan records about them. Their
 * schema effects: a nullable field with a default value stays optional in the create input, and `@http`
 * rewrites its field's arguments into generated input types.
 */
import type { FieldDefinitionNode } from 'graphql';
import { baseTypeName, directiveArgs, findDirective, isListType, isNonNullType, isScalarName, named, nonNull, nullable, stringArg } from './ast.js';
import { arg, type OutArg, type OutInput } from './output.js';
import { READ_OPERATIONS, readRules } from './auth.js';
import { readFunctionCalls } from './function-directive.js';
import type { Context } from './context.js';
import type { GraphQLPlanExternalField } from '@forte/protocol';
import { SchemaError } from './errors.js';

const checkDefaultValue = (ctx: Context, typeName: string, f: FieldDefinitionNode, value: string): void => {
  const at = { typeName, fieldName: f.name.value, directive: 'default' };
  const base = baseTypeName(f.type);
  const bad = (what: string) => new SchemaError(`Default value "${value}" is not a valid ${what} for ${typeName}.${f.name.value}.`, at);
  if (ctx.isEnum(base)) {
    if (!ctx.enums.get(base)!.values?.some((v) => v.name.value === value)) throw bad(`value of enum ${base}`);
    return;
  }
  switch (base) {
    case 'Int':
    case 'AWSTimestamp':
      if (!/^-?\d+$/.test(value)) throw bad(base);
      return;
    case 'Float':
      if (Number.isNaN(Number(value)) || value.trim() === '') throw bad('Float');
      return;
    case 'Boolean':
      if (value !== 'true' && value !== 'false') throw bad('Boolean');
      return;
    case 'AWSJSON':
      try {
        JSON.parse(value);
      } catch {
        throw bad('AWSJSON');
      }
      return;
    default:
      return;
  }
};

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** Amplify's input names for `@http` arguments: `<Type><Field>ParamsInput` / `QueryInput` / `BodyInput`, letters and digits only. */
const httpInputName = (typeName: string, fieldName: string, suffix: string): string =>
  `${upperFirst(typeName)}${upperFirst(fieldName)}${suffix}`.replace(/[^_0-9A-Za-z]/g, '');

/** The header list of an `@http` directive (a single object counts as a list of one). */
const httpHeaders = (value: unknown, at: { typeName: string; fieldName: string; directive: string }): { key: string; value: string }[] => {
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  return list.map((h: unknown) => {
    const header = h as { key?: unknown; value?: unknown } | null;
    if (typeof header?.key !== 'string' || typeof header.value !== 'string')
      throw new SchemaError(`@http headers on ${at.typeName}.${at.fieldName} must be {key: "…", value: "…"} objects.`, at);
    return { key: header.key, value: header.value };
  });
};

/**
 * `@http`, as Amplify's transformer rewrites the field: `:name` segments of the URL's path become a
 * non-null `params: <Type><Field>ParamsInput!` (every one a `String!`; the other arguments then count only
 * when scalar), the other arguments `query: <Type><Field>QueryInput` (non-null types kept for GET, where
 * any non-null one makes `query` non-null; all optional otherwise) and, for POST, PUT and PATCH, the same
 * again as `body: <Type><Field>BodyInput`. A rewritten field moves to the end of its type, as there.
 */
const transformHttpField = (ctx: Context, typeName: string, f: FieldDefinitionNode, args: Record<string, unknown>): GraphQLPlanExternalField => {
  const fieldName = f.name.value;
  const at = { typeName, fieldName, directive: 'http' };
  const url = stringArg(args.url);
  if (!url) throw new SchemaError(`@http on ${typeName}.${fieldName} needs a url.`, at);
  if (!/^https?:\/\//.test(url)) throw new SchemaError(`@http on ${typeName}.${fieldName} requires a url that begins with http:// or https://.`, at);
  const method = stringArg(args.method) ?? 'GET';
  const headers = httpHeaders(args.headers, at);
  const afterScheme = url.replace(/^https?:\/\//, '');
  const path = afterScheme.includes('/') ? afterScheme.slice(afterScheme.indexOf('/')) : '/';
  const supportsBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const parent = ctx.output.object(typeName);
  const current = parent?.fields.find((x) => x.name === fieldName);
  let queryAndBody: OutArg[] = current?.args ?? [];
  const newArgs: OutArg[] = [];
  const params = (path.match(/:\w+/g) ?? []).map((p) => p.slice(1));
  if (params.length > 0) {
    queryAndBody = queryAndBody.filter((a) => isScalarName(baseTypeName(a.type)) && !params.includes(a.name));
    const name = httpInputName(typeName, fieldName, 'ParamsInput');
    ctx.output.put({ kind: 'input', name, fields: params.map((p) => arg(p, nonNull(named('String')))), directives: [] });
    newArgs.push(arg('params', nonNull(named(name))));
  }
  if (queryAndBody.length > 0) {
    const inputOf = (name: string, optional: boolean): OutInput => ({
      kind: 'input',
      name,
      fields: queryAndBody.map((a) => ({ ...a, type: optional ? nullable(a.type) : a.type })),
      directives: [],
    });
    const query = inputOf(httpInputName(typeName, fieldName, 'QueryInput'), method !== 'GET');
    const required = query.fields.some((a) => isNonNullType(a.type));
    ctx.output.put(query);
    newArgs.push(arg('query', required ? nonNull(named(query.name)) : named(query.name)));
    if (supportsBody) {
      const body = inputOf(httpInputName(typeName, fieldName, 'BodyInput'), true);
      ctx.output.put(body);
      newArgs.push(arg('body', required ? nonNull(named(body.name)) : named(body.name)));
    }
  }
  if (parent && current && newArgs.length > 0) {
    parent.fields = [...parent.fields.filter((x) => x !== current), { ...current, args: newArgs }];
  }
  const nonNullArgs = supportsBody ? queryAndBody.filter((a) => isNonNullType(a.type)).map((a) => a.name) : [];
  return {
    typeName,
    fieldName,
    kind: 'http',
    http: { method, url, ...(headers.length > 0 ? { headers } : {}), ...(nonNullArgs.length > 0 ? { nonNullArgs } : {}) },
  };
};

/** The plan's record of each `@http` field (`Type.field`), made when its arguments were rewritten. */
const httpPlans = new WeakMap<Context, Map<string, GraphQLPlanExternalField>>();

/**
 * `@http` fields of every type, rewritten before the models add their operations, timestamps and keys (as
 * Amplify's transformer rewrites them while it visits the schema, before any type grows).
 */
export const transformHttpFields = (ctx: Context): void => {
  const plans = new Map<string, GraphQLPlanExternalField>();
  httpPlans.set(ctx, plans);
  for (const def of ctx.objects.values()) {
    for (const f of def.fields ?? []) {
      const http = findDirective(f, 'http');
      if (http) plans.set(`${def.name.value}.${f.name.value}`, transformHttpField(ctx, def.name.value, f, directiveArgs(http)));
    }
  }
};

export const transformCustomDirectives = (ctx: Context): void => {
  for (const def of ctx.objects.values()) {
    const typeName = def.name.value;
    const m = ctx.models.get(typeName);
    const mapsTo = findDirective(def, 'mapsTo');
    if (mapsTo) {
      const name = stringArg(directiveArgs(mapsTo).name);
      if (!m || !name)
        throw new SchemaError(`@mapsTo on ${typeName} needs @model and a name: @mapsTo(name: "OriginalName").`, { typeName, directive: 'mapsTo' });
      m.tableName = name;
    }
    for (const f of def.fields ?? []) {
      const fieldName = f.name.value;
      const d = findDirective(f, 'default');
      if (d) {
        const at = { typeName, fieldName, directive: 'default' };
        if (!m) throw new SchemaError(`The @default directive may only be added to object definitions annotated with @model (${typeName}.${fieldName}).`, at);
        const base = baseTypeName(f.type);
        if (isListType(f.type) || !(isScalarName(base) || ctx.isEnum(base))) {
          throw new SchemaError(
            `The @default directive may only be added to scalar or enum field types (${typeName}.${fieldName} is ${base}${isListType(f.type) ? ' list' : ''}).`,
            at,
          );
        }
        const value = directiveArgs(d).value;
        if (typeof value !== 'string') throw new SchemaError(`@default on ${typeName}.${fieldName} needs a value: @default(value: "…").`, at);
        checkDefaultValue(ctx, typeName, f, value);
        // The create input keeps the field's type as written (a non-null field stays required), as Amplify's does.
        m.defaults[fieldName] = value;
      }
      const functionCalls = readFunctionCalls(typeName, f);
      if (functionCalls.length > 0) {
        const fieldAuth = m ? undefined : findDirective(f, 'auth');
        // On a type without @model only static rules can decide (no item to own); who may call the field.
        const authRules = fieldAuth
          ? readRules(ctx, fieldAuth, typeName, fieldName)
              .filter((r) => r.strategy !== 'owner' && !r.groupsField)
              .map((r) => ({ ...r, operations: [...READ_OPERATIONS] }))
          : undefined;
        ctx.externalFields.push({
          typeName,
          fieldName,
          kind: 'function',
          functions: functionCalls.map((c) => c.name),
          functionCalls,
          ...(authRules ? { authRules } : {}),
        });
      }
      const http = httpPlans.get(ctx)?.get(`${typeName}.${fieldName}`);
      if (http) ctx.externalFields.push(http);
      if (findDirective(f, 'predictions')) {
        throw new SchemaError(`@predictions on ${typeName}.${fieldName} is not supported: remove it or replace it with a @function field.`, {
          typeName,
          fieldName,
          directive: 'predictions',
        });
      }
    }
  }
};
