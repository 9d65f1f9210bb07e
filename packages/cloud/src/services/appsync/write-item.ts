import { randomUUID } from 'node:crypto';
import { isForteError, type GraphQLPlanModel } from '@forte/protocol';
import type { OperationAccess } from './auth-rules.js';
import { automerge } from './automerge.js';
import { retryWhileBusy } from './busy-store.js';
import { askConflictHandler } from './conflict-lambda.js';
import { replayedCreate } from './create-replay.js';
import { fieldRulesAllow, itemRuleAllows, ownerCandidates, ownerValue, providerOf } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError, notAuthorized } from './field-error.js';
import { checkFieldUse, EVERY_ITEM, filterFields } from './field-visibility.js';
import type { FunctionAccess } from './function-resolver.js';
import { fromItem, toItem } from './item-values.js';
import { primaryKeyOf, withCompositeKeys } from './model-keys.js';
import { checkVersion, conflictUnhandled, mutationArguments, replacingChanges, versionRace, VersionMoved, type WriteKey } from './versioned-write.js';

type Plain = Record<string, unknown>;

/** AppSync's answer to a failed DynamoDB condition. */
export const conditionFailed = (cause?: unknown): AppSyncFieldError =>
  new AppSyncFieldError('DynamoDB:ConditionalCheckFailedException', 'The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: null)', {
    cause,
  });

const isConditionFailure = (error: unknown): boolean => isForteError(error) && error.code === 'ConditionalCheckFailedException';

/** `@default` values are written as strings: typed by the field. */
function defaultValue(model: GraphQLPlanModel, field: string, raw: string): unknown {
  const type = model.fields.find((f) => f.name === field)?.type;
  if (type === 'Int' || type === 'Float' || type === 'AWSTimestamp') return Number(raw);
  if (type === 'Boolean') return raw === 'true';
  if (type === 'AWSJSON') return JSON.parse(raw) as unknown;
  return raw;
}

/** Refuses input fields whose field-level rules do not allow this write. */
function checkFieldWrites(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  input: Plain,
  item: Plain,
  operation: 'create' | 'update',
  mutationField: string,
): void {
  for (const field of Object.keys(input)) {
    if (model.fieldAuthRules[field] && !fieldRulesAllow(ctx.caller, model, field, item, operation)) throw notAuthorized(mutationField, 'Mutation');
  }
}

/** Owner rules through which the caller acts on this model (the ones whose owner field create fills in). */
const callerOwnerRules = (ctx: ExecutionContext, model: GraphQLPlanModel, operation: 'create' | 'update') =>
  model.authRules.filter((r) => r.strategy === 'owner' && r.provider === providerOf(ctx.caller) && r.operations.includes(operation));

/** What a write needs besides its input: the functions a LAMBDA conflict handler runs in, the field's arguments as sent. */
export interface WriteOptions {
  functions?: FunctionAccess | undefined;
  /** The mutation field's arguments (a LAMBDA handler's `arguments`); `input` and `condition` when absent. */
  arguments?: Plain;
}

/**
 * `create<Model>`: defaults, timestamps, auto id, the owner filled from the caller, then a conditional put.
 * The same create again (the key taken by an item equal in every field but the server's) answers the stored
 * item: a client that lost the first answer retries without failing.
 */
export function createItem(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  _options: WriteOptions = {},
): Promise<Plain> {
  return retryWhileBusy(() => createOnce(ctx, model, access, field, input, condition));
}

async function createOnce(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
): Promise<Plain> {
  const now = new Date().toISOString();
  let item: Plain = {};
  for (const [name, raw] of Object.entries(model.defaults)) item[name] = defaultValue(model, name, raw);
  // As Amplify's create init slot: a model with an `id` field (ID or String) gets `$util.autoId()` unless the
  // input gives one, whether or not `id` is the primary key.
  if (model.fields.some((f) => f.name === 'id' && (f.type === 'ID' || f.type === 'String'))) item.id = randomUUID();
  if (model.timestamps.createdAt) item[model.timestamps.createdAt] = now;
  if (model.timestamps.updatedAt) item[model.timestamps.updatedAt] = now;
  for (const [name, value] of Object.entries(input)) if (value !== undefined && value !== null) item[name] = value;
  for (const rule of callerOwnerRules(ctx, model, 'create')) {
    const ownerField = rule.ownerField ?? 'owner';
    const value = ownerValue(ctx.caller, rule);
    if (item[ownerField] === undefined && value !== undefined) item[ownerField] = model.fields.find((f) => f.name === ownerField)?.isList ? [value] : value;
  }
  if (access.kind === 'none') throw notAuthorized(field, 'Mutation');
  if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, item))) throw notAuthorized(field, 'Mutation');
  checkFieldWrites(ctx, model, input, item, 'create', field);
  // The condition only ever meets a missing item (`attribute_not_exists(<key>)` comes first), so it cannot
  // reveal a stored value; fields the new item would not let the caller read are refused all the same.
  checkFieldUse({ caller: ctx.caller, model, fields: filterFields(condition), item });
  if (model.versioned) Object.assign(item, { _version: 1, _lastChangedAt: Date.now() });
  item = withCompositeKeys(model, { ...item, __typename: model.name });

  const b = new ExpressionBuilder('c');
  const key = primaryKeyOf(model, item);
  if (!key) throw new AppSyncFieldError('ValidationError', `The input of ${field} is missing a key field of ${model.name}.`);
  const conditions = Object.keys(key).map((name) => `attribute_not_exists(${b.name(name)})`);
  const user = b.filter(condition, EVERY_ITEM);
  if (user) conditions.push(user);
  try {
    await ctx.tables.put({ table: ctx.tableNames[model.name]!, item: toItem(item), condition: b.expression(conditions.join(' AND ')) });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const stored = await replayedCreate(ctx, model, access, key, item, input);
    if (stored) return stored;
    throw conditionFailed(error);
  }
  ctx.events.publish({ apiId: ctx.apiId, modelName: model.name, operation: 'create', mutationField: field, item });
  return item;
}

async function loadForWrite(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  input: Plain,
  field: string,
): Promise<{ key: WriteKey; existing: Plain | undefined }> {
  const key = primaryKeyOf(model, input);
  if (!key) throw new AppSyncFieldError('ValidationError', `The input of ${field} is missing a key field of ${model.name}.`);
  const found = await ctx.tables.get({ table: ctx.tableNames[model.name]!, key });
  return { key, existing: found && fromItem(found) };
}

/** Checks the caller against the stored item; owners may not hand the item to someone else. */
function authorizeExisting(ctx: ExecutionContext, access: OperationAccess, existing: Plain, field: string): void {
  if (access.kind === 'none') throw notAuthorized(field, 'Mutation');
  if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, existing))) throw notAuthorized(field, 'Mutation');
}

/** AUTOMERGE retries a merge this many times when another write moves the version in between. */
const MAX_MERGE_ATTEMPTS = 3;

/** `update<Model>`: SET of the given fields (null removes), `updatedAt`, key exists AND the condition. */
export async function updateItem(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  options: WriteOptions = {},
): Promise<Plain> {
  return retryWhileBusy(() => updateMerging(ctx, model, access, field, input, condition, options));
}

async function updateMerging(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  options: WriteOptions,
): Promise<Plain> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await updateOnce(ctx, model, access, field, input, condition, options);
    } catch (error) {
      if (!(error instanceof VersionMoved)) throw error;
      if (attempt >= MAX_MERGE_ATTEMPTS)
        throw new AppSyncFieldError('MaxConflicts', 'Reached the maximum number of conflict resolution attempts.', { cause: error });
    }
  }
}

async function updateOnce(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  options: WriteOptions,
): Promise<Plain> {
  const { key, existing } = await loadForWrite(ctx, model, input, field);
  if (access.kind === 'none') throw notAuthorized(field, 'Mutation');
  // Fields the caller may never read are refused whether or not the item exists; those readable on some
  // items, once it is known whether this is one of them.
  checkFieldUse({ caller: ctx.caller, model, fields: filterFields(condition) });
  if (!existing) throw conditionFailed();
  authorizeExisting(ctx, access, existing, field);
  if (access.kind === 'items') {
    for (const rule of callerOwnerRules(ctx, model, 'update')) {
      const ownerField = rule.ownerField ?? 'owner';
      if (!(ownerField in input)) continue;
      const candidates = ownerCandidates(ctx.caller, rule);
      const next = input[ownerField];
      const owners = Array.isArray(next) ? next : [next];
      if (!owners.some((o) => typeof o === 'string' && candidates.includes(o))) throw notAuthorized(field, 'Mutation');
    }
  }
  // A soft-deleted item is not brought back by an update, whatever its version or strategy: the conflict
  // carries the tombstone, so a client's conflict handler (DataStore's DISCARD) learns of the delete.
  if (model.versioned && existing._deleted === true) throw conflictUnhandled(ctx, model, existing);
  checkFieldWrites(ctx, model, input, existing, 'update', field);
  const conditionReadableIn = checkFieldUse({ caller: ctx.caller, model, fields: filterFields(condition), item: existing });

  const changes: Plain = {};
  for (const [name, value] of Object.entries(input)) if (!(name in key) && name !== '_version' && value !== undefined) changes[name] = value;
  const updatedAt = model.timestamps.updatedAt;
  if (updatedAt) changes[updatedAt] = new Date().toISOString();
  const version = model.versioned ? checkVersion(ctx, model, input, existing, 'update') : 'current';
  // A stale write under AUTOMERGE becomes the merge of its fields onto the server's item, written as a
  // normal update of the version read.
  if (version === 'merge') {
    const merged = automerge(existing, changes);
    for (const name of Object.keys(changes)) if (name !== updatedAt) changes[name] = merged[name];
  }
  const write = { key, existing, field, userCondition: conditionReadableIn };
  if (version === 'lambda') {
    const decision = await askConflictHandler({
      ctx,
      model,
      functions: options.functions,
      field,
      arguments: options.arguments ?? mutationArguments(input, condition),
      existingItem: existing,
      newItem: withCompositeKeys(model, { ...existing, ...changes }),
      operation: 'update',
    });
    if (decision.action === 'REJECT') throw conflictUnhandled(ctx, model, existing);
    return writeChanges(ctx, model, { ...write, condition, changes: replacingChanges(key, existing, decision.item) });
  }
  return writeChanges(ctx, model, { ...write, condition, changes });
}

interface WriteRequest {
  key: WriteKey;
  existing: Plain;
  field: string;
  condition: Plain | undefined;
  /** The client condition's readable fields in `existing` (checkFieldUse's answer). */
  userCondition: ReturnType<typeof checkFieldUse>;
}

/** Writes `changes` over the stored item, at the version read (versioned models), and publishes the update. */
async function writeChanges(ctx: ExecutionContext, model: GraphQLPlanModel, request: WriteRequest & { changes: Plain }): Promise<Plain> {
  const { key, existing, field, condition, changes } = request;
  const merged = withCompositeKeys(model, { ...existing, ...changes });
  for (const [name, value] of Object.entries(merged)) if (existing[name] !== value && !(name in changes) && !(name in key)) changes[name] = value;

  const b = new ExpressionBuilder('u');
  const sets: string[] = [];
  const removes: string[] = [];
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) removes.push(b.name(name));
    else sets.push(`${b.name(name)} = ${b.value(value)}`);
  }
  // The update and the condition are separate expressions, each with only its own placeholders.
  const c = new ExpressionBuilder('c');
  const conditions = Object.keys(key).map((name) => `attribute_exists(${c.name(name)})`);
  if (model.versioned) {
    conditions.push(`${c.name('_version')} = ${c.value(existing._version ?? 0)}`);
    sets.push(`${b.name('_version')} = ${b.value(Number(existing._version ?? 0) + 1)}`, `${b.name('_lastChangedAt')} = ${b.value(Date.now())}`);
  }
  // Checked against the item as read above, and again in the write's own condition, should it change between.
  const user = c.filter(condition, request.userCondition(c));
  if (user) conditions.push(user);
  const update = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  let updated: Plain;
  try {
    const result = await ctx.tables.update({
      table: ctx.tableNames[model.name]!,
      key,
      update: b.expression(update),
      condition: c.expression(conditions.join(' AND ')),
      returnValues: 'ALL_NEW',
    });
    updated = result.attributes ? fromItem(result.attributes) : merged;
  } catch (error) {
    if (isConditionFailure(error) && model.versioned) await versionRace(ctx, model, key, existing, 'update', error);
    if (isConditionFailure(error)) throw conditionFailed(error);
    throw error;
  }
  ctx.events.publish({ apiId: ctx.apiId, modelName: model.name, operation: 'update', mutationField: field, item: updated });
  return updated;
}

/** `delete<Model>`: key exists AND the condition; answers the item as it was. Versioned models soft-delete. */
export function deleteItem(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  options: WriteOptions = {},
): Promise<Plain> {
  return retryWhileBusy(() => deleteOnce(ctx, model, access, field, input, condition, options));
}

async function deleteOnce(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  field: string,
  input: Plain,
  condition: Plain | undefined,
  options: WriteOptions,
): Promise<Plain> {
  const { key, existing } = await loadForWrite(ctx, model, input, field);
  if (access.kind === 'none') throw notAuthorized(field, 'Mutation');
  checkFieldUse({ caller: ctx.caller, model, fields: filterFields(condition) }); // as for update
  if (!existing) throw conditionFailed();
  authorizeExisting(ctx, access, existing, field);
  const conditionReadableIn = checkFieldUse({ caller: ctx.caller, model, fields: filterFields(condition), item: existing });
  const request: WriteRequest = { key, existing, field, condition, userCondition: conditionReadableIn };
  if (!model.versioned) {
    const b = new ExpressionBuilder('d');
    const conditions = Object.keys(key).map((name) => `attribute_exists(${b.name(name)})`);
    const user = b.filter(condition, conditionReadableIn(b));
    if (user) conditions.push(user);
    try {
      await ctx.tables.delete({ table: ctx.tableNames[model.name]!, key, condition: b.expression(conditions.join(' AND ')) });
    } catch (error) {
      if (isConditionFailure(error)) throw conditionFailed(error);
      throw error;
    }
    ctx.events.publish({ apiId: ctx.apiId, modelName: model.name, operation: 'delete', mutationField: field, item: existing });
    return existing;
  }
  if (checkVersion(ctx, model, input, existing, 'delete') === 'lambda') {
    const decision = await askConflictHandler({
      ctx,
      model,
      functions: options.functions,
      field,
      arguments: options.arguments ?? mutationArguments(input, condition),
      existingItem: existing,
      newItem: null,
      operation: 'delete',
    });
    if (decision.action === 'REJECT') throw conflictUnhandled(ctx, model, existing);
  }
  return writeTombstone(ctx, model, request);
}

/** Soft-deleted items of versioned models expire after this long (AppSync's BaseTableTTL, 30 days). */
const SOFT_DELETE_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * Soft-deletes the stored item at the version read: `_deleted`, a new version, `_lastChangedAt` and `_ttl`
 * (BaseTableTTL); answers the whole item so.
 */
async function writeTombstone(ctx: ExecutionContext, model: GraphQLPlanModel, request: WriteRequest): Promise<Plain> {
  const { key, existing, field, condition } = request;
  const b = new ExpressionBuilder('d');
  const conditions = Object.keys(key).map((name) => `attribute_exists(${b.name(name)})`);
  conditions.push(`${b.name('_version')} = ${b.value(existing._version ?? 0)}`);
  const user = b.filter(condition, request.userCondition(b));
  if (user) conditions.push(user);
  const u = new ExpressionBuilder('s');
  const version = Number(existing._version ?? 0) + 1;
  const now = Date.now();
  const ttl = Math.floor(now / 1000) + SOFT_DELETE_TTL_SECONDS;
  const set = [
    `${u.name('_deleted')} = ${u.value(true)}`,
    `${u.name('_version')} = ${u.value(version)}`,
    `${u.name('_lastChangedAt')} = ${u.value(now)}`,
    `${u.name('_ttl')} = ${u.value(ttl)}`,
  ];
  try {
    await ctx.tables.update({
      table: ctx.tableNames[model.name]!,
      key,
      update: u.expression(`SET ${set.join(', ')}`),
      condition: b.expression(conditions.join(' AND ')),
    });
  } catch (error) {
    if (isConditionFailure(error)) await versionRace(ctx, model, key, existing, 'delete', error);
    if (isConditionFailure(error)) throw conditionFailed(error);
    throw error;
  }
  const answered = { ...existing, _deleted: true, _version: version, _lastChangedAt: now, _ttl: ttl };
  ctx.events.publish({ apiId: ctx.apiId, modelName: model.name, operation: 'delete', mutationField: field, item: answered });
  return answered;
}
