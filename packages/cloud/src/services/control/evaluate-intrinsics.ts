import type { Template } from '@forte/protocol';

/** A value that is known only once the resources it names exist (at apply time). */
export const UNKNOWN: unique symbol = Symbol('unknown until apply');
/** `Ref: AWS::NoValue`: the property (or list item) holding it is dropped. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A template that cannot be evaluated: bad intrinsic shape, a name that does not exist, a type mismatch. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export type ParameterSource =
  | { kind: 'value'; value: unknown }
  /** A nested stack's parameter: the parent's `Properties.Parameters` expression, evaluated lazily in the parent. */
  | { kind: 'expression'; expression: unknown; scope: StackScope };

/** One stack of the flattened graph: the root (`id` '') or a nested `Forte::Stack` (`id` its qualified id). */
export interface StackScope {
  id: string;
  /** How messages name this stack: the root stack name, or the nested stack's qualified id. */
  name: string;
  template: Template;
  parameters: Map<string, { source: ParameterSource; type: string }>;
  conditions: Map<string, boolean>;
  /** Logical ids of resources whose `Condition` holds (all of them when they have none). */
  active: Set<string>;
  /** Nested stacks by their logical id in this stack. */
  children: Map<string, StackScope>;
  /** The project file the template was written from (`amplify/backend/...`), when it was not generated. */
  sourceFile?: string | undefined;
}

/** An output with `Export.Name`: what `Fn::ImportValue` of that name reads. */
export interface ExportedOutput {
  scope: StackScope;
  outputName: string;
}

export interface EvaluationContext {
  /** Pseudo parameters other than AWS::StackName and AWS::NoValue (which depend on the scope). */
  pseudo: Record<string, unknown>;
  rootStackName: string;
  /** A resource's physical id (`attribute` undefined) or attribute; may answer UNKNOWN before apply. */
  resource(qualifiedId: string, attribute: string | undefined): unknown;
  /**
   * The exports of every stack of the environment by their symbolic name (see `symbolicText`), which
   * `Fn::ImportValue` reads; without it, nothing may be imported (conditions, nested stack names).
   */
  exports?: ReadonlyMap<string, ExportedOutput>;
}

export const STACK_TYPE = 'Forte::Stack';

export function qualifiedIdOf(scope: StackScope, logicalId: string): string {
  return scope.id ? `${scope.id}.${logicalId}` : logicalId;
}

export function stackNameOf(scope: StackScope, rootStackName: string): string {
  return scope.id ? `${rootStackName}-${scope.id.replaceAll('.', '-')}` : rootStackName;
}

/**
 * Where messages say a stack or resource is declared: `LambdaFunction (stack functionx, file
 * amplify/backend/function/x/x-cloudformation-template.json)`, so a user knows which file to edit; a
 * generated template has no file, and the stack alone is named.
 */
export function declaredAt(scope: Pick<StackScope, 'name' | 'sourceFile'>, logicalId?: string): string {
  const where = `stack ${scope.name}${scope.sourceFile ? `, file ${scope.sourceFile}` : ''}`;
  return logicalId === undefined ? where : `${logicalId} (${where})`;
}

const TOKEN_START = '\uE000';
const TOKEN_END = '\uE001';

/**
 * The text of an export or import name with every resource value it names left as a token, so an
 * import matches its export before either resource exists (an API's id is known only once it is
 * created, and both sides name it: `${apiIdParameter}:GetAtt:PostTable:StreamArn`).
 */
export function symbolicText(expression: unknown, scope: StackScope, ctx: EvaluationContext): string {
  const symbolic: EvaluationContext = {
    ...ctx,
    resource: (id, attribute) => `${TOKEN_START}${id}${attribute === undefined ? '' : `.${attribute}`}${TOKEN_END}`,
  };
  const value = evaluate(expression, scope, symbolic);
  if (typeof value !== 'string') throw new TemplateError('an export name must be text');
  return value;
}

/** A symbolic name as messages show it: `<api.GraphQLAPI.ApiId>:GetAtt:PostTable:StreamArn`. */
export function readableName(symbolic: string): string {
  return symbolic.replace(new RegExp(`${TOKEN_START}([^${TOKEN_END}]*)${TOKEN_END}`, 'g'), '<$1>');
}

/** The intrinsic functions the engine evaluates (anything else in a template is refused before apply). */
export const SUPPORTED_INTRINSICS = [
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::Base64',
  'Fn::ImportValue',
  'Fn::GetAZs',
] as const;

/** Pseudo parameters that do not depend on the stack (AWS::StackName, AWS::StackId and AWS::NoValue do). */
export function pseudoParameters(identity: { region: string; accountId: string; stackName: string; appId: string }): Record<string, unknown> {
  return {
    'AWS::Region': identity.region,
    'AWS::AccountId': identity.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NotificationARNs': [],
    'AWS::StackId': `arn:aws:cloudformation:${identity.region}:${identity.accountId}:stack/${identity.stackName}/${identity.appId}`,
  };
}

/** The value as it reads back from JSON (how deployed properties are stored), for comparisons. */
export function asStored(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Evaluates the intrinsics of a template value in a stack: Ref, Fn::GetAtt (incl. `Outputs.X` of a nested
 * stack), Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split, Fn::Base64, Fn::ImportValue (an export of any
 * stack of the environment), Fn::GetAZs. Every argument is evaluated before
 * a function answers UNKNOWN, so a collecting context sees every resource a value names.
 */
export function evaluate(value: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  const result = evaluateValue(value, scope, ctx);
  return result === NO_VALUE ? undefined : result;
}

function evaluateValue(value: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, scope, ctx)).filter((item) => item !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const first = entries[0];
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return evaluateFunction(first[0], first[1], scope, ctx);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const evaluated = evaluateValue(item, scope, ctx);
    if (evaluated !== NO_VALUE) out[key] = evaluated;
  }
  return out;
}

function evaluateFunction(name: string, arg: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  switch (name) {
    case 'Ref':
      if (typeof arg !== 'string') throw new TemplateError('Ref takes a name (a string)');
      return ref(arg, scope, ctx);
    case 'Fn::GetAtt':
      return getAtt(arg, scope, ctx);
    case 'Fn::Sub':
      return sub(arg, scope, ctx);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') throw new TemplateError('Fn::Join takes [delimiter, [values]]');
      const list = evaluateValue(arg[1], scope, ctx);
      if (containsUnknown(list)) return UNKNOWN;
      if (!Array.isArray(list)) throw new TemplateError('Fn::Join: the second argument must be a list');
      return list.map((item) => scalarText(item, 'Fn::Join')).join(arg[0]);
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string')
        throw new TemplateError('Fn::If takes [conditionName, valueIfTrue, valueIfFalse]');
      const holds = scope.conditions.get(arg[0]);
      if (holds === undefined) throw new TemplateError(`Fn::If names condition ${arg[0]}, which stack ${scope.name} does not define`);
      return evaluateValue(holds ? arg[1] : arg[2], scope, ctx);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) throw new TemplateError('Fn::Select takes [index, [values]]');
      const index = evaluateValue(arg[0], scope, ctx);
      const list = evaluateValue(arg[1], scope, ctx);
      if (containsUnknown(index) || containsUnknown(list)) return UNKNOWN;
      const i = typeof index === 'string' ? Number(index) : index;
      if (typeof i !== 'number' || !Number.isInteger(i)) throw new TemplateError('Fn::Select: the index must be an integer');
      if (!Array.isArray(list)) throw new TemplateError('Fn::Select: the second argument must be a list');
      if (i < 0 || i >= list.length) throw new TemplateError(`Fn::Select: index ${i} is out of range for a list of ${list.length}`);
      return list[i];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') throw new TemplateError('Fn::Split takes [delimiter, string]');
      const text = evaluateValue(arg[1], scope, ctx);
      if (containsUnknown(text)) return UNKNOWN;
      if (typeof text !== 'string') throw new TemplateError('Fn::Split: the second argument must be a string');
      return text.split(arg[0]);
    }
    case 'Fn::Base64': {
      const text = evaluateValue(arg, scope, ctx);
      if (containsUnknown(text)) return UNKNOWN;
      return Buffer.from(scalarText(text, 'Fn::Base64')).toString('base64');
    }
    case 'Fn::ImportValue':
      return importValue(arg, scope, ctx);
    case 'Fn::GetAZs': {
      const region = evaluateValue(arg, scope, ctx);
      if (containsUnknown(region)) return UNKNOWN;
      const name = region === '' ? ctx.pseudo['AWS::Region'] : region;
      if (typeof name !== 'string') throw new TemplateError('Fn::GetAZs takes a region name or ""');
      return ['a', 'b', 'c'].map((zone) => `${name}${zone}`);
    }
    default:
      throw new TemplateError(`${name} is not supported (use ${SUPPORTED_INTRINSICS.join(', ')})`);
  }
}

/** Export names being resolved now: an export whose value imports itself (through others) is refused, not looped on. */
const importing = new Set<string>();

function importValue(arg: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  const name = symbolicText(arg, scope, ctx);
  const exported = ctx.exports?.get(name);
  if (!exported) {
    throw new TemplateError(
      `Fn::ImportValue ${readableName(name)}: no stack of this environment exports that name (an output with Export.Name); add the export or the resource that makes it`,
    );
  }
  if (importing.has(name)) throw new TemplateError(`Fn::ImportValue ${readableName(name)}: the export's value imports itself`);
  importing.add(name);
  try {
    return outputValue(exported.scope, exported.outputName, ctx);
  } finally {
    importing.delete(name);
  }
}

function ref(name: string, scope: StackScope, ctx: EvaluationContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name === 'AWS::StackName') return stackNameOf(scope, ctx.rootStackName);
  const rootStackId = ctx.pseudo['AWS::StackId'];
  if (name === 'AWS::StackId' && scope.id && typeof rootStackId === 'string') {
    return rootStackId.replace(`/${ctx.rootStackName}/`, `/${stackNameOf(scope, ctx.rootStackName)}/`);
  }
  if (Object.hasOwn(ctx.pseudo, name)) return ctx.pseudo[name];
  const parameter = scope.parameters.get(name);
  if (parameter) return parameterValue(parameter.source, parameter.type, ctx);
  const resource = scope.template.Resources[name];
  if (resource) {
    if (!scope.active.has(name)) throw new TemplateError(`Ref ${name}: that resource is excluded by its Condition ${resource.Condition ?? ''}`);
    const child = scope.children.get(name);
    if (child) return stackNameOf(child, ctx.rootStackName);
    return ctx.resource(qualifiedIdOf(scope, name), undefined);
  }
  throw new TemplateError(`Ref ${name} names no parameter, pseudo parameter or resource of stack ${scope.name}`);
}

/** Parameter values as CloudFormation gives them: a CommaDelimitedList given as text becomes a list. */
export function parameterValue(source: ParameterSource, type: string, ctx: EvaluationContext): unknown {
  const value = source.kind === 'value' ? source.value : evaluate(source.expression, source.scope, ctx);
  if (typeof value === 'string' && (type === 'CommaDelimitedList' || type.startsWith('List<'))) return value.split(',');
  return value;
}

function getAtt(arg: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  let target: string;
  let attribute: string;
  if (typeof arg === 'string' && arg.includes('.')) {
    const dot = arg.indexOf('.');
    target = arg.slice(0, dot);
    attribute = arg.slice(dot + 1);
  } else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
    [target, attribute] = [arg[0], arg[1]];
  } else {
    throw new TemplateError('Fn::GetAtt takes [logicalId, attributeName]');
  }
  const resource = scope.template.Resources[target];
  if (!resource) throw new TemplateError(`Fn::GetAtt ${target}.${attribute}: stack ${scope.name} has no resource ${target}`);
  if (!scope.active.has(target))
    throw new TemplateError(`Fn::GetAtt ${target}.${attribute}: ${target} is excluded by its Condition ${resource.Condition ?? ''}`);
  const child = scope.children.get(target);
  if (child) {
    if (!attribute.startsWith('Outputs.')) throw new TemplateError(`Fn::GetAtt ${target}.${attribute}: a nested stack's attributes are Outputs.<Name>`);
    return outputValue(child, attribute.slice('Outputs.'.length), ctx);
  }
  return ctx.resource(qualifiedIdOf(scope, target), attribute);
}

/** The value of one output of a stack, evaluated in that stack. */
export function outputValue(scope: StackScope, outputName: string, ctx: EvaluationContext): unknown {
  const output = scope.template.Outputs?.[outputName];
  if (!output) throw new TemplateError(`stack ${scope.name} has no output ${outputName}`);
  const condition = typeof output['Condition'] === 'string' ? output['Condition'] : undefined;
  if (condition !== undefined && scope.conditions.get(condition) !== true) {
    throw new TemplateError(`output ${outputName} of stack ${scope.name} is excluded by its Condition ${condition}`);
  }
  return evaluate(output.Value, scope, ctx);
}

function sub(arg: unknown, scope: StackScope, ctx: EvaluationContext): unknown {
  let text: unknown = arg;
  let variables: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    if (arg.length !== 2 || !arg[1] || typeof arg[1] !== 'object' || Array.isArray(arg[1]))
      throw new TemplateError('Fn::Sub takes a string or [string, {variables}]');
    text = arg[0];
    variables = evaluateValue(arg[1], scope, ctx) as Record<string, unknown>;
  }
  if (typeof text !== 'string') throw new TemplateError('Fn::Sub: the template must be a string');
  const parts: unknown[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    parts.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    const name = (match[1] ?? '').trim();
    if (name.startsWith('!')) {
      parts.push(`\${${name.slice(1)}}`); // ${!Literal} writes ${Literal}
      continue;
    }
    if (Object.hasOwn(variables, name)) parts.push(variables[name]);
    else if (name.includes('.') && !name.includes('::')) parts.push(getAtt(name, scope, ctx));
    else parts.push(ref(name, scope, ctx));
  }
  parts.push(text.slice(last));
  if (parts.some(containsUnknown)) return UNKNOWN;
  return parts.map((part) => scalarText(part, 'Fn::Sub')).join('');
}

function scalarText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where}: expected text, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
}
