import { RESOURCE_TYPES, type DeployedResource, type Environment, type StackOutputs } from '@forte/protocol';

/**
 * Outputs of a deployed environment: the root stack's outputs and each nested stack's outputs. A nested
 * stack's outputs are read from its attributes, either as `Outputs.<Name>` keys (the `Fn::GetAtt` form) or
 * as an `Outputs` object.
 */
export function stackOutputsOf(environment: Environment, resources: DeployedResource[]): StackOutputs {
  const resourceOutputs: Record<string, Record<string, unknown>> = {};
  for (const resource of resources) {
    if (resource.resourceType !== RESOURCE_TYPES.stack || resource.logicalId.includes('.')) continue;
    const outputs: Record<string, unknown> = {};
    const nested = resource.attributes['Outputs'];
    if (nested && typeof nested === 'object') Object.assign(outputs, nested);
    for (const [key, value] of Object.entries(resource.attributes)) {
      if (key.startsWith('Outputs.')) outputs[key.slice('Outputs.'.length)] = value;
    }
    resourceOutputs[resource.logicalId] = outputs;
  }
  return { rootOutputs: { ...environment.outputs }, resourceOutputs };
}
