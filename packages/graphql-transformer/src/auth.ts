/**
 * `@auth`: rules normalised with their defaults, validated against the configured auth modes, and their
 * effect on the schema: owner fields, subscription owner arguments, and the AppSync mode directives
 * (`@aws_api_key`, `@aws_iam`, …) on types and operations that more than the default mode may reach.
 */
import type { DirectiveNode, TypeNode } from 'graphql';
import type { GraphQLAuthProvider, GraphQLAuthStrategy, GraphQLModelOperation, GraphQLPlanAuthRule } from '@forte/protocol';
import { baseTypeName, directiveArgs, findDirective, isListType, makeDirective, named } from './ast.js';
import type { AuthenticationType } from './config.js';
import type { Context, ModelState } from './context.js';
import { SchemaError } from './errors.js';
import { appendInputField } from './filters.js';
import { addDirectivesToOperation } from './model.js';
import { names } from './naming.js';
import { SEARCHABLE_AGGREGATE_TYPES } from './searchable.js';
import { arg, field } from './output.js';

export const MODEL_OPERATIONS: GraphQLModelOperation[] = ['create', 'update', 'delete', 'get', 'list', 'sync', 'listen', 'search'];
export const READ_OPERATIONS: readonly GraphQLModelOperation[] = ['get', 'list', 'sync', 'listen', 'search'];

const PROVIDER_OF_MODE: Record<AuthenticationType, GraphQLAuthProvider> = {
  API_KEY: 'apiKey',
  AMAZON_COGNITO_USER_POOLS: 'userPools',
  AWS_IAM: 'iam',
  OPENID_CONNECT: 'oidc',
  AWS_LAMBDA: 'function',
};
const MODE_LABEL: Record<GraphQLAuthProvider, string> = {
  apiKey: 'API Key',
  userPools: 'Cognito User Pools',
  iam: 'IAM',
  oidc: 'OpenID Connect',
  function: 'Lambda',
};
/** AppSync directive per provider, in the order the Amplify transformer emits them. */
const DIRECTIVE_OF_PROVIDER: [GraphQLAuthProvider, string][] = [
  ['apiKey', 'aws_api_key'],
  ['iam', 'aws_iam'],
  ['oidc', 'aws_oidc'],
  ['userPools', 'aws_cognito_user_pools'],
  ['function', 'aws_lambda'],
];
const ALLOWED_PROVIDERS: Record<GraphQLAuthStrategy, GraphQLAuthProvider[]> = {
  owner: ['userPools', 'oidc'],
  groups: ['userPools', 'oidc'],
  private: ['userPools', 'oidc', 'iam'],
  public: ['apiKey', 'iam'],
  custom: ['function'],
};
const STRATEGIES = Object.keys(ALLOWED_PROVIDERS) as GraphQLAuthStrategy[];

export const defaultProvider = (ctx: Context): GraphQLAuthProvider => PROVIDER_OF_MODE[ctx.authConfig.defaultAuthentication.authenticationType];
export const configuredProviders = (ctx: Context): GraphQLAuthProvider[] => [
  defaultProvider(ctx),
  ...(ctx.authConfig.additionalAuthenticationProviders ?? []).map((p) => PROVIDER_OF_MODE[p.authenticationType]),
];

/** Reads and validates the rules of one `@auth` directive, filling in every default. */
export const readRules = (ctx: Context, directive: DirectiveNode, typeName: string, fieldName?: string): GraphQLPlanAuthRule[] => {
  const at = { typeName, ...(fieldName ? { fieldName } : {}), directive: 'auth' };
  const where = fieldName ? `${typeName}.${fieldName}` : typeName;
  const raw = directiveArgs(directive).rules;
  if (!Array.isArray(raw)) throw new SchemaError(`@auth on ${where} needs rules: @auth(rules: [{ allow: owner }]).`, at);
  const configured = configuredProviders(ctx);
  return raw.map((r): GraphQLPlanAuthRule => {
    if (typeof r !== 'object' || r === null) throw new SchemaError(`@auth on ${where}: each rule must be an object such as { allow: public }.`, at);
    const rule = r as Record<string, unknown>;
    const known = ['allow', 'provider', 'identityClaim', 'groupClaim', 'ownerField', 'groupsField', 'groups', 'operations', 'mutations', 'queries'];
    for (const key of Object.keys(rule)) {
      if (!known.includes(key))
        throw new SchemaError(`@auth on ${where}: unknown rule argument '${key}' (expected one of ${known.slice(0, 8).join(', ')}).`, at);
    }
    const strategy = rule.allow as GraphQLAuthStrategy;
    if (!STRATEGIES.includes(strategy))
      throw new SchemaError(`@auth on ${where}: unknown strategy allow: ${String(rule.allow)} (expected one of ${STRATEGIES.join(', ')}).`, at);
    let provider = (typeof rule.provider === 'string' ? rule.provider : ALLOWED_PROVIDERS[strategy][0]) as string;
    if (provider === 'identityPool') provider = 'iam';
    if (!ALLOWED_PROVIDERS[strategy].includes(provider as GraphQLAuthProvider)) {
      throw new SchemaError(
        `@auth directive with '${strategy}' strategy only supports ${ALLOWED_PROVIDERS[strategy].map((p) => `'${p}'`).join(', ')} providers, but found '${provider}' assigned (${where}).`,
        at,
      );
    }
    const p = provider as GraphQLAuthProvider;
    if (!configured.includes(p)) {
      throw new SchemaError(
        `@auth directive with '${p}' provider found, but the project has no ${MODE_LABEL[p]} authentication provider configured (${where}).`,
        at,
      );
    }
    const ops = Array.isArray(rule.operations) ? (rule.operations as unknown[]) : undefined;
    let operations: GraphQLModelOperation[] = [...MODEL_OPERATIONS];
    if (ops) {
      operations = [];
      for (const op of ops) {
        if (op === 'read') operations.push(...READ_OPERATIONS);
        else if (typeof op === 'string' && (MODEL_OPERATIONS as string[]).includes(op)) operations.push(op as GraphQLModelOperation);
        else
          throw new SchemaError(
            `@auth on ${where}: unknown operation '${String(op)}' (expected create, update, delete, read, get, list, sync, listen or search).`,
            at,
          );
      }
      operations = [...new Set(operations)];
    }
    const out: GraphQLPlanAuthRule = { strategy, provider: p, operations };
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    if (strategy === 'owner') {
      out.ownerField = str(rule.ownerField) ?? 'owner';
      out.identityClaim = str(rule.identityClaim) ?? (ctx.params.useSubUsernameForDefaultIdentityClaim ? 'sub::username' : 'username');
    }
    if (strategy === 'groups') {
      out.groupClaim = str(rule.groupClaim) ?? 'cognito:groups';
      if (Array.isArray(rule.groups)) out.groups = rule.groups.filter((g): g is string => typeof g === 'string');
      else out.groupsField = str(rule.groupsField) ?? 'groups';
    }
    return out;
  });
};

/** A role of the access matrix: rules that grant the same identity share one. */
const roleName = (r: GraphQLPlanAuthRule, group?: string): string => {
  if (group !== undefined) return `${r.provider}:staticGroup:${group}:${r.groupClaim}`;
  if (r.provider === 'apiKey') return 'apiKey:public';
  if (r.provider === 'function') return 'function:custom';
  if (r.provider === 'iam') return `iam:${r.strategy}`;
  if (r.strategy === 'groups') return `${r.provider}:dynamicGroup:${r.groupsField}:${r.groupClaim}`;
  if (r.strategy === 'owner') return `${r.provider}:owner:${r.ownerField}:${r.identityClaim}`;
  return `${r.provider}:${r.strategy}`;
};

interface Role {
  provider: GraphQLAuthProvider;
  strategy: GraphQLAuthStrategy;
  entity?: string | undefined;
  isStatic: boolean;
}

/** Which role may do which operation on which field (the Amplify AccessControlMatrix). */
class AccessMatrix {
  readonly roles = new Map<string, Role>();
  private readonly access = new Map<string, Map<string, Set<GraphQLModelOperation>>>();

  constructor(readonly resources: string[]) {}

  add(rules: GraphQLPlanAuthRule[], fieldName?: string): void {
    for (const r of rules) {
      const names = r.strategy === 'groups' && r.groups ? r.groups.map((g) => roleName(r, g)) : [roleName(r)];
      for (const name of names) {
        if (!this.roles.has(name)) {
          const entity = r.strategy === 'owner' ? r.ownerField : r.strategy === 'groups' && !r.groups ? r.groupsField : undefined;
          this.roles.set(name, {
            provider: r.provider,
            strategy: r.strategy,
            entity,
            isStatic: !(r.strategy === 'owner' || (r.strategy === 'groups' && !r.groups)),
          });
        }
        let perField = this.access.get(name);
        if (!perField) this.access.set(name, (perField = new Map()));
        for (const res of fieldName ? [fieldName] : this.resources) {
          const ops = perField.get(res) ?? new Set();
          for (const op of r.operations) ops.add(op);
          perField.set(res, ops);
        }
      }
    }
  }

  reset(fieldName: string): void {
    for (const perField of this.access.values()) perField.delete(fieldName);
  }

  isAllowed(role: string, fieldName: string, op: GraphQLModelOperation): boolean {
    return this.access.get(role)?.get(fieldName)?.has(op) ?? false;
  }

  /** Roles allowed `op` on some field (or on every field when `allFields`). */
  rolesFor(op: GraphQLModelOperation, allFields = false): string[] {
    const out: string[] = [];
    for (const [name, perField] of this.access) {
      const allowed = this.resources.filter((res) => perField.get(res)?.has(op));
      if (allFields ? allowed.length === this.resources.length : allowed.length > 0) out.push(name);
    }
    return out;
  }
}

/** The access matrices: one per model, and one per field of a non-model type (custom queries). */
export interface AuthMatrices {
  models: Map<string, AccessMatrix>;
  fields: { typeName: string; fieldName: string; acm: AccessMatrix }[];
}

/** Reads every `@auth` (model and field level) and validates it. */
export const readAuth = (ctx: Context): AuthMatrices => {
  const matrices = new Map<string, AccessMatrix>();
  const fieldMatrices: AuthMatrices['fields'] = [];
  for (const def of ctx.objects.values()) {
    const typeName = def.name.value;
    const m = ctx.models.get(typeName);
    const typeAuth = findDirective(def, 'auth');
    if (typeAuth && !m) throw new SchemaError(`Types annotated with @auth must also be annotated with @model (${typeName}).`, { typeName, directive: 'auth' });
    if (m && typeAuth) {
      m.authRules = readRules(ctx, typeAuth, typeName);
      const written = directiveArgs(typeAuth).rules;
      m.writtenAuthRules = Array.isArray(written) ? (written as Record<string, unknown>[]) : [];
      const acm = new AccessMatrix((def.fields ?? []).map((f) => f.name.value));
      acm.add(m.authRules);
      matrices.set(typeName, acm);
    }
    for (const f of def.fields ?? []) {
      const fieldAuth = findDirective(f, 'auth');
      if (!fieldAuth) continue;
      const rules = readRules(ctx, fieldAuth, typeName, f.name.value);
      if (m) {
        m.fieldAuthRules.set(f.name.value, rules);
        let acm = matrices.get(typeName);
        if (!acm) matrices.set(typeName, (acm = new AccessMatrix((def.fields ?? []).map((x) => x.name.value))));
        else acm.reset(f.name.value);
        acm.add(rules, f.name.value);
      } else {
        const staticRules = rules.filter((r) => r.strategy !== 'owner' && !r.groupsField);
        const acm = new AccessMatrix([f.name.value]);
        acm.add(staticRules.map((r) => ({ ...r, operations: ['list', 'get', 'search', 'listen', 'sync'] })));
        fieldMatrices.push({ typeName, fieldName: f.name.value, acm });
      }
    }
  }
  return { models: matrices, fields: fieldMatrices };
};

/**
 * A field that some reader of its model may not read is resolved to null for that reader, so it must be
 * nullable (while subscriptions are auth-filtered), as the Amplify transformer requires.
 */
const checkFieldReadRules = (ctx: Context, m: ModelState, acm: AccessMatrix): void => {
  if (m.fieldAuthRules.size === 0 || (m.config.subscriptions?.level ?? 'off') !== 'on') return;
  const readRoles = [...new Set(READ_OPERATIONS.flatMap((op) => acm.rolesFor(op)))];
  const missing: string[] = [];
  for (const f of m.def.fields ?? []) {
    const name = f.name.value;
    const readsAll = (role: string) => READ_OPERATIONS.every((op) => acm.isAllowed(role, name, op));
    let candidates = readRoles;
    for (const provider of ['userPools', 'oidc'] as const) {
      const privateRole = `${provider}:private`;
      if (candidates.includes(privateRole) && readsAll(privateRole)) candidates = candidates.filter((r) => !r.startsWith(`${provider}:`) || r === privateRole);
    }
    const allowed = candidates.filter((r) => READ_OPERATIONS.some((op) => acm.isAllowed(r, name, op)));
    if (allowed.length < candidates.length && f.type.kind === 'NonNullType') missing.push(name);
  }
  if (missing.length > 0) {
    throw new SchemaError(
      "When using field-level authorization rules you need to add rules to all of the model's required fields with at least read permissions. " +
        `Found model "${m.name}" with required fields ${JSON.stringify(missing)} missing field-level authorization rules.`,
      { typeName: m.name, fieldName: missing[0]!, directive: 'auth' },
    );
  }
};

const providersOf = (acm: AccessMatrix, roles: string[]): GraphQLAuthProvider[] => [...new Set(roles.map((r) => acm.roles.get(r)!.provider))];

/**
 * The mode directives for a set of providers: the non-default ones, plus the default one when it must be
 * named alongside them (a type or operation with a directive is no longer open to the default mode).
 */
const serviceDirectives = (ctx: Context, providers: GraphQLAuthProvider[], addDefaultIfNeeded: boolean): DirectiveNode[] => {
  if (providers.length === 0) return [];
  const def = defaultProvider(ctx);
  const out: DirectiveNode[] = [];
  for (const [provider, directive] of DIRECTIVE_OF_PROVIDER) {
    if ((def !== provider && providers.includes(provider)) || (def === provider && providers.some((p) => p !== provider) && addDefaultIfNeeded)) {
      out.push(makeDirective(directive));
    }
  }
  const defDirective = DIRECTIVE_OF_PROVIDER.find(([p]) => p === def)![1];
  if (providers.includes(def) && providers.some((p) => p !== def) && !out.some((d) => d.name.value === defDirective)) out.push(makeDirective(defDirective));
  return out;
};

const propagateToNested = (ctx: Context, def: { fields: { type: TypeNode }[] }, providers: GraphQLAuthProvider[], seen: Map<string, Set<string>>): void => {
  for (const f of def.fields) {
    const base = baseTypeName(f.type);
    // Non-model object types, including the connections that relation fields now return.
    if (!ctx.output.object(base) || ctx.isModel(base) || ['Query', 'Mutation', 'Subscription'].includes(base)) continue;
    const hasSeen = seen.has(base);
    let directives = serviceDirectives(ctx, providers, hasSeen);
    if (!hasSeen) seen.set(base, new Set(directives.map((d) => d.name.value)));
    else {
      const current = seen.get(base)!;
      directives = directives.filter((d) => !current.has(d.name.value));
      for (const d of directives) current.add(d.name.value);
    }
    if (directives.length > 0 || !hasSeen) {
      ctx.output.addTypeDirectives(base, directives);
      const target = ctx.output.object(base);
      if (target) propagateToNested(ctx, target, providers, seen);
    }
  }
};

/** Applies the auth rules to the output schema. */
export const transformAuth = (ctx: Context, matrices: AuthMatrices): void => {
  const modelMatrices = [...matrices.models];
  // Dynamic auth fields cannot be filtered by subscribers (AppSync applies them itself).
  for (const [modelName, acm] of modelMatrices) {
    const filter = ctx.output.input(names.subscriptionFilter(modelName));
    if (!filter) continue;
    for (const role of acm.roles.values()) {
      if (!role.isStatic && (role.provider === 'userPools' || role.provider === 'oidc')) filter.fields = filter.fields.filter((f) => f.name !== role.entity);
    }
  }
  const seenNested = new Map<string, Set<string>>();
  const searchableProviders = new Set<GraphQLAuthProvider>();
  for (const [modelName, acm] of modelMatrices) {
    const m = ctx.model(modelName);
    checkFieldReadRules(ctx, m, acm);
    const type = ctx.output.object(modelName)!;
    const ownerFields = [...new Set([...acm.roles.values()].filter((r) => r.strategy === 'owner').map((r) => r.entity!))];
    const originalFields = new Set(type.fields.map((f) => f.name));
    for (const owner of ownerFields) {
      if (!originalFields.has(owner)) type.fields.push(field(owner, named('String')));
      appendInputField(ctx.output.input(names.filter(modelName)), arg(owner, 'ModelStringInput'));
      appendInputField(ctx.output.input(names.condition(modelName)), arg(owner, 'ModelStringInput'));
      const sub = ctx.output.input(names.subscriptionFilter(modelName));
      if (sub) appendInputField(sub, arg(owner, 'ModelStringInput'));
    }
    const providers = providersOf(acm, [...acm.roles.keys()]);
    ctx.output.addTypeDirectives(modelName, serviceDirectives(ctx, providers, false));
    protectOperations(ctx, m, acm);
    propagateToNested(ctx, type, providers, seenNested);
    if (m.searchQuery) for (const p of providers) searchableProviders.add(p);
  }
  if (searchableProviders.size > 0) {
    const directives = serviceDirectives(ctx, [...searchableProviders], false);
    for (const t of SEARCHABLE_AGGREGATE_TYPES) ctx.output.addTypeDirectives(t, directives);
  }
  for (const { typeName, fieldName, acm } of matrices.fields) {
    ctx.output.addFieldDirectives(typeName, fieldName, serviceDirectives(ctx, providersOf(acm, [...acm.roles.keys()]), false));
  }
};

const protectOperations = (ctx: Context, m: ModelState, acm: AccessMatrix): void => {
  const def = defaultProvider(ctx);
  const add = (root: 'Query' | 'Mutation' | 'Subscription', op: GraphQLModelOperation, name: string | null | undefined): void => {
    if (!name) return;
    const roles = acm.rolesFor(op, op === 'delete');
    const providers = providersOf(acm, roles);
    const includeDefault = providers.includes(def);
    addDirectivesToOperation(ctx, root, name, serviceDirectives(ctx, providers, includeDefault));
  };
  const c = m.config;
  add('Query', 'get', c.queries?.get);
  add('Query', 'list', c.queries?.list);
  add('Query', 'sync', c.queries?.sync);
  add('Mutation', 'create', c.mutations?.create);
  add('Mutation', 'update', c.mutations?.update);
  add('Mutation', 'delete', c.mutations?.delete);
  for (const index of m.indexes) {
    if (index.generated || !index.queryField) continue;
    add('Query', 'list', index.queryField);
    add('Query', 'get', index.queryField);
  }
  if (m.searchQuery) add('Query', 'search', m.searchQuery);
  const s = c.subscriptions;
  if (s && s.level === 'on') {
    const type = ctx.output.object(m.name)!;
    const ownerArgs = [
      ...new Set(
        acm
          .rolesFor('listen')
          .map((r) => acm.roles.get(r)!)
          .filter((r) => r.strategy === 'owner' && !type.fields.some((f) => f.name === r.entity && isListType(f.type)))
          .map((r) => r.entity!),
      ),
    ];
    const subs = [
      ...(c.mutations?.create ? (s.onCreate ?? []) : []),
      ...(c.mutations?.update ? (s.onUpdate ?? []) : []),
      ...(c.mutations?.delete ? (s.onDelete ?? []) : []),
    ];
    for (const sub of subs) {
      add('Subscription', 'listen', sub);
      const f = ctx.output.object('Subscription')?.fields.find((x) => x.name === sub);
      if (f) for (const owner of ownerArgs) if (!f.args.some((a) => a.name === owner)) f.args.push(arg(owner, 'String'));
    }
  }
};

export type { AccessMatrix };
