import type { Template } from '@forte/protocol';
import { STACK_TYPE, SUPPORTED_INTRINSICS, TemplateError, declaredAt, type StackScope } from './evaluate-intrinsics.js';

/** Nested stacks deeper than this are refused (by the graph builder, which names the stack). */
const MAX_CHECKED_NESTING = 8;

const SUPPORTED = new Set<string>(SUPPORTED_INTRINSICS);
/** What a condition may use besides Ref (and the intrinsics of its operands). */
const CONDITION_FUNCTIONS = ['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or'];
const IN_CONDITIONS = new Set<string>([...SUPPORTED_INTRINSICS, ...CONDITION_FUNCTIONS]);
/** Pseudo parameters that depend on the stack, beside the ones of `pseudoParameters`. */
const SCOPED_PSEUDO = ['AWS::StackName', 'AWS::StackId', 'AWS::NoValue'];

/**
 * What CloudFormation refuses when it validates a template, found before anything is applied: a resource
 * type no service handles, an intrinsic the engine does not evaluate, a `Ref`, `Fn::GetAtt` or `Fn::Sub`
 * naming nothing, a `Condition` or `Fn::If` naming a condition that does not exist. Every branch is
 * checked, also those a condition leaves out today. Answers one line per problem, each naming the
 * resource (or output), its stack and its file.
 */
export function checkTemplate(
  scope: Pick<StackScope, 'name' | 'sourceFile' | 'template'>,
  options: { pseudo: Record<string, unknown>; isKnownType(type: string): boolean },
): string[] {
  const { template } = scope;
  const problems: string[] = [];
  const conditions = template.Conditions ?? {};
  const names = (name: string): boolean =>
    Object.hasOwn(options.pseudo, name) ||
    SCOPED_PSEUDO.includes(name) ||
    Object.hasOwn(template.Parameters ?? {}, name) ||
    Object.hasOwn(template.Resources, name);

  const walk = (value: unknown, where: () => string, functions = SUPPORTED): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, where, functions);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const entries = Object.entries(value);
    const [key, arg] = entries.length === 1 && entries[0] ? entries[0] : ['', undefined];
    if (key === 'Ref' && typeof arg === 'string' && !names(arg)) {
      problems.push(`${where()}: Ref ${arg} names no parameter, pseudo parameter or resource of the stack`);
    } else if (key.startsWith('Fn::') && !functions.has(key)) {
      const only = CONDITION_FUNCTIONS.includes(key) ? ' outside Conditions' : '';
      problems.push(`${where()}: the intrinsic function ${key} is not supported${only} (the engine evaluates ${SUPPORTED_INTRINSICS.join(', ')})`);
      return;
    } else if (key === 'Condition' && functions === IN_CONDITIONS && typeof arg === 'string' && !Object.hasOwn(conditions, arg)) {
      problems.push(`${where()}: Condition ${arg} is not defined in the template's Conditions`);
    } else if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string' && !Object.hasOwn(conditions, arg[0])) {
      problems.push(`${where()}: Fn::If names condition ${arg[0]}, which the template's Conditions do not define`);
    } else if (key === 'Fn::GetAtt') {
      const target = typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined;
      if (typeof target === 'string' && !Object.hasOwn(template.Resources, target)) {
        problems.push(`${where()}: Fn::GetAtt names resource ${target}, which the stack does not define`);
      }
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const variables = Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? Object.keys(arg[1]) : [];
      for (const match of typeof text === 'string' ? text.matchAll(/\$\{([^}!][^}]*)\}/g) : []) {
        const name = (match[1] ?? '').trim();
        const target = name.includes('.') && !name.includes('::') ? (name.split('.')[0] ?? '') : name;
        if (!variables.includes(name) && !names(target)) problems.push(`${where()}: Fn::Sub names \${${name}}, which is no parameter, variable or resource`);
      }
    }
    for (const [, item] of entries) walk(item, where, functions);
  };

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const where = (): string => declaredAt(scope, logicalId);
    if (resource.Type !== STACK_TYPE && !options.isKnownType(resource.Type)) {
      problems.push(`${where()}: resource type ${resource.Type} is not supported (no service of this cloud handles it)`);
    }
    if (resource.Condition !== undefined && !Object.hasOwn(conditions, resource.Condition)) {
      problems.push(`${where()}: Condition ${resource.Condition} is not defined in the template's Conditions`);
    }
    for (const target of typeof resource.DependsOn === 'string' ? [resource.DependsOn] : (resource.DependsOn ?? [])) {
      if (!Object.hasOwn(template.Resources, target)) problems.push(`${where()}: DependsOn names ${target}, which the stack does not define`);
    }
    walk(resource.Properties ?? {}, where);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    const where = (): string => declaredAt(scope, `Outputs.${name}`);
    const condition = output['Condition'];
    if (typeof condition === 'string' && !Object.hasOwn(conditions, condition)) {
      problems.push(`${where()}: Condition ${condition} is not defined in the template's Conditions`);
    }
    walk(output.Value, where);
    walk(output['Export'], where);
  }
  for (const [name, condition] of Object.entries(conditions)) walk(condition, () => declaredAt(scope, `Conditions.${name}`), IN_CONDITIONS);
  return problems;
}

/**
 * Checks the root template and every nested one it names before any is evaluated, so one message lists
 * every problem of the push (each naming its resource, stack and file) and nothing is applied.
 */
export function checkAll(
  root: Template,
  nested: Record<string, Template>,
  fileOf: (url: string) => string | undefined,
  rootName: string,
  options: Parameters<typeof checkTemplate>[1],
): void {
  const problems: string[] = [];
  const visit = (template: Template, id: string, sourceFile: string | undefined, depth: number): void => {
    problems.push(...checkTemplate({ name: id || rootName, sourceFile, template }, options));
    if (depth >= MAX_CHECKED_NESTING) return; // the graph builder names the nesting problem
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const url = resource.Properties?.['TemplateURL'];
      if (resource.Type !== STACK_TYPE || typeof url !== 'string' || !Object.hasOwn(nested, url)) continue;
      const child = nested[url];
      if (child) visit(child, id ? `${id}.${logicalId}` : logicalId, fileOf(url), depth + 1);
    }
  };
  visit(root, '', undefined, 0);
  if (problems.length > 0) throw new TemplateError(problems.join('\n'));
}
