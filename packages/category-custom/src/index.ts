import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef, type Template } from '@forte/protocol';
import { PARAMETERS_FILE, addCustom, readLenientJson, removeCustom, templateFile, updateCustom } from './custom-resource.js';

export { SKELETON, outputAttributes } from './custom-resource.js';

/**
 * The custom category, service customCloudFormation: a project's own CloudFormation stack
 * (`amplify/backend/custom/<name>/<name>-cloudformation-template.json`, as `amplify add custom` → AWS CloudFormation
 * writes it) is pushed as written, with the outputs of the resources it depends on as parameters. Its resources are
 * deployed by the cloud's stack engine, which refuses a type it does not provide before anything is applied. AWS CDK
 * custom resources (customCDK) are not built: the push refuses them, naming the resource.
 */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (command) {
    case 'add':
    case 'update': {
      if (ctx.prompt.yes) throw new UserError(`forte ${command} custom asks its questions in a terminal.`, 'Run it in a terminal, without --yes.');
      const name = command === 'add' ? await addCustom(ctx) : await updateCustom(ctx);
      if (command === 'update') ctx.print.success(`Successfully updated resource ${name} locally`);
      ctx.print.info('');
      ctx.print.success('Some next steps:');
      ctx.print.info(`Define the stack's resources and outputs in amplify/backend/custom/${name}/${templateFile(name)}`);
      ctx.print.info('"forte push" builds all of your local backend resources and provisions them in the cloud');
      ctx.print.info('');
      return;
    }
    case 'remove': {
      const name = await removeCustom(ctx);
      if (name) ctx.print.success(`Successfully removed resource ${name} locally`);
      return;
    }
    case 'help':
      ctx.print.info('forte custom: stacks of your own (Amplify’s custom category, AWS CloudFormation).');
      ctx.print.info('  add      a CloudFormation stack, and the project resources whose outputs it reads');
      ctx.print.info('  update   the resources it reads, then the template in your editor');
      ctx.print.info('  remove   remove it (the next push deletes what its stack made)');
      ctx.print.info('AWS CDK custom resources are not built.');
      return;
    default:
      throw new UserError(`custom has no command ${command}.`, 'See `forte custom help`.');
  }
}

/** The stack as the project holds it, and its parameters.json values when it has one (called by `forte push`). */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const project = ctx.project();
  const file = join(resource.dir, templateFile(resource.resourceName));
  if (!existsSync(file))
    throw new UserError(
      `The custom resource ${resource.resourceName} has no ${templateFile(resource.resourceName)} in ${relative(project.root, resource.dir)}.`,
      'Restore the file from the repository, or remove the resource (`forte remove custom`).',
    );
  const template = readLenientJson<Template>(project, file);
  if (!template || typeof template !== 'object' || Array.isArray(template) || typeof template.Resources !== 'object')
    throw new UserError(`${relative(project.root, file)} is not a CloudFormation template: it has no Resources.`, 'Define the stack’s resources in it.');
  const parametersFile = join(resource.dir, PARAMETERS_FILE);
  const parameters = existsSync(parametersFile) ? readLenientJson<Record<string, unknown>>(project, parametersFile) : {};
  return { template, parameters, sourceFile: relative(project.root, file) };
}
