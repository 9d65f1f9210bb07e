/**
 * The transform: Amplify v2 SDL (Gen 1 `schema.graphql`, or what Gen 2's `a.schema()` prints) to the
 * output schema, the resolver plan and the model introspection. Modules run in the Amplify order
 * (model, primaryKey, index, relations, default, auth), each editing the shared output.
 */
import { Kind, parse } from 'graphql';
import type { DefinitionNode, DirectiveNode, InputValueDefinitionNode, ObjectTypeDefinitionNode } from 'graphql';
import type { GraphQLApiPlan } from '@forte/protocol';
import { findDirective, named } from './ast.js';
import { readAuth, transformAuth } from './auth.js';
import { DEFAULT_TRANSFORM_PARAMETERS } from './config.js';
import type { TransformInput } from './config.js';
import { Context } from './context.js';
import { transformCustomDirectives, transformHttpFields } from './custom.js';
import { isSchemaError, lineAndColumn, SchemaError } from './errors.js';
import { buildIntrospection } from './introspection.js';
import type { ModelIntrospection } from './introspection.js';
import { readKeys, transformIndexes, transformPrimaryKeys } from './keys.js';
import { registerModel, transformModels } from './model.js';
import { field } from './output.js';
import type { OutArg } from './output.js';
import { buildPlan } from './plan.js';
import { withEventInvocationResponse } from './function-directive.js';
import { expandManyToMany, transformRelations } from './relations.js';
import { transformSearchable } from './searchable.js';
import { APPSYNC_SCALARS, parseSchema, TRANSFORMER_DIRECTIVES, validateOutputSchema, validateUserSchema } from './schema-validation.js';

export interface TransformResult {
  /** The output schema (SDL), as `amplify api gql-compile` writes to build/schema.graphql. */
  schema: string;
  plan: GraphQLApiPlan;
  /** `data.model_introspection` of amplify_outputs.json. */
  modelIntrospection: ModelIntrospection;
}

const keepDirective = (d: DirectiveNode): boolean => !TRANSFORMER_DIRECTIVES.has(d.name.value);

/** `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }` turns sandbox mode on. */
const isSandboxInput = (d: DefinitionNode): boolean => d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION && d.name.value === 'AMPLIFY';
const sandboxRequested = (d: DefinitionNode): boolean => {
  if (d.kind !== Kind.INPUT_OBJECT_TYPE_DEFINITION) return false;
  const rule = d.fields?.find((f) => f.name.value === 'globalAuthRule')?.defaultValue;
  return rule?.kind === Kind.OBJECT && rule.fields.some((f) => f.name.value === 'allow' && f.value.kind === Kind.ENUM && f.value.value === 'public');
};

/** Merges `extend type X { … }` into `type X`, so the modules see one definition per type. */
const mergeExtensions = (definitions: readonly DefinitionNode[]): DefinitionNode[] => {
  const result = definitions.filter((d) => d.kind !== Kind.OBJECT_TYPE_EXTENSION);
  const seen = new Set<string>();
  for (const d of result) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    if (seen.has(d.name.value))
      throw new SchemaError(`There can be only one type named '${d.name.value}'.`, { typeName: d.name.value, ...lineAndColumn(d.loc) });
    seen.add(d.name.value);
  }
  for (const d of definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const idx = result.findIndex((x) => x.kind === Kind.OBJECT_TYPE_DEFINITION && x.name.value === d.name.value);
    if (idx < 0) {
      result.push({ ...d, kind: Kind.OBJECT_TYPE_DEFINITION } as ObjectTypeDefinitionNode);
      continue;
    }
    const base = result[idx] as ObjectTypeDefinitionNode;
    result[idx] = { ...base, fields: [...(base.fields ?? []), ...(d.fields ?? [])], directives: [...(base.directives ?? []), ...(d.directives ?? [])] };
  }
  return result;
};

/** Directives that only make sense on an @model type. */
const MODEL_ONLY = ['primaryKey', 'index', 'hasOne', 'hasMany', 'belongsTo', 'manyToMany', 'default', 'searchable', 'mapsTo'];

const checkModelOnlyDirectives = (definitions: readonly DefinitionNode[]): void => {
  for (const d of definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || findDirective(d, 'model')) continue;
    const typeName = d.name.value;
    for (const [fieldName, directives] of [[undefined, d.directives], ...(d.fields ?? []).map((f) => [f.name.value, f.directives] as const)] as const) {
      const bad = directives?.find((x) => MODEL_ONLY.includes(x.name.value));
      if (bad) {
        const where = fieldName ? `${typeName}.${fieldName}` : typeName;
        throw new SchemaError(
          `The @${bad.name.value} directive may only be added to object definitions annotated with @model (found on ${where}): add @model to ${typeName} or remove @${bad.name.value}.`,
          {
            typeName,
            ...(fieldName ? { fieldName } : {}),
            directive: bad.name.value,
          },
        );
      }
    }
  }
};

const copyArgs = (args: readonly InputValueDefinitionNode[] | undefined): OutArg[] =>
  (args ?? []).map((a) => ({
    name: a.name.value,
    type: a.type,
    defaultValue: a.defaultValue,
    directives: [...(a.directives ?? [])],
    description: a.description,
  }));

/** The schema's own definitions start the output, without the transformer's directives. */
const copyDefinitions = (ctx: Context, definitions: readonly DefinitionNode[]): void => {
  for (const d of definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION) {
      ctx.output.add({
        kind: 'object',
        name: d.name.value,
        description: d.description,
        interfaces: [...(d.interfaces ?? [])],
        directives: (d.directives ?? []).filter(keepDirective),
        fields: (d.fields ?? []).map((f) => ({
          ...field(f.name.value, f.type, copyArgs(f.arguments), (f.directives ?? []).filter(keepDirective)),
          description: f.description,
        })),
      });
    } else if (d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      ctx.output.add({ kind: 'input', name: d.name.value, description: d.description, directives: [...(d.directives ?? [])], fields: copyArgs(d.fields) });
    } else if (d.kind === Kind.SCALAR_TYPE_DEFINITION && APPSYNC_SCALARS.has(d.name.value)) {
      // AppSync defines its scalars itself and refuses a schema that defines them again.
      continue;
    } else if (
      d.kind === Kind.ENUM_TYPE_DEFINITION ||
      d.kind === Kind.SCALAR_TYPE_DEFINITION ||
      d.kind === Kind.UNION_TYPE_DEFINITION ||
      d.kind === Kind.INTERFACE_TYPE_DEFINITION
    ) {
      ctx.output.add({ kind: 'other', name: d.name.value, node: d });
    }
  }
};

/**
 * Gives an error of a module (which reads the schema without locations) the line and column of the field
 * or type it names.
 */
const locate = (error: SchemaError, definitions: readonly DefinitionNode[]): SchemaError => {
  if (error.line !== undefined || !error.typeName) return error;
  const type = definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === error.typeName) as ObjectTypeDefinitionNode | undefined;
  const node = (error.fieldName ? type?.fields?.find((f) => f.name.value === error.fieldName) : undefined) ?? type;
  const directive = error.directive ? findDirective(node ?? {}, error.directive) : undefined;
  const at = lineAndColumn((directive ?? node)?.loc);
  if (at.line === undefined) return error;
  const located = new SchemaError(error.message, {
    ...at,
    ...(error.typeName ? { typeName: error.typeName } : {}),
    ...(error.fieldName ? { fieldName: error.fieldName } : {}),
    ...(error.directive ? { directive: error.directive } : {}),
  });
  located.stack = error.stack ?? '';
  return located;
};

/**
 * Transforms an Amplify GraphQL schema. Throws `SchemaError` for a schema the Amplify transformer refuses
 * or that would not deploy: the user's SDL is validated first (so errors point at what the user wrote, with
 * its line and column), and the output schema again after the transform.
 */
export const transform = (input: TransformInput): TransformResult => {
  const located = withEventInvocationResponse(mergeExtensions(parseSchema(input.schema).definitions));
  validateUserSchema(located);
  try {
    const result = transformDefinitions(input);
    validateOutputSchema(result.schema);
    return result;
  } catch (e) {
    throw isSchemaError(e) ? locate(e, located) : e;
  }
};

const transformDefinitions = (input: TransformInput): TransformResult => {
  const parsed = parse(input.schema, { noLocation: true });
  let definitions = withEventInvocationResponse(mergeExtensions(parsed.definitions));
  const sandbox = definitions.some(sandboxRequested);
  definitions = definitions.filter((d) => !isSandboxInput(d));
  checkModelOnlyDirectives(definitions);
  const expanded = expandManyToMany(definitions);
  definitions = expanded.definitions;

  const params = { ...DEFAULT_TRANSFORM_PARAMETERS, ...input.parameters };
  if (sandbox) params.sandboxModeEnabled = true;
  const ctx = new Context(input.authConfig, params, input.resolverConfig, input.options ?? {});

  for (const d of definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION) ctx.objects.set(d.name.value, d);
    if (d.kind === Kind.ENUM_TYPE_DEFINITION) ctx.enums.set(d.name.value, d);
  }
  for (const d of definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const model = findDirective(d, 'model');
    if (model) {
      const m = registerModel(ctx, d, model);
      if (expanded.joinModels.has(d.name.value)) m.isJoinModel = true;
    }
  }
  copyDefinitions(ctx, definitions);
  transformHttpFields(ctx);

  readKeys(ctx);
  const matrices = readAuth(ctx);
  transformModels(ctx);
  transformPrimaryKeys(ctx);
  transformIndexes(ctx);
  transformRelations(ctx);
  transformCustomDirectives(ctx);
  transformSearchable(ctx);
  transformAuth(ctx, matrices);
  if (ctx.options.totalCounts) {
    for (const m of ctx.models.values()) {
      const connection = ctx.output.object(`Model${m.name}Connection`);
      if (connection && !connection.fields.some((f) => f.name === 'totalCount')) connection.fields.push(field('totalCount', named('Int')));
    }
  }
  return { schema: ctx.output.print(), plan: buildPlan(ctx), modelIntrospection: buildIntrospection(ctx) };
};
