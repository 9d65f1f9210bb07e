import { TemplateError, declaredAt, readableName, symbolicText, type EvaluationContext, type ExportedOutput, type StackScope } from './evaluate-intrinsics.js';

/**
 * Every output with `Export.Name` of the environment's stacks (whose Condition holds), by its symbolic
 * name. Two outputs exporting one name are refused, as CloudFormation refuses them.
 */
export function collectExports(scopes: StackScope[], ctx: EvaluationContext): Map<string, ExportedOutput> {
  const exports = new Map<string, ExportedOutput>();
  for (const scope of scopes) {
    for (const [outputName, output] of Object.entries(scope.template.Outputs ?? {})) {
      const condition = output['Condition'];
      if (typeof condition === 'string' && scope.conditions.get(condition) !== true) continue;
      const spec = output['Export'];
      if (spec === undefined) continue;
      const where = declaredAt(scope, `Outputs.${outputName}`);
      if (!spec || typeof spec !== 'object' || !Object.hasOwn(spec, 'Name')) throw new TemplateError(`${where}: Export takes {"Name": name}`);
      let name: string;
      try {
        name = symbolicText((spec as { Name: unknown }).Name, scope, ctx);
      } catch (error) {
        throw new TemplateError(`${where}: Export.Name: ${(error as Error).message}`);
      }
      const other = exports.get(name);
      if (other) {
        throw new TemplateError(
          `${where}: export ${readableName(name)} is already exported by ${declaredAt(other.scope, `Outputs.${other.outputName}`)}; export names are unique in an environment`,
        );
      }
      exports.set(name, { scope, outputName });
    }
  }
  return exports;
}
