/**
 * Model introspection: the `data.model_introspection` block of amplify_outputs.json, which aws-amplify v6
 * `generateClient().models` reads. It follows Amplify codegen's output for the same schema (fields as
 * written plus id and timestamps, associations, key and auth attributes with codegen's defaults).
 */
import type { FieldDefinitionNode, TypeNode } from 'graphql';
import { baseTypeName, directiveArgs, findDirective, isListItemNonNull, isListType, isNonNullType, nullable } from './ast.js';
import type { Context, ModelState } from './context.js';
import { plural, upperFirst } from './naming.js';

export interface IntrospectionField {
  name: string;
  isArray: boolean;
  type: string | { enum: string } | { model: string } | { nonModel: string };
  isRequired: boolean;
  attributes: unknown[];
  isArrayNullable?: boolean;
  isReadOnly?: boolean;
  association?: { connectionType: 'HAS_MANY' | 'HAS_ONE' | 'BELONGS_TO'; associatedWith?: string[]; targetNames?: string[] };
}

export interface ModelIntrospection {
  version: 1;
  models: Record<
    string,
    {
      name: string;
      fields: Record<string, IntrospectionField>;
      syncable: boolean;
      pluralName: string;
      attributes: unknown[];
      primaryKeyInfo: { isCustomPrimaryKey: boolean; primaryKeyFieldName: string; sortKeyFieldNames: string[] };
    }
  >;
  enums: Record<string, { name: string; values: string[] }>;
  nonModels: Record<string, { name: string; fields: Record<string, IntrospectionField> }>;
}

const DEFAULT_OPERATIONS = ['create', 'update', 'delete', 'read'];

const fieldType = (ctx: Context, type: TypeNode): IntrospectionField['type'] => {
  const base = baseTypeName(type);
  if (ctx.isModel(base)) return { model: base };
  if (ctx.isEnum(base)) return { enum: base };
  if (ctx.objects.has(base)) return { nonModel: base };
  return base;
};

const introspectField = (ctx: Context, name: string, type: TypeNode): IntrospectionField => {
  const isArray = isListType(type);
  return {
    name,
    isArray,
    type: fieldType(ctx, type),
    isRequired: isArray ? isListItemNonNull(type) : isNonNullType(type),
    attributes: [],
    ...(isArray ? { isArrayNullable: !isNonNullType(type) } : {}),
  };
};

/** An auth rule with the defaults codegen writes (which differ from the transformer's: `cognito:username`). */
const codegenRule = (rule: Record<string, unknown>): Record<string, unknown> => {
  const operations = rule.operations ?? DEFAULT_OPERATIONS;
  if (rule.allow === 'owner') return { provider: 'userPools', ownerField: 'owner', allow: 'owner', identityClaim: 'cognito:username', ...rule, operations };
  if (rule.allow === 'groups') return { groupClaim: 'cognito:groups', provider: 'userPools', allow: 'groups', ...rule, operations };
  return { ...rule, operations };
};

const modelEntry = (ctx: Context, m: ModelState) => {
  const fields: Record<string, IntrospectionField> = {};
  const declared = m.def.fields ?? [];
  const out = ctx.output.object(m.name)!;
  if (!declared.some((f) => f.name.value === 'id') && out.fields.some((f) => f.name === 'id'))
    fields.id = introspectField(ctx, 'id', out.fields.find((f) => f.name === 'id')!.type);
  for (const f of declared) {
    const entry = introspectField(ctx, f.name.value, f.type);
    const relation = m.relations.find((r) => r.field === f.name.value);
    if (relation?.kind === 'hasMany') entry.association = { connectionType: 'HAS_MANY', associatedWith: relation.targetFields };
    if (relation?.kind === 'hasOne')
      entry.association = { connectionType: 'HAS_ONE', associatedWith: relation.targetFields, targetNames: relation.sourceFields };
    if (relation?.kind === 'belongsTo') entry.association = { connectionType: 'BELONGS_TO', targetNames: relation.sourceFields };
    fields[f.name.value] = entry;
  }
  for (const ts of [m.config.timestamps.createdAt, m.config.timestamps.updatedAt]) {
    if (ts && !fields[ts]) fields[ts] = { name: ts, isArray: false, type: 'AWSDateTime', isRequired: false, attributes: [], isReadOnly: true };
  }
  // Foreign keys the relations generated (`blogPostsId`).
  const generated = new Set(m.relations.flatMap((r) => (r.kind === 'hasMany' ? [] : r.sourceFields)));
  for (const f of out.fields) {
    if (!fields[f.name] && generated.has(f.name)) fields[f.name] = { ...introspectField(ctx, f.name, nullable(f.type)) };
  }
  const modelArgs = directiveArgs(findDirective(m.def, 'model')!);
  const attributes: unknown[] = [{ type: 'model', properties: modelArgs }];
  const custom = m.primaryKey.partitionField !== 'id' || m.primaryKey.sortKeyFields.length > 0;
  if (custom) attributes.push({ type: 'key', properties: { fields: [m.primaryKey.partitionField, ...m.primaryKey.sortKeyFields] } });
  for (const i of m.indexes) {
    if (i.generated) continue;
    attributes.push({
      type: 'key',
      properties: { name: i.name, ...(i.queryField ? { queryField: i.queryField } : {}), fields: [i.partitionField, ...i.sortKeyFields] },
    });
  }
  if (m.writtenAuthRules.length > 0) attributes.push({ type: 'auth', properties: { rules: m.writtenAuthRules.map(codegenRule) } });
  return {
    name: m.name,
    fields,
    syncable: true,
    pluralName: plural(upperFirst(m.name)),
    attributes,
    primaryKeyInfo: { isCustomPrimaryKey: custom, primaryKeyFieldName: m.primaryKey.partitionField, sortKeyFieldNames: [...m.primaryKey.sortKeyFields] },
  };
};

export const buildIntrospection = (ctx: Context): ModelIntrospection => {
  const models: ModelIntrospection['models'] = {};
  for (const m of ctx.models.values()) models[m.name] = modelEntry(ctx, m);
  const enums: ModelIntrospection['enums'] = {};
  for (const [name, e] of ctx.enums) enums[name] = { name, values: (e.values ?? []).map((v) => v.name.value) };
  const nonModels: ModelIntrospection['nonModels'] = {};
  for (const [name, def] of ctx.objects) {
    if (!ctx.isNonModelObject(name)) continue;
    const fields: Record<string, IntrospectionField> = {};
    for (const f of def.fields ?? ([] as FieldDefinitionNode[])) fields[f.name.value] = introspectField(ctx, f.name.value, f.type);
    nonModels[name] = { name, fields };
  }
  return { version: 1, models, enums, nonModels };
};
