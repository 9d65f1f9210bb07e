import { execute, GraphQLObjectType, GraphQLSchema, type ExecutionResult } from 'graphql';
import type { SubscriptionDocument } from './subscription-document.js';

const deliverySchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The API's executable schema with resolver-free Subscription fields: an event is rendered by executing the
 * subscription's selection set over a root value that holds the item under the field's name (the HTTP
 * schema may answer Subscription fields with an error). Every other type and resolver is shared.
 */
export function deliverySchema(schema: GraphQLSchema): GraphQLSchema {
  const cached = deliverySchemas.get(schema);
  if (cached) return cached;
  const subscription = schema.getSubscriptionType();
  if (!subscription) return schema;
  const config = schema.toConfig();
  const fields = subscription.toConfig().fields;
  const plain = new GraphQLObjectType({
    ...subscription.toConfig(),
    fields: () => Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field, resolve: undefined, subscribe: undefined }])),
  });
  const result = new GraphQLSchema({ ...config, subscription: plain, types: config.types.map((t) => (t === subscription ? plain : t)) });
  deliverySchemas.set(schema, result);
  return result;
}

/**
 * Renders one changed item as the subscription's `data` payload. `hiddenFields` (field-level rules the
 * subscriber does not pass) are null in what the selection set sees, so they can never be delivered.
 */
export async function renderEvent(options: {
  schema: GraphQLSchema;
  subscription: SubscriptionDocument;
  item: Record<string, unknown>;
  hiddenFields: readonly string[];
  contextValue: unknown;
}): Promise<ExecutionResult> {
  const { subscription } = options;
  const item = { ...options.item };
  for (const field of options.hiddenFields) item[field] = null;
  return execute({
    schema: deliverySchema(options.schema),
    document: subscription.document,
    operationName: subscription.operation.name?.value,
    rootValue: { [subscription.fieldName]: item },
    contextValue: options.contextValue,
    variableValues: subscription.variables,
  });
}
