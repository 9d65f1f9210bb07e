import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PluginContext } from '@forte/protocol';
import { lambdaFunctions } from './ddb-inputs.js';
import { createFunctionThroughCategory } from './function-category.js';

/** Amplify's name for a new S3 trigger function: `S3Trigger<8 hex digits>`. */
export const newS3TriggerName = (): string => `S3Trigger${randomBytes(4).toString('hex')}`;

/** The function category's method that writes a new function as Amplify's S3 trigger. */
export const CREATE_S3_TRIGGER_FUNCTION = 'createS3TriggerFunction';

/**
 * A new trigger function written by the function category as Amplify's storage category writes one
 * (`createNewLambdaAndUpdateCFN`: its S3 trigger template and handler). Answers its name.
 */
export const createS3TriggerFunction = (ctx: PluginContext, name = newS3TriggerName()): Promise<string> =>
  createFunctionThroughCategory(ctx, CREATE_S3_TRIGGER_FUNCTION, name);

/** Amplify's trigger question: an existing function (other than `exclude`), or a new one; with no function, a new one. */
export async function askTriggerFunction(ctx: PluginContext, exclude?: string): Promise<string> {
  const project = ctx.project();
  const functions = lambdaFunctions(project).filter((f) => f !== exclude);
  let fn: string;
  const kind =
    functions.length === 0
      ? 'new'
      : await ctx.prompt.select({
          message: 'Select from the following options',
          choices: [
            { name: 'Choose an existing function from the project', value: 'existing' },
            { name: 'Create a new function', value: 'new' },
          ],
        });
  if (kind === 'existing') {
    fn = await ctx.prompt.select({ message: 'Select from the following options', choices: functions.map((f) => ({ name: f, value: f })) });
  } else {
    fn = await createS3TriggerFunction(ctx);
    if (
      ctx.openEditor &&
      !ctx.prompt.yes &&
      (await ctx.prompt.confirm({ message: `Do you want to edit the local ${fn} lambda function now?`, default: false }))
    )
      await ctx.openEditor(join(project.resourceDir('function', fn), 'src', 'index.js'));
  }
  return fn;
}
