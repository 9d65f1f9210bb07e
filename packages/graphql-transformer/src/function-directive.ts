/**
 * `@function`: the chain of calls a field makes (name, region, account, invocation type), and the
 * `EventInvocationResponse` type the Amplify transformer adds for `invocationType: Event`.
 */
import { Kind, type DefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import type { GraphQLPlanFunctionCall } from '@forte/protocol';
import { baseTypeName, directiveArgs, findDirectives, stringArg } from './ast.js';
import { SchemaError } from './errors.js';

export const EVENT_INVOCATION_RESPONSE = 'EventInvocationResponse';

const INVOCATION_TYPES: readonly string[] = ['RequestResponse', 'Event'];

const usesEventInvocation = (d: DefinitionNode): boolean =>
  d.kind === Kind.OBJECT_TYPE_DEFINITION &&
  (d.fields ?? []).some((f) =>
    findDirectives(f, 'function').some((fn) =>
      fn.arguments?.some((a) => a.name.value === 'invocationType' && a.value.kind === Kind.ENUM && a.value.value === 'Event'),
    ),
  );

const eventInvocationResponse: ObjectTypeDefinitionNode = {
  kind: Kind.OBJECT_TYPE_DEFINITION,
  name: { kind: Kind.NAME, value: EVENT_INVOCATION_RESPONSE },
  description: { kind: Kind.STRING, value: 'Return type for lambda function event invocation.' },
  fields: [
    {
      kind: Kind.FIELD_DEFINITION,
      name: { kind: Kind.NAME, value: 'success' },
      description: {
        kind: Kind.STRING,
        value: 'Whether the asynchronous lambda function invocation was successful. If false, you should expect errors in the response.',
      },
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Boolean' } } },
    },
  ],
};

/** The definitions with `EventInvocationResponse` added when an `@function` is invoked as an Event and the schema does not define it. */
export function withEventInvocationResponse(definitions: DefinitionNode[]): DefinitionNode[] {
  const defined = definitions.some((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === EVENT_INVOCATION_RESPONSE);
  return !defined && definitions.some(usesEventInvocation) ? [...definitions, eventInvocationResponse] : definitions;
}

/** The field's `@function`s in call order (the directive is repeatable), validated as Amplify's transformer does. */
export function readFunctionCalls(typeName: string, f: FieldDefinitionNode): GraphQLPlanFunctionCall[] {
  const fieldName = f.name.value;
  const at = { typeName, fieldName, directive: 'function' };
  return findDirectives(f, 'function').map((fn) => {
    const args = directiveArgs(fn);
    const name = stringArg(args.name);
    if (!name) throw new SchemaError(`@function on ${typeName}.${fieldName} needs a name: @function(name: "myFunction-\${env}").`, at);
    const invocationType = args.invocationType ?? 'RequestResponse';
    if (typeof invocationType !== 'string' || !INVOCATION_TYPES.includes(invocationType))
      throw new SchemaError(`@function on ${typeName}.${fieldName}: invocationType must be RequestResponse or Event.`, at);
    if (invocationType === 'Event' && baseTypeName(f.type) !== EVENT_INVOCATION_RESPONSE)
      throw new SchemaError(
        `Invalid return type for 'invocationType: Event' on ${typeName}.${fieldName}. Return type must be '${EVENT_INVOCATION_RESPONSE}'.`,
        at,
      );
    const region = stringArg(args.region);
    const accountId = stringArg(args.accountId);
    return {
      name,
      ...(region ? { region } : {}),
      ...(accountId ? { accountId } : {}),
      invocationType: invocationType as GraphQLPlanFunctionCall['invocationType'],
    };
  });
}
