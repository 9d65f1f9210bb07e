import type { Template } from '@forte/protocol';
import { checkAll } from './check-template.js';
import { orderByDependencies } from './dependency-order.js';
import {
  STACK_TYPE,
  TemplateError,
  UNKNOWN,
  containsUnknown,
  declaredAt,
  evaluate,
  outputValue,
  pseudoParameters,
  qualifiedIdOf,
  type EvaluationContext,
  type ExportedOutput,
  type ParameterSource,
  type StackScope,
} from './evaluate-intrinsics.js';
import { checkParameterValue } from './parameter-types.js';
import { collectExports } from './stack-exports.js';
import { isNoEcho, noEchoMask } from './no-echo-parameters.js';

/** Names the resolver needs besides the template: they become pseudo parameters. */
export interface StackIdentity {
  stackName: string;
  appId: string;
  appSlug: string;
  envName: string;
  region: string;
  accountId: string;
}

/** One resource of the flattened graph (nested stacks are not nodes: the engine resolves them itself). */
export interface GraphNode {
  /** `<stackLogicalId>.<logicalId>` for nested resources, the logical id for root ones. */
  qualifiedId: string;
  logicalId: string;
  scope: StackScope;
  resourceType: string;
  /** `Properties` as written in the template (intrinsics unresolved). */
  properties: Record<string, unknown>;
  /** Resources this one's properties name (through parameters and nested stack outputs too). */
  references: Set<string>;
  /** references, DependsOn, and the ordering DependsOn between nested stacks asks for (see addStackOrdering). */
  dependsOn: Set<string>;
}

export interface StackGraph {
  identity: StackIdentity;
  root: StackScope;
  /** Nested stacks by qualified id. */
  stacks: Map<string, StackScope>;
  /** Nodes in dependency order (each after what it depends on). */
  nodes: Map<string, GraphNode>;
  pseudo: Record<string, unknown>;
  /** Every export of the environment's stacks, for Fn::ImportValue. */
  exports: ReadonlyMap<string, ExportedOutput>;
  /** Hides the values of the root's NoEcho parameters in what is kept or answered (no-echo-parameters.ts). */
  mask: <T>(value: T) => T;
}

const MAX_NESTING = 8;

/**
 * Flattens a root template and its nested `Forte::Stack` templates into one resource graph: parameters
 * bound (given, default, or the parent's expression), conditions decided, dependencies collected at
 * resource level, an import after the resources its export names. Throws TemplateError naming the
 * problem, the resource, its stack and its file: missing parameters or nested templates, unknown types,
 * unsupported or bad intrinsics, an import nobody exports, a dependency cycle.
 */
export function buildStackGraph(input: {
  template: Template;
  nestedTemplates: Record<string, Template>;
  /** TemplateURL → the project file it was written from, for messages (generated templates have none). */
  nestedTemplateFiles?: Record<string, string>;
  parameters: Record<string, unknown>;
  identity: StackIdentity;
  isKnownType(type: string): boolean;
  /** The types a type's resources are applied after (ResourceHandler.appliedAfter). */
  appliedAfter?(type: string): readonly string[];
  /** The key of the digests in NoEcho masks (derived from the cloud's secret key). */
  maskKey?: Buffer;
}): StackGraph {
  const { identity } = input;
  const pseudo: Record<string, unknown> = {
    ...pseudoParameters(identity),
    'Forte::AppId': identity.appId,
    'Forte::EnvName': identity.envName,
    'Forte::AppSlug': identity.appSlug,
  };
  const staticContext: EvaluationContext = {
    pseudo,
    rootStackName: identity.stackName,
    resource: (qualifiedId) => {
      throw new TemplateError(`conditions and nested stack names can use only parameters, but this one names resource ${qualifiedId}`);
    },
  };
  /**
   * What a parent passes to a nested stack, when it names no resource (`env`, a literal), so its Type and
   * AllowedValues are checked before apply; one that names a resource is checked by its use when applied.
   */
  const knownValueOf = (expression: unknown, parent: StackScope): unknown => {
    try {
      return evaluate(expression, parent, { pseudo, rootStackName: identity.stackName, resource: () => UNKNOWN });
    } catch {
      return UNKNOWN; // an import, or a mistake the resource using the parameter names when it is evaluated
    }
  };
  const stacks = new Map<string, StackScope>();
  const fileOf = (url: string): string | undefined => (Object.hasOwn(input.nestedTemplateFiles ?? {}, url) ? input.nestedTemplateFiles?.[url] : undefined);
  checkAll(input.template, input.nestedTemplates, fileOf, identity.stackName, { pseudo, isKnownType: input.isKnownType });
  const givenRoot = new Map(Object.entries(input.parameters).map(([k, v]) => [k, { kind: 'value', value: v } as ParameterSource]));
  const root = buildScope({ id: '', name: identity.stackName, template: input.template, given: givenRoot, depth: 0, sourceFile: undefined });

  function buildScope(args: {
    id: string;
    name: string;
    template: Template;
    given: Map<string, ParameterSource>;
    depth: number;
    sourceFile: string | undefined;
  }): StackScope {
    const scope: StackScope = {
      id: args.id,
      name: args.name,
      template: args.template,
      parameters: new Map(),
      conditions: new Map(),
      active: new Set(),
      children: new Map(),
      sourceFile: args.sourceFile,
    };
    const missing: string[] = [];
    for (const [name, declared] of Object.entries(args.template.Parameters ?? {})) {
      const source = args.given.get(name) ?? (declared.Default !== undefined ? { kind: 'value' as const, value: declared.Default } : undefined);
      if (!source) {
        missing.push(name);
        continue;
      }
      scope.parameters.set(name, { source, type: declared.Type });
      const value = source.kind === 'value' ? source.value : knownValueOf(source.expression, source.scope);
      if (value !== undefined && !containsUnknown(value)) checkParameterValue(name, declared, value, scope);
    }
    if (missing.length > 0) {
      throw new TemplateError(
        `Parameters must have values: ${missing.join(', ')} (${declaredAt(scope)}); pass them from the parent stack or give them a Default`,
      );
    }
    decideConditions(scope, staticContext);
    for (const [logicalId, resource] of Object.entries(args.template.Resources)) {
      if (resource.Condition === undefined || scope.conditions.get(resource.Condition) === true) scope.active.add(logicalId);
    }
    for (const logicalId of scope.active) {
      const resource = args.template.Resources[logicalId];
      if (resource?.Type !== STACK_TYPE) continue;
      const id = qualifiedIdOf(scope, logicalId);
      if (args.depth + 1 > MAX_NESTING) throw new TemplateError(`${id}: stacks nest deeper than ${MAX_NESTING} levels (does a template include itself?)`);
      const url = resource.Properties?.['TemplateURL'];
      if (typeof url !== 'string') throw new TemplateError(`${id}: a Forte::Stack needs Properties.TemplateURL (a key of the change set's nestedTemplates)`);
      const nested = Object.hasOwn(input.nestedTemplates, url) ? input.nestedTemplates[url] : undefined;
      if (!nested) throw new TemplateError(`${id}: TemplateURL ${url} is not among the change set's nestedTemplates; upload it with the change set`);
      const given = new Map<string, ParameterSource>();
      const passed = resource.Properties?.['Parameters'] ?? {};
      if (typeof passed !== 'object' || passed === null || Array.isArray(passed)) throw new TemplateError(`${id}: Properties.Parameters must be an object`);
      for (const [name, expression] of Object.entries(passed)) given.set(name, { kind: 'expression', expression, scope });
      const child = buildScope({ id, name: id, template: nested, given, depth: args.depth + 1, sourceFile: fileOf(url) });
      scope.children.set(logicalId, child);
      stacks.set(id, child);
    }
    return scope;
  }

  const exports = collectExports([root, ...stacks.values()], staticContext);

  // Resource nodes, with every resource their properties name (collected by evaluating with a recorder).
  const unordered = new Map<string, GraphNode>();
  /** DependsOn naming a nested stack or set on one: `from` waits for `to`, unless that closes a cycle. */
  const stackOrdering: { from: string; to: string }[] = [];
  const collectNodes = (scope: StackScope): void => {
    for (const logicalId of scope.active) {
      const resource = scope.template.Resources[logicalId];
      if (!resource) continue;
      const qualifiedId = qualifiedIdOf(scope, logicalId);
      const child = scope.children.get(logicalId);
      const hard = new Set<string>();
      for (const target of typeof resource.DependsOn === 'string' ? [resource.DependsOn] : (resource.DependsOn ?? [])) {
        if (!scope.active.has(target)) continue; // excluded by its condition: nothing to wait for
        const targetId = qualifiedIdOf(scope, target);
        if (child || scope.children.has(target)) stackOrdering.push({ from: qualifiedId, to: targetId });
        else hard.add(targetId);
      }
      if (child) {
        collectNodes(child);
        continue;
      }
      const references = new Set<string>();
      const recorder: EvaluationContext = {
        pseudo,
        rootStackName: identity.stackName,
        exports,
        resource: (id) => {
          references.add(id);
          return UNKNOWN;
        },
      };
      const properties = resource.Properties ?? {};
      try {
        evaluate(properties, scope, recorder);
      } catch (error) {
        throw new TemplateError(`${declaredAt(scope, logicalId)}: ${(error as Error).message}`);
      }
      unordered.set(qualifiedId, {
        qualifiedId,
        logicalId,
        scope,
        resourceType: resource.Type,
        properties,
        references,
        dependsOn: new Set([...references, ...hard]),
      });
    }
  };
  collectNodes(root);
  addStackOrdering(unordered, stacks, stackOrdering);
  if (input.appliedAfter) addTypeOrdering(unordered, input.appliedAfter);

  // Outputs are checked now so a bad reference fails the plan, not the commit.
  const checker: EvaluationContext = { pseudo, rootStackName: identity.stackName, exports, resource: () => UNKNOWN };
  for (const scope of [root, ...stacks.values()]) {
    for (const name of Object.keys(scope.template.Outputs ?? {})) {
      const condition = scope.template.Outputs?.[name]?.['Condition'];
      if (typeof condition === 'string' && scope.conditions.get(condition) !== true) continue;
      try {
        outputValue(scope, name, checker);
      } catch (error) {
        throw new TemplateError(`${declaredAt(scope, `Outputs.${name}`)}: ${(error as Error).message}`);
      }
    }
  }

  const ordered = orderByDependencies(unordered.keys(), (id) => unordered.get(id)?.dependsOn ?? []);
  if ('cycle' in ordered) throw new TemplateError(`Circular dependency between resources: ${ordered.cycle.join(' → ')}`);
  const nodes = new Map<string, GraphNode>();
  for (const id of ordered.order) {
    const node = unordered.get(id);
    if (node) nodes.set(id, node);
  }
  const noEchoValues = Object.entries(input.parameters)
    .filter(([name]) => isNoEcho(input.template, name))
    .map(([, value]) => value);
  return { identity, root, stacks, nodes, pseudo, exports, mask: noEchoMask(noEchoValues, input.maskKey) };
}

/**
 * Amplify-style root templates put DependsOn between nested stacks although the references between
 * their resources already order them. Such a DependsOn orders every resource of one stack after every
 * resource of the other, unless that would close a cycle: then the references alone decide, so two
 * stacks that merely point at each other never fail as "circular" when their resources are not.
 */
function addStackOrdering(nodes: Map<string, GraphNode>, stacks: Map<string, StackScope>, pairs: { from: string; to: string }[]): void {
  const under = (id: string): string[] => (stacks.has(id) ? [...nodes.keys()].filter((q) => q.startsWith(`${id}.`)) : nodes.has(id) ? [id] : []);
  for (const pair of pairs) {
    const from = under(pair.from);
    const to = under(pair.to);
    // Everything `to` already waits for: if a `from` resource is among it, the ordering would be circular.
    const reached = reachedFrom(nodes, to);
    if (from.some((id) => reached.has(id) || to.includes(id))) continue;
    for (const f of from) for (const t of to) nodes.get(f)?.dependsOn.add(t);
  }
}

/** Everything `ids` wait for, directly or not. */
function reachedFrom(nodes: Map<string, GraphNode>, ids: readonly string[]): Set<string> {
  const reached = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop() ?? '';
    for (const dep of nodes.get(id)?.dependsOn ?? []) {
      if (!reached.has(dep)) {
        reached.add(dep);
        stack.push(dep);
      }
    }
  }
  return reached;
}

/**
 * Orders each resource after the resources of the types its handler names (`appliedAfter`), in whatever
 * stacks they are, skipping a pair that is already ordered the other way (that would be a cycle).
 */
function addTypeOrdering(nodes: Map<string, GraphNode>, appliedAfter: (type: string) => readonly string[]): void {
  for (const node of nodes.values()) {
    const types = appliedAfter(node.resourceType);
    if (types.length === 0) continue;
    for (const other of nodes.values()) {
      if (other === node || !types.includes(other.resourceType)) continue;
      if (reachedFrom(nodes, [other.qualifiedId]).has(node.qualifiedId)) continue;
      node.dependsOn.add(other.qualifiedId);
    }
  }
}

function decideConditions(scope: StackScope, ctx: EvaluationContext): void {
  const definitions = scope.template.Conditions ?? {};
  const deciding = new Set<string>();
  const decide = (name: string): boolean => {
    const known = scope.conditions.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(definitions, name)) throw new TemplateError(`condition ${name} is not defined in ${declaredAt(scope)}`);
    if (deciding.has(name)) throw new TemplateError(`condition ${name} of stack ${scope.name} refers to itself`);
    deciding.add(name);
    const value = conditionValue(definitions[name], `condition ${name} of stack ${scope.name}`);
    deciding.delete(name);
    scope.conditions.set(name, value);
    return value;
  };
  const conditionValue = (expression: unknown, where: string): boolean => {
    if (typeof expression === 'boolean') return expression;
    const entries = expression && typeof expression === 'object' && !Array.isArray(expression) ? Object.entries(expression) : [];
    const [fn, arg] = entries.length === 1 && entries[0] ? entries[0] : ['', undefined];
    const list = (n?: number): unknown[] => {
      if (!Array.isArray(arg) || (n !== undefined && arg.length !== n)) throw new TemplateError(`${where}: ${fn} takes a list${n ? ` of ${n}` : ''}`);
      return arg;
    };
    try {
      switch (fn) {
        case 'Condition':
          if (typeof arg !== 'string') throw new TemplateError(`${where}: {"Condition": name} takes a name`);
          return decide(arg);
        case 'Fn::Equals': {
          const [a, b] = list(2).map((v) => evaluate(v, scope, ctx));
          return typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : String(a) === String(b);
        }
        case 'Fn::Not':
          return !conditionValue(list(1)[0], where);
        case 'Fn::And':
          return list()
            .map((c) => conditionValue(c, where))
            .every(Boolean);
        case 'Fn::Or':
          return list()
            .map((c) => conditionValue(c, where))
            .some(Boolean);
        default:
          throw new TemplateError(`${where}: conditions use Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}`);
      }
    } catch (error) {
      if (error instanceof TemplateError && error.message.startsWith(where)) throw error;
      if (error instanceof TemplateError && error.message.startsWith('condition ')) throw error;
      throw new TemplateError(`${where}: ${(error as Error).message}`);
    }
  };
  for (const name of Object.keys(definitions)) decide(name);
}
