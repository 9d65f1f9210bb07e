import { RESOURCE_TYPES, type Template } from '@forte/protocol';

const noEcho = (declared: unknown): boolean => {
  const flag = (declared as Record<string, unknown> | undefined)?.['NoEcho'];
  return flag === true || flag === 'true';
};

/**
 * A value the root would pass to a nested stack's NoEcho parameter (a provider's client secret) is not written
 * into the root template, which the cloud keeps and shows: the root declares a NoEcho parameter
 * `<nested stack logical id><parameter>` instead, passes it with `Ref`, and the value travels as a change-set
 * parameter, which the cloud keeps sealed and never answers. Returns the new root and the values.
 */
export function liftNoEchoParameters(root: Template, nestedTemplates: Record<string, Template>): { template: Template; parameters: Record<string, unknown> } {
  const parameters: Record<string, unknown> = {};
  const rootParameters: NonNullable<Template['Parameters']> = { ...(root.Parameters ?? {}) };
  const resources: Template['Resources'] = {};
  for (const [logicalId, resource] of Object.entries(root.Resources)) {
    const props = resource.Properties ?? {};
    const url = props['TemplateURL'];
    const passed = props['Parameters'] as Record<string, unknown> | undefined;
    const nested = typeof url === 'string' ? nestedTemplates[url] : undefined;
    if (resource.Type !== RESOURCE_TYPES.stack || !nested || !passed) {
      resources[logicalId] = resource;
      continue;
    }
    const lifted: Record<string, unknown> = { ...passed };
    for (const [name, value] of Object.entries(passed)) {
      if (!noEcho(nested.Parameters?.[name]) || (typeof value !== 'string' && typeof value !== 'number')) continue;
      const rootName = `${logicalId}${name}`.replace(/[^A-Za-z0-9]/g, '');
      rootParameters[rootName] = { Type: 'String', NoEcho: true };
      parameters[rootName] = String(value);
      lifted[name] = { Ref: rootName };
    }
    resources[logicalId] = { ...resource, Properties: { ...props, Parameters: lifted } };
  }
  const template: Template = { ...root, Resources: resources };
  if (Object.keys(rootParameters).length > 0) template.Parameters = rootParameters;
  return { template, parameters };
}
