import { execute, formatError, GraphQLObjectType, GraphQLSchema, TypeInfo, visit, visitWithTypeInfo, type ExecutionResult, type GraphQLError } from 'graphql';
import type { GraphQLApiPlan } from '@forte/protocol';
import { withFreshBudget, type ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { SerializedPayload } from './realtime-protocol.js';
import { ownResolver } from './request-budget.js';
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

export interface RenderEventOptions {
  schema: GraphQLSchema;
  subscription: SubscriptionDocument;
  item: Record<string, unknown>;
  /** Field-level rules the subscriber does not pass: null in what the selection set sees. */
  hiddenFields: readonly string[];
  contextValue: ExecutionContext;
}

/** A render's answer: graphql's result, or the one error of a limit the render passed. */
export type RenderResult = ExecutionResult | { data: null; errors: Array<{ errorType: string; message: string }> };

/**
 * Renders one changed item as the subscription's `data` payload. `hiddenFields` (field-level rules the
 * subscriber does not pass) are null in what the selection set sees, so they can never be delivered. Each
 * render has the budget of one request: past it, the payload is the error that names the limit.
 */
export async function renderEvent(options: RenderEventOptions): Promise<RenderResult> {
  const { subscription } = options;
  const item = { ...options.item };
  for (const field of options.hiddenFields) item[field] = null;
  const contextValue = withFreshBudget(options.contextValue);
  const result = await execute({
    schema: deliverySchema(options.schema),
    document: subscription.document,
    operationName: subscription.operation.name?.value,
    rootValue: { [subscription.fieldName]: item },
    contextValue,
    variableValues: subscription.variables,
  });
  const exceeded = contextValue.budget.exceeded;
  return exceeded ? { data: null, errors: [{ errorType: exceeded.errorType, message: exceeded.message }] } : withoutRedactionErrors(result);
}

/**
 * AppSync redacts the fields of the changed item a subscriber may not read (field-level rules) to null,
 * without an error: a payload with errors is dropped by DataStore ("Skipping incoming subscription"). The
 * item's own fields refuse with `Unauthorized` at `[root, field]`; those errors go once the field is null
 * (a non-null field nulls the whole item: that answer keeps its error).
 */
function withoutRedactionErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors || !result.data) return result;
  const isRedaction = (error: GraphQLError): boolean => {
    const root = error.path?.length === 2 ? (result.data as Record<string, unknown>)[error.path[0] as string] : undefined;
    return (
      error.originalError instanceof AppSyncFieldError &&
      error.originalError.errorType === 'Unauthorized' &&
      typeof root === 'object' &&
      root !== null &&
      (root as Record<string, unknown>)[error.path![1] as string] === null
    );
  };
  const errors = result.errors.filter((e) => !isRedaction(e));
  if (errors.length === result.errors.length) return result;
  return errors.length > 0 ? { ...result, errors } : { data: result.data };
}

/**
 * Whether rendering the document can depend on who subscribed, beyond the hidden fields: it selects a
 * relation (read with the subscriber's rules), a field with field-level rules (checked against the
 * subscriber by its resolver) or a field of a non-model type that has a resolver of its own.
 */
export function rendersPerCaller(schema: GraphQLSchema, plan: GraphQLApiPlan, subscription: SubscriptionDocument): boolean {
  const models = new Map(plan.models.map((m) => [m.name, m]));
  const typeInfo = new TypeInfo(deliverySchema(schema));
  let dependent = false;
  visit(
    subscription.document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        const model = parent ? models.get(parent.name) : undefined;
        if (model) {
          if (model.fieldAuthRules[name] !== undefined || model.relations.some((r) => r.field === name)) dependent = true;
        } else if (ownResolver(typeInfo.getFieldDef()?.resolve)) {
          dependent = true;
        }
      },
    }),
  );
  return dependent;
}

const schemaIds = new WeakMap<GraphQLSchema, number>();
let nextSchemaId = 0;
const schemaId = (schema: GraphQLSchema): number => {
  let id = schemaIds.get(schema);
  if (id === undefined) schemaIds.set(schema, (id = nextSchemaId++));
  return id;
};

/** Renders of one event, by what decides their result (kept as long as the event is referenced). */
const rendersOfEvent = new WeakMap<object, Map<string, Promise<SerializedPayload>>>();

/**
 * Renders `event` for a subscriber once per distinct `renderKey` (document text, variables, and a
 * subscriber's own token when rendersPerCaller), schema and hidden-field set, serialized once: every
 * subscriber with the same key gets the same payload text.
 */
export function renderEventOnce(event: object, renderKey: string, options: RenderEventOptions): Promise<SerializedPayload> {
  let renders = rendersOfEvent.get(event);
  if (!renders) rendersOfEvent.set(event, (renders = new Map()));
  const key = JSON.stringify([schemaId(options.schema), options.hiddenFields, renderKey]);
  let rendered = renders.get(key);
  if (!rendered) {
    rendered = renderEvent(options).then(
      (result) =>
        new SerializedPayload(
          JSON.stringify(
            result.errors ? { data: result.data ?? null, errors: result.errors.map((e) => ('errorType' in e ? e : formatError(e))) } : { data: result.data },
          ),
        ),
    );
    renders.set(key, rendered);
  }
  return rendered;
}
