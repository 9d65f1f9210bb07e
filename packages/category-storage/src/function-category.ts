import { UserError, type PluginContext, type Project } from '@forte/protocol';
import { lambdaFunctions } from './ddb-inputs.js';

/** Refuses a function name the project does not have as a Lambda function, naming those it has. */
export function checkExistingFunction(project: Project, fn: string): void {
  const functions = lambdaFunctions(project);
  if (!functions.includes(fn))
    throw new UserError(`The project has no function named ${fn}.`, `Choose one of: ${functions.join(', ') || 'none (add one with `forte add function`)'}.`);
}

/**
 * A new trigger function, written by the function category's `method` (`ctx.invokePluginMethod('function', method,
 * [{ name }])`), as Amplify's storage walkthroughs go through the function category. Answers its name.
 */
export async function createFunctionThroughCategory(ctx: PluginContext, method: string, name: string): Promise<string> {
  if (!ctx.invokePluginMethod)
    throw new UserError('A new trigger function needs the function category, which this context cannot load.', 'Choose an existing function instead.');
  if (lambdaFunctions(ctx.project()).includes(name))
    throw new UserError(`A function named ${name} already exists.`, 'Choose it as an existing function, or another name.');
  await ctx.invokePluginMethod('function', method, [{ name }]);
  ctx.print.success(`Successfully added resource ${name} locally`);
  return name;
}
