/**
 * `@default`, `@function`, `@http` and `@mapsTo`: validation and what the plan records about them. Their
 * only schema effect is that a field with a default value becomes optional in the create input.
 */
import type { FieldDefinitionNode } from 'graphql';
import { baseTypeName, directiveArgs, findDirective, isListType, isScalarName, nullable, stringArg } from './ast.js';
import { READ_OPERATIONS, readRules } from './auth.js';
import { readFunctionCalls } from './function-directive.js';
import type { Context } from './context.js';
import { SchemaError } from './errors.js';
import { names } from './naming.js';

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
        m.defaults[fieldName] = value;
        const create = ctx.output.input(names.createInput(typeName))?.fields.find((x) => x.name === fieldName);
        if (create) create.type = nullable(create.type);
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
      const http = findDirective(f, 'http');
      if (http) {
        const args = directiveArgs(http);
        const url = stringArg(args.url);
        if (!url) throw new SchemaError(`@http on ${typeName}.${fieldName} needs a url.`, { typeName, fieldName, directive: 'http' });
        ctx.externalFields.push({ typeName, fieldName, kind: 'http', http: { method: stringArg(args.method) ?? 'GET', url } });
      }
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
