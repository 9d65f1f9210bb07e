import { liveContext, type LiveResource } from './apply-graph.js';
import type { DeployedRecord } from './control-store.js';
import { STACK_TYPE, TemplateError, asStored, evaluate, outputValue, stackNameOf, type StackScope } from './evaluate-intrinsics.js';
import type { StackGraph } from './stack-graph.js';

/**
 * After apply: a record per nested stack (type `Forte::Stack`, attributes `Outputs.<Name>`, which is what
 * `Fn::GetAtt [stack, Outputs.<Name>]` reads and what the provider copies into amplify-meta), and the
 * root stack's outputs. Throws TemplateError naming the output that cannot be resolved. A string value goes
 * through `rewrite` (an API Gateway URL the template built by hand becomes the URL this cloud serves it at).
 */
export function resolveStackOutputs(
  graph: StackGraph,
  live: Map<string, LiveResource>,
  rewrite: (value: string) => string = (value) => value,
): { stacks: DeployedRecord[]; outputs: Record<string, unknown> } {
  const ctx = liveContext(graph, live);
  const activeOutputs = (scope: StackScope): string[] =>
    Object.entries(scope.template.Outputs ?? {})
      .filter(([, o]) => typeof o['Condition'] !== 'string' || scope.conditions.get(o['Condition']) === true)
      .map(([name]) => name);
  const valueOf = (scope: StackScope, name: string): unknown => {
    try {
      const value = asStored(outputValue(scope, name, ctx));
      return typeof value === 'string' ? rewrite(value) : value;
    } catch (error) {
      throw new TemplateError(`Outputs.${name} of stack ${scope.name}: ${(error as Error).message}`);
    }
  };
  const stacks: DeployedRecord[] = [];
  for (const scope of graph.stacks.values()) {
    const attributes: Record<string, unknown> = {};
    for (const name of activeOutputs(scope)) attributes[`Outputs.${name}`] = valueOf(scope, name);
    const dot = scope.id.lastIndexOf('.');
    const parent = dot < 0 ? graph.root : graph.stacks.get(scope.id.slice(0, dot));
    const templateProperties = parent?.template.Resources[scope.id.slice(dot + 1)]?.Properties ?? {};
    const resolvedProperties = parent ? ((asStored(evaluate(templateProperties, parent, ctx)) ?? {}) as Record<string, unknown>) : {};
    stacks.push({
      logicalId: scope.id,
      resourceType: STACK_TYPE,
      physicalId: stackNameOf(scope, graph.identity.stackName),
      templateProperties,
      resolvedProperties: graph.mask(resolvedProperties),
      attributes: graph.mask(attributes),
      dependsOn: [],
    });
  }
  const outputs: Record<string, unknown> = {};
  for (const name of activeOutputs(graph.root)) outputs[name] = valueOf(graph.root, name);
  return { stacks, outputs: graph.mask(outputs) };
}
