import {
  getOperationAST,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import type { GraphQLLimits } from './graphql-limits.js';
import { checkVariablesNesting, parseWithinLimits, validateWithinLimits } from './query-limits.js';
import { RealtimeError } from './realtime-protocol.js';
import { unknownVariableFieldMessage } from './subscription-variables.js';

/** What a `start` asks for, once parsed and checked against the API's schema. */
export interface SubscriptionDocument {
  /** The document's text as sent. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The Subscription field (`onCreateTodo`), whatever alias the document gives it. */
  fieldName: string;
  field: GraphQLField<unknown, unknown>;
  /** Its arguments, coerced (`filter`, owner arguments). */
  args: Record<string, unknown>;
  /** Its variables, coerced: the selection set is executed with them. */
  variables: Record<string, unknown>;
  /** The mutations it listens to: `@aws_subscribe(mutations: [...])` on the field (empty without one). */
  mutations: string[];
}

/** Refusals of the document itself are validation errors: they are not about who asks. */
const invalid = (message: string): RealtimeError => new RealtimeError('ValidationError', message, 400);

/** The `@aws_subscribe(mutations: [...])` list of a Subscription field; undefined when it has none. */
export function subscribedMutations(field: GraphQLField<unknown, unknown>): string[] | undefined {
  const directive = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
  const argument = directive?.arguments?.find((a) => a.name.value === 'mutations');
  if (!argument) return undefined;
  const value = valueFromASTUntyped(argument.value) as unknown;
  return (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === 'string');
}

/**
 * Parses and validates a subscription document against `schema` and resolves its one field and arguments.
 * The document and its variables are held to the same limits as over HTTP, checked before validation.
 * Throws RealtimeError (`ValidationError`) for anything but one subscription field of `schema`.
 */
export function readSubscriptionDocument(
  schema: GraphQLSchema,
  request: { query: string; variables: Record<string, unknown>; operationName?: string | undefined },
  limits: GraphQLLimits,
): SubscriptionDocument {
  const { query, variables, operationName } = request;
  let document: DocumentNode;
  try {
    document = parseWithinLimits(query, limits);
    checkVariablesNesting(variables, limits);
  } catch (error) {
    // A limit passed (QueryLimitError) or a syntax error: either message says what to change.
    throw invalid(error instanceof Error ? error.message : 'The query does not parse.');
  }
  const errors = validateWithinLimits(schema, document);
  if (errors.length > 0) throw invalid(errors.map((e) => e.message).join(' '));
  const operation = getOperationAST(document, operationName);
  if (!operation) throw invalid('The document must hold exactly one operation, or name the one to run.');
  if (operation.operation !== 'subscription')
    throw invalid(`Only subscriptions are served over the realtime endpoint, not ${operation.operation} operations: send those to the GraphQL endpoint.`);
  const selections = operation.selectionSet.selections;
  const node = selections[0];
  if (selections.length !== 1 || node?.kind !== Kind.FIELD)
    throw invalid('A subscription selects exactly one field of type Subscription, without fragments at the top level.');
  const field = schema.getSubscriptionType()?.getFields()[node.name.value];
  if (!field) throw invalid(`Field '${node.name.value}' in type 'Subscription' is undefined.`);

  const definitions = operation.variableDefinitions ?? [];
  const coerced = getVariableValues(schema, definitions, variables);
  if (coerced.errors) throw invalid(unknownVariableFieldMessage(schema, definitions, variables) ?? coerced.errors.map((e) => e.message).join(' '));
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node as FieldNode, coerced.coerced) as Record<string, unknown>;
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : 'The arguments are invalid.');
  }
  return { query, document, operation, fieldName: field.name, field, args, variables: coerced.coerced, mutations: subscribedMutations(field) ?? [] };
}
