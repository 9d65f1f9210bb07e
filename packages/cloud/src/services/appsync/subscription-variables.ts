import {
  getNullableType,
  isInputObjectType,
  isInputType,
  isListType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type GraphQLType,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';

/** graphql's `typeFromAST`, for any type node (its overloads take each kind of node apart). */
const typeOf = (schema: GraphQLSchema, node: TypeNode): GraphQLType | undefined =>
  (typeFromAST as (schema: GraphQLSchema, node: TypeNode) => GraphQLType | undefined)(schema, node);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** AppSync's wording (its graphql-java's, trailing space included) for a variable naming a field its input type lacks. */
const unknownFieldMessage = (field: string, typeName: string): string =>
  `The variables input contains a field name '${field}' that is not defined for input object type '${typeName}' `;

function firstUnknownField(type: GraphQLInputType, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is coerced to a list of one.
    for (const element of Array.isArray(value) ? value : [value]) {
      const found = firstUnknownField(nullable.ofType, element);
      if (found) return found;
    }
    return undefined;
  }
  if (!isInputObjectType(nullable) || !isRecord(value)) return undefined;
  const fields = nullable.getFields();
  for (const [name, fieldValue] of Object.entries(value)) {
    const field = fields[name];
    if (!field) return unknownFieldMessage(name, nullable.name);
    const found = firstUnknownField(field.type, fieldValue);
    if (found) return found;
  }
  return undefined;
}

/**
 * The message AppSync answers when a variable's value holds a field its input object type does not define,
 * or undefined when none does (other coercion errors are graphql-js's to word). DataStore depends on this
 * wording: for a subscription `filter` with a `not` group (legal in its predicates, absent from
 * `ModelSubscription<Model>FilterInput`) it recognises `The variables input contains a field name 'not'`
 * and subscribes again without the filter, filtering on the client instead.
 */
export function unknownVariableFieldMessage(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  variables: Record<string, unknown>,
): string | undefined {
  for (const definition of definitions) {
    const type = typeOf(schema, definition.type);
    if (!type || !isInputType(type)) continue; // validation has already refused the document
    const found = firstUnknownField(type, variables[definition.variable.name.value]);
    if (found) return found;
  }
  return undefined;
}
