import type { GraphQLPlanModel } from '@forte/protocol';
import type { Logger } from '../../kernel/logger.js';
import type { DeployedApi } from './api-registry.js';
import { accessByRules, itemRuleAllows, modelRules, type OperationAccess } from './auth-rules.js';
import { unreadableFields } from './authorize-model.js';
import type { Caller } from './caller.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFieldUse, filterFields } from './field-visibility.js';
import { checkFilterSize } from './filter-limits.js';
import type { ModelChangeEvent, ModelEvents } from './model-events.js';
import { RealtimeError, type RunningSubscription } from './realtime-protocol.js';
import { fieldAllowsCaller, modelMayListen, ownerArgumentsAllowCaller } from './subscription-access.js';
import { renderEventOnce, rendersPerCaller } from './subscription-delivery.js';
import type { SubscriptionDocument } from './subscription-document.js';
import { matchesSubscriptionFilter, SubscriptionFilterError, validateSubscriptionFilter, type SubscriptionFilter } from './subscription-filter.js';

export interface StartSubscriptionOptions {
  api: DeployedApi;
  caller: Caller;
  subscription: SubscriptionDocument;
  events: ModelEvents;
  /**
   * The context the API's resolvers expect (nested fields of the selection set run through them); each
   * event's render gets a fresh budget of the context's limits.
   */
  contextValue: ExecutionContext;
  /** Delivers one `data` payload (`{data, errors?}`). */
  send(payload: unknown): void;
  log: Logger;
}

/**
 * What AppSync answers a start the field's auth modes or its resolver (Amplify's rule checks, of its
 * arguments too) refuse: `Unauthorized`, no code. The credentials themselves were good (a bad or expired
 * token is `UnauthorizedException`). DataStore skips a model refused so; any other error on one model's
 * subscription ends its realtime for every model.
 */
const notAuthorized = (field: string): RealtimeError => new RealtimeError('Unauthorized', `Not Authorized to access ${field} on type Subscription`);

/** Tells apart subscribers whose events must be rendered for them alone. */
let ownRenders = 0;

/** The caller's `listen` access to a model's items, decided once per subscription (the caller does not change). */
function listenAccess(caller: Caller, model: GraphQLPlanModel): OperationAccess {
  return accessByRules(caller, modelRules(model), 'listen');
}

/** The mutations a model subscription field listens to when the SDL does not say (`onCreateTodo` → `createTodo`). */
function planMutations(model: GraphQLPlanModel, fieldName: string): string[] {
  const { operations } = model;
  const pairs = [
    [operations.onCreate, operations.create],
    [operations.onUpdate, operations.update],
    [operations.onDelete, operations.delete],
  ] as const;
  return pairs.filter(([fields, mutation]) => mutation && fields?.includes(fieldName)).map(([, mutation]) => mutation as string);
}

/** A stored owner `<sub>::<username>` is named by itself, its sub or its username (clients are shown the username). */
const namesOf = (stored: unknown): unknown[] => (typeof stored === 'string' && stored.includes('::') ? [stored, ...stored.split('::')] : [stored]);

/** Owner (and other) arguments of the field, compared with the item: equal, or contained in a list field. */
const argumentsMatch = (args: Record<string, unknown>, item: Record<string, unknown>): boolean =>
  Object.entries(args).every(([name, expected]) => {
    if (name === 'filter' || expected === undefined || expected === null) return true;
    const actual = item[name];
    return (Array.isArray(actual) ? actual : [actual]).some((stored) => namesOf(stored).includes(expected));
  });

const usernameOf = (stored: unknown): unknown => (typeof stored === 'string' && stored.includes('::') ? stored.slice(stored.lastIndexOf('::') + 2) : stored);

/**
 * The item as the subscriber is shown it: hidden fields null, and owners stored as `<sub>::<username>`
 * as the username alone (what the API answers for them, so a filter compares with what clients know).
 */
function visibleItem(model: GraphQLPlanModel, item: Record<string, unknown>, hiddenFields: readonly string[]): Record<string, unknown> {
  const visible = { ...item };
  for (const rule of model.authRules) {
    if (rule.strategy !== 'owner' || (rule.identityClaim ?? 'sub::username') !== 'sub::username') continue;
    const field = rule.ownerField ?? 'owner';
    const stored = visible[field];
    visible[field] = Array.isArray(stored) ? stored.map(usernameOf) : usernameOf(stored);
  }
  for (const field of hiddenFields) visible[field] = null;
  return visible;
}

/**
 * Authorises a parsed subscription for `caller` and subscribes it to the API's model changes. Each event
 * passes, in order: the mutations the field listens to, its arguments, its `filter`, the subscriber's
 * read rules for the item (owner, static and dynamic groups), then is rendered with field-level rules
 * applied. Deliveries of one subscription keep the order of the changes.
 */
export function startSubscription(options: StartSubscriptionOptions): RunningSubscription {
  const { api, caller, subscription, events, log } = options;
  const { fieldName } = subscription;
  if (!fieldAllowsCaller(subscription.field, caller, api.authProviders)) throw notAuthorized(fieldName);
  const fieldModel = api.plan.models.find((m) =>
    [m.operations.onCreate, m.operations.onUpdate, m.operations.onDelete].some((fields) => fields?.includes(fieldName)),
  );
  const mutations = subscription.mutations.length > 0 ? subscription.mutations : fieldModel ? planMutations(fieldModel, fieldName) : [];
  if (mutations.length === 0)
    throw new RealtimeError('ValidationError', `The subscription ${fieldName} subscribes to no mutation (it has no @aws_subscribe(mutations: [...])).`, 400);
  if (fieldModel && !modelMayListen(fieldModel, caller)) throw notAuthorized(fieldName);
  if (fieldModel && !ownerArgumentsAllowCaller(fieldModel, caller, subscription.args)) throw notAuthorized(fieldName);
  const filter = (subscription.args.filter ?? undefined) as SubscriptionFilter | undefined;
  try {
    checkFilterSize(filter, options.contextValue.limits, 'subscription filter');
    validateSubscriptionFilter(filter);
  } catch (error) {
    if (error instanceof SubscriptionFilterError || error instanceof AppSyncFieldError) throw new RealtimeError('ValidationError', error.message, 400);
    throw error;
  }
  // As for queries: a filter on a field the subscriber may never read is refused; one readable on some
  // items sees it as null on the others (visibleItem below).
  if (fieldModel) {
    try {
      checkFieldUse({ caller, model: fieldModel, fields: filterFields(filter) });
    } catch (error) {
      if (error instanceof AppSyncFieldError) throw new RealtimeError(error.errorType, error.message);
      throw error;
    }
  }

  const models = new Map(api.plan.models.map((m) => [m.name, m]));
  const accessByModel = new Map<string, OperationAccess>();
  const mayRead = (model: GraphQLPlanModel, item: Record<string, unknown>): boolean => {
    if (model.operations.subscriptionLevel === 'public') return true;
    let access = accessByModel.get(model.name);
    if (!access) accessByModel.set(model.name, (access = listenAccess(caller, model)));
    return access.kind === 'all' || (access.kind === 'items' && access.rules.some((r) => itemRuleAllows(caller, r, item)));
  };
  // Subscribers with the same document, variables and hidden fields share one render of each event,
  // unless what the document selects is resolved with the subscriber's own rules.
  const renderKey = JSON.stringify([
    subscription.query,
    subscription.operation.name?.value ?? null,
    subscription.variables,
    rendersPerCaller(api.schema, api.plan, subscription) ? ++ownRenders : null,
  ]);
  let queue = Promise.resolve();
  const deliver = async (event: ModelChangeEvent, hiddenFields: string[]): Promise<void> => {
    options.send(
      await renderEventOnce(event, renderKey, { schema: api.schema, subscription, item: event.item, hiddenFields, contextValue: options.contextValue }),
    );
  };
  const onEvent = (event: ModelChangeEvent): void => {
    if (!mutations.includes(event.mutationField)) return;
    const model = models.get(event.modelName);
    if (!model || !mayRead(model, event.item)) return;
    // The filter sees what the subscriber may see: hidden fields cannot be probed through it.
    const hiddenFields = unreadableFields(caller, model, event.item);
    if (!argumentsMatch(subscription.args, event.item) || (filter && !matchesSubscriptionFilter(filter, visibleItem(model, event.item, hiddenFields)))) return;
    queue = queue
      .then(() => deliver(event, hiddenFields))
      .catch((error: unknown) => log.error('subscription delivery failed', { apiId: api.apiId, field: fieldName, error }));
  };
  const unsubscribe = events.subscribe(api.apiId, onEvent);
  return { stop: unsubscribe, ...(caller.expiresAt === undefined ? {} : { expiresAt: caller.expiresAt }) };
}
