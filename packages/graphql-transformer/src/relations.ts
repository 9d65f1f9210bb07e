/**
 * `@hasOne`, `@hasMany`, `@belongsTo` and `@manyToMany`: connection fields, the implicit foreign key
 * fields (`blogPostsId`), the indexes they need, and the join models of many-to-many relations.
 */
import { Kind, parse, print } from 'graphql';
import type { DefinitionNode, FieldDefinitionNode, ObjectTypeDefinitionNode, TypeNode } from 'graphql';
import type { GraphQLPlanRelation } from '@forte/protocol';
import {
  baseTypeName,
  directiveArgs,
  fieldNamed,
  findDirective,
  isListType,
  makeDirective,
  named,
  nonNull,
  nullable,
  stringArg,
  stringList,
  stringListArg,
} from './ast.js';
import type { Context, IndexState, ModelState } from './context.js';
import { SchemaError } from './errors.js';
import { appendInputField, filterTypeFor, subscriptionFilterTypeFor } from './filters.js';
import { indexSortKeyArg, primaryKeySortArg } from './keys.js';
import { camelCase, lowerFirst, names, upperFirst } from './naming.js';
import { arg, field } from './output.js';

const RELATIONAL = ['hasOne', 'hasMany', 'belongsTo', 'manyToMany'] as const;
type Relational = (typeof RELATIONAL)[number];

interface RelationSite {
  model: ModelState;
  field: FieldDefinitionNode;
  kind: Relational;
  related: ModelState;
  args: Record<string, unknown>;
}

const where = (m: string, f: string, directive: string) => ({ typeName: m, fieldName: f, directive });

/**
 * Replaces every `@manyToMany` pair by a join model (named after `relationName`) and two `@hasMany`
 * fields, before the models are read, as the Amplify transformer does.
 */
export const expandManyToMany = (definitions: DefinitionNode[]): { definitions: DefinitionNode[]; joinModels: Set<string> } => {
  const objects = definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);
  const sites = new Map<string, { type: ObjectTypeDefinitionNode; field: FieldDefinitionNode }[]>();
  for (const type of objects) {
    for (const f of type.fields ?? []) {
      const d = findDirective(f, 'manyToMany');
      if (!d) continue;
      const written = stringArg(directiveArgs(d).relationName);
      if (!written)
        throw new SchemaError(`@manyToMany on ${type.name.value}.${f.name.value} needs a relationName.`, where(type.name.value, f.name.value, 'manyToMany'));
      if (!type.directives?.some((x) => x.name.value === 'model')) {
        throw new SchemaError(
          `@manyToMany must be on an @model type field, but ${type.name.value} has no @model.`,
          where(type.name.value, f.name.value, 'manyToMany'),
        );
      }
      // The join model's name: the relation name, capitalised.
      const relationName = upperFirst(written);
      sites.set(relationName, [...(sites.get(relationName) ?? []), { type, field: f }]);
    }
  }
  if (sites.size === 0) return { definitions, joinModels: new Set() };
  const replaced = new Map<FieldDefinitionNode, FieldDefinitionNode>();
  const joins: DefinitionNode[] = [];
  for (const [relationName, pair] of sites) {
    if (pair.length !== 2) {
      const first = pair[0]!;
      throw new SchemaError(
        `@manyToMany relation '${relationName}' must be used in exactly two places (found ${pair.length}): add the matching @manyToMany(relationName: "${relationName}") on the related model.`,
        where(first.type.name.value, first.field.name.value, 'manyToMany'),
      );
    }
    const [a, b] = pair as [(typeof pair)[0], (typeof pair)[0]];
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      if (baseTypeName(self.field.type) !== other.type.name.value) {
        throw new SchemaError(
          `@manyToMany relation '${relationName}' on ${self.type.name.value}.${self.field.name.value} must refer to ${other.type.name.value}, the other side of the relation.`,
          where(self.type.name.value, self.field.name.value, 'manyToMany'),
        );
      }
    }
    for (const side of [a, b]) {
      const pk = side.type.fields?.find((f) => findDirective(f, 'primaryKey'));
      if (pk && (pk.name.value !== 'id' || directiveArgs(findDirective(pk, 'primaryKey')!).sortKeyFields !== undefined)) {
        throw new SchemaError(
          `@manyToMany relation '${relationName}': ${side.type.name.value} has a custom primary key, which many-to-many relations do not support yet. Use a join model with two @belongsTo fields instead.`,
          where(side.type.name.value, side.field.name.value, 'manyToMany'),
        );
      }
    }
    const aName = a.type.name.value;
    const bName = b.type.name.value;
    const aKey = lowerFirst(aName);
    const bKey = lowerFirst(bName);
    const authOf = (t: ObjectTypeDefinitionNode) => t.directives?.find((d) => d.name.value === 'auth');
    const authA = authOf(a.type);
    const authB = authOf(b.type);
    const rules = [authA, authB].flatMap((d) => {
      const v = d?.arguments?.find((x) => x.name.value === 'rules')?.value;
      return v?.kind === Kind.LIST ? v.values.map((x) => print(x)) : v ? [print(v)] : [];
    });
    const uniqueRules = [...new Set(rules)];
    const auth = uniqueRules.length > 0 ? ` @auth(rules: [${uniqueRules.join(', ')}])` : '';
    const sdl = `type ${relationName} @model${auth} {
  id: ID!
  ${aKey}Id: ID! @index(name: "by${aName}")
  ${bKey}Id: ID! @index(name: "by${bName}")
  ${aKey}: ${aName}! @belongsTo(fields: ["${aKey}Id"])
  ${bKey}: ${bName}! @belongsTo(fields: ["${bKey}Id"])
}`;
    joins.push(...parse(sdl, { noLocation: true }).definitions);
    for (const self of [a, b]) {
      const limit = directiveArgs(findDirective(self.field, 'manyToMany')!).limit;
      const hasMany = makeDirective('hasMany', {
        indexName: { kind: Kind.STRING, value: `by${self.type.name.value}` },
        fields: stringList(['id']),
        ...(typeof limit === 'number' ? { limit: { kind: Kind.INT, value: String(limit) } } : {}),
      });
      replaced.set(self.field, {
        ...self.field,
        type: { kind: Kind.LIST_TYPE, type: named(relationName) },
        directives: [...(self.field.directives ?? []).filter((d) => d.name.value !== 'manyToMany'), hasMany],
      });
    }
  }
  const out = definitions.map((d) =>
    d.kind === Kind.OBJECT_TYPE_DEFINITION && d.fields?.some((f) => replaced.has(f)) ? { ...d, fields: d.fields.map((f) => replaced.get(f) ?? f) } : d,
  );
  return { definitions: [...out, ...joins], joinModels: new Set(sites.keys()) };
};

/** Finds and validates every relation field. */
const collectSites = (ctx: Context): RelationSite[] => {
  const sites: RelationSite[] = [];
  for (const m of ctx.models.values()) {
    for (const f of m.def.fields ?? []) {
      for (const kind of RELATIONAL) {
        const d = findDirective(f, kind);
        if (!d) continue;
        const relatedName = baseTypeName(f.type);
        const related = ctx.models.get(relatedName);
        if (!related) {
          const what =
            ctx.objects.has(relatedName) || ctx.isEnum(relatedName) ? `'${relatedName}', which is not an @model type` : `the unknown type '${relatedName}'`;
          throw new SchemaError(
            `@${kind} on ${m.name}.${f.name.value} refers to ${what}: relations must point to an @model type.`,
            where(m.name, f.name.value, kind),
          );
        }
        const list = isListType(f.type);
        if (kind === 'hasMany' && !list)
          throw new SchemaError(`@hasMany on ${m.name}.${f.name.value} must be a list: write [${relatedName}].`, where(m.name, f.name.value, kind));
        if ((kind === 'hasOne' || kind === 'belongsTo') && list) {
          throw new SchemaError(
            `@${kind} on ${m.name}.${f.name.value} cannot be a list: use @hasMany for one-to-many relations.`,
            where(m.name, f.name.value, kind),
          );
        }
        const args = directiveArgs(d);
        if (args.fields !== undefined && args.references !== undefined) {
          throw new SchemaError(
            `@${kind} on ${m.name}.${f.name.value} uses both 'fields' and 'references': use one of them.`,
            where(m.name, f.name.value, kind),
          );
        }
        for (const name of stringListArg(args.fields) ?? []) {
          if (!fieldNamed(m.def.fields, name)) {
            throw new SchemaError(
              `@${kind} on ${m.name}.${f.name.value}: field '${name}' given in 'fields' does not exist on ${m.name}.`,
              where(m.name, f.name.value, kind),
            );
          }
        }
        for (const name of stringListArg(args.references) ?? []) {
          const owner = kind === 'belongsTo' ? m : related;
          if (!fieldNamed(owner.def.fields, name)) {
            throw new SchemaError(
              `@${kind} on ${m.name}.${f.name.value}: field '${name}' given in 'references' does not exist on ${owner.name}.`,
              where(m.name, f.name.value, kind),
            );
          }
        }
        sites.push({ model: m, field: f, kind, related, args });
      }
    }
  }
  return sites;
};

const keyFields = (m: ModelState): string[] => [m.primaryKey.partitionField, ...m.primaryKey.sortKeyFields];

const typeOfField = (ctx: Context, m: ModelState, name: string): TypeNode => {
  const f = ctx.output.object(m.name)?.fields.find((x) => x.name === name) ?? fieldNamed(m.def.fields, name);
  return f ? f.type : named('ID');
};

/** Adds a generated foreign key field to a model's type and its filter, condition, create and update inputs. */
const addForeignKey = (ctx: Context, m: ModelState, name: string, type: TypeNode, subscriptionFilterOf: ModelState | undefined): void => {
  const t = nullable(type);
  const out = ctx.output.object(m.name);
  if (out && !out.fields.some((f) => f.name === name)) out.fields.push(field(name, t));
  const filterType = filterTypeFor(ctx, t);
  if (filterType) {
    appendInputField(ctx.output.input(names.filter(m.name)), arg(name, filterType));
    appendInputField(ctx.output.input(names.condition(m.name)), arg(name, filterType));
  }
  appendInputField(ctx.output.input(names.createInput(m.name)), arg(name, t));
  appendInputField(ctx.output.input(names.updateInput(m.name)), arg(name, t));
  const subType = subscriptionFilterTypeFor(ctx, t);
  if (subscriptionFilterOf && subType) appendInputField(ctx.output.input(names.subscriptionFilter(subscriptionFilterOf.name)), arg(name, subType));
};

/**
 * Turns a list relation field into a connection field with its paging arguments. `sortKeyOf` names the key whose sort
 * key becomes an argument: an index, the related model's primary key, or none.
 */
const makeConnectionField = (ctx: Context, m: ModelState, fieldName: string, related: ModelState, sortKeyOf: IndexState | 'primary' | undefined): void => {
  const f = ctx.output.object(m.name)?.fields.find((x) => x.name === fieldName);
  if (!f) return;
  if (!ctx.output.has(names.connection(related.name))) {
    ctx.output.add({
      kind: 'object',
      name: names.connection(related.name),
      fields: [field('items', nonNull({ kind: Kind.LIST_TYPE, type: named(related.name) })), field('nextToken', 'String')],
      directives: [],
      interfaces: [],
    });
  }
  const sk = sortKeyOf === 'primary' ? primaryKeySortArg(ctx, related) : sortKeyOf ? indexSortKeyArg(ctx, related, sortKeyOf) : undefined;
  f.type = named(names.connection(related.name));
  f.args = [
    ...(sk ? [sk] : []),
    arg('filter', names.filter(related.name)),
    arg('sortDirection', 'ModelSortDirection'),
    arg('limit', 'Int'),
    arg('nextToken', 'String'),
  ];
};

/** DataStore cannot sync a pair of models where one has a @hasMany to the other and the other a @hasOne back. */
const validateDataStoreRelation = (ctx: Context, site: RelationSite): void => {
  if (!ctx.syncEnabled || (site.kind !== 'hasOne' && site.kind !== 'hasMany')) return;
  const other = site.kind === 'hasOne' ? 'hasMany' : 'hasOne';
  const back = site.related.def.fields?.some((f) => baseTypeName(f.type) === site.model.name && findDirective(f, other));
  if (back) {
    throw new SchemaError(
      `${site.model.name} and ${site.related.name} cannot refer to each other via @hasOne or @hasMany when DataStore is in use. Use @belongsTo instead.`,
      where(site.model.name, site.field.name.value, site.kind),
    );
  }
};

/** Applies the relation directives in the Amplify order: hasMany, hasOne, manyToMany (as hasMany), belongsTo. */
export const transformRelations = (ctx: Context): void => {
  const sites = collectSites(ctx);
  for (const s of sites) validateDataStoreRelation(ctx, s);
  const respect = ctx.params.respectPrimaryKeyAttributesOnConnectionField;
  const fkNames = (owner: string, fieldName: string, target: ModelState): { name: string; key: string }[] => {
    const pk = target.primaryKey.partitionField;
    const first = { name: camelCase([owner, fieldName, respect ? pk : 'id']), key: pk };
    return respect ? [first, ...target.primaryKey.sortKeyFields.map((sk) => ({ name: camelCase([owner, fieldName, sk]), key: sk }))] : [first];
  };
  const limitOf = (args: Record<string, unknown>): number => (typeof args.limit === 'number' ? args.limit : 100);

  for (const s of sites.filter((x) => x.kind === 'hasMany')) {
    const { model: m, related: c, args } = s;
    const fieldName = s.field.name.value;
    const indexName = stringArg(args.indexName);
    const fields = stringListArg(args.fields);
    const references = stringListArg(args.references);
    let relation: GraphQLPlanRelation;
    let index: IndexState | undefined;
    if (references) {
      index = { name: `gsi-${m.name}.${fieldName}`, partitionField: references[0]!, sortKeyFields: references.slice(1), generated: true };
      if (!c.indexes.some((i) => i.name === index!.name)) c.indexes.push(index);
      relation = {
        field: fieldName,
        kind: 'hasMany',
        relatedModel: c.name,
        sourceFields: keyFields(m),
        targetFields: references,
        indexName: index.name,
        limit: limitOf(args),
      };
      makeConnectionField(ctx, m, fieldName, c, undefined);
    } else if (indexName) {
      index = c.indexes.find((i) => i.name === indexName);
      if (!index) {
        throw new SchemaError(
          `@hasMany on ${m.name}.${fieldName}: index '${indexName}' does not exist on ${c.name}. Add @index(name: "${indexName}") to a field of ${c.name}.`,
          where(m.name, fieldName, 'hasMany'),
        );
      }
      const source = fields ?? [m.primaryKey.partitionField];
      const target = [index.partitionField, ...index.sortKeyFields].slice(0, source.length);
      relation = { field: fieldName, kind: 'hasMany', relatedModel: c.name, sourceFields: source, targetFields: target, indexName, limit: limitOf(args) };
      makeConnectionField(ctx, m, fieldName, c, source.length === 1 ? index : undefined);
    } else if (fields) {
      const target = keyFields(c).slice(0, fields.length);
      relation = { field: fieldName, kind: 'hasMany', relatedModel: c.name, sourceFields: fields, targetFields: target, limit: limitOf(args) };
      // The related model's primary key is queried: with one source field, its sort key is an argument, as Amplify's.
      makeConnectionField(ctx, m, fieldName, c, fields.length === 1 ? 'primary' : undefined);
    } else {
      const fks = fkNames(m.name, fieldName, m);
      for (const fk of fks) addForeignKey(ctx, c, fk.name, typeOfField(ctx, m, fk.key), m);
      index = { name: `gsi-${m.name}.${fieldName}`, partitionField: fks[0]!.name, sortKeyFields: fks.slice(1).map((x) => x.name), generated: true };
      c.indexes.push(index);
      relation = {
        field: fieldName,
        kind: 'hasMany',
        relatedModel: c.name,
        sourceFields: keyFields(m),
        targetFields: fks.map((x) => x.name),
        indexName: index.name,
        limit: limitOf(args),
      };
      // As Amplify's: the field takes the related model's primary sort key as an argument, although the generated
      // index it queries has no such sort key (the argument is accepted and has no effect).
      makeConnectionField(ctx, m, fieldName, c, 'primary');
    }
    m.relations.push(relation);
  }

  for (const s of sites.filter((x) => x.kind === 'hasOne')) {
    const { model: m, related: c, args } = s;
    const fieldName = s.field.name.value;
    const fields = stringListArg(args.fields);
    const references = stringListArg(args.references);
    if (references) {
      m.relations.push({ field: fieldName, kind: 'hasOne', relatedModel: c.name, sourceFields: keyFields(m), targetFields: references });
    } else if (fields) {
      if (fields.length !== keyFields(c).length) {
        throw new SchemaError(
          `Invalid @hasOne on ${m.name}:${fieldName}. Provided fields do not match the size of primary key(s) for ${c.name}`,
          where(m.name, fieldName, 'hasOne'),
        );
      }
      m.relations.push({ field: fieldName, kind: 'hasOne', relatedModel: c.name, sourceFields: fields, targetFields: keyFields(c) });
    } else {
      const fks = fkNames(m.name, fieldName, c);
      for (const fk of fks) addForeignKey(ctx, m, fk.name, typeOfField(ctx, c, fk.key), m);
      m.relations.push({ field: fieldName, kind: 'hasOne', relatedModel: c.name, sourceFields: fks.map((x) => x.name), targetFields: keyFields(c) });
    }
  }

  for (const s of sites.filter((x) => x.kind === 'belongsTo')) {
    const { model: m, related: p, args } = s;
    const fieldName = s.field.name.value;
    const fields = stringListArg(args.fields);
    const references = stringListArg(args.references);
    if (references) {
      m.relations.push({ field: fieldName, kind: 'belongsTo', relatedModel: p.name, sourceFields: references, targetFields: keyFields(p) });
      continue;
    }
    if (fields) {
      if (fields.length !== keyFields(p).length) {
        throw new SchemaError(
          `Invalid @belongsTo on ${m.name}:${fieldName}. Provided fields do not match the size of primary key(s) for ${p.name}`,
          where(m.name, fieldName, 'belongsTo'),
        );
      }
      m.relations.push({ field: fieldName, kind: 'belongsTo', relatedModel: p.name, sourceFields: fields, targetFields: keyFields(p) });
      continue;
    }
    const back = p.def.fields?.find((f) => baseTypeName(f.type) === m.name && (findDirective(f, 'hasMany') || findDirective(f, 'hasOne')));
    const backIsImplicitHasMany =
      back &&
      findDirective(back, 'hasMany') &&
      (() => {
        const a = directiveArgs(findDirective(back, 'hasMany')!);
        return a.fields === undefined && a.indexName === undefined && a.references === undefined;
      })();
    if (back && backIsImplicitHasMany) {
      const fks = fkNames(p.name, back.name.value, p);
      m.relations.push({ field: fieldName, kind: 'belongsTo', relatedModel: p.name, sourceFields: fks.map((x) => x.name), targetFields: keyFields(p) });
    } else {
      const fks = fkNames(m.name, fieldName, p);
      // Paired with a @hasOne, the key is the belongsTo side's own, as a @hasOne's is: its subscription filter gets it too.
      const pairedWithHasOne = back !== undefined && findDirective(back, 'hasOne') !== undefined;
      for (const fk of fks) addForeignKey(ctx, m, fk.name, typeOfField(ctx, p, fk.key), pairedWithHasOne ? m : undefined);
      m.relations.push({ field: fieldName, kind: 'belongsTo', relatedModel: p.name, sourceFields: fks.map((x) => x.name), targetFields: keyFields(p) });
    }
  }

  for (const m of ctx.models.values()) {
    if (!m.isJoinModel) continue;
    for (const r of m.relations) r.manyToMany = { relationName: m.name };
  }
};
