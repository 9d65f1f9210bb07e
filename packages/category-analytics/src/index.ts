import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef, type Template } from '@forte/protocol';
import { PARAMETERS_FILE, TEMPLATE_FILE, addKinesis, removeKinesis, updateKinesis } from './kinesis-resource.js';

export { kinesisTemplate } from './kinesis-resource.js';

const NEXT_STEPS = [
  '"forte push" builds all of your local backend resources and provisions them in the cloud',
  '"forte add function" → Lambda trigger → Amazon Kinesis Stream gives a function the stream\'s records',
];

/**
 * The analytics category, service Kinesis: a project's Kinesis stream (`amplify/backend/analytics/<name>/`, as
 * `amplify add analytics` → Amazon Kinesis Streams writes it) is pushed as its template is written: the stream,
 * and the policies that let the app's auth and guest roles put records into it. `forte add | update | remove
 * analytics` are Amplify's walkthroughs for Kinesis; Pinpoint analytics is not supported (the push refuses it,
 * naming the resource).
 */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (command) {
    case 'add':
    case 'update': {
      if (ctx.prompt.yes) throw new UserError(`forte ${command} analytics asks for the stream's name and shards.`, 'Answer the questions in a terminal.');
      const name = command === 'add' ? await addKinesis(ctx) : await updateKinesis(ctx);
      ctx.print.success(`Successfully ${command === 'add' ? 'added' : 'updated'} resource ${name} locally`);
      ctx.print.info('');
      ctx.print.success('Some next steps:');
      for (const line of NEXT_STEPS) ctx.print.info(line);
      ctx.print.info('');
      return;
    }
    case 'remove': {
      const name = await removeKinesis(ctx);
      if (name) ctx.print.success(`Successfully removed resource ${name} locally.`);
      return;
    }
    case 'help':
      ctx.print.info('forte analytics: a project’s Kinesis streams (Amplify’s analytics category, Amazon Kinesis Streams).');
      ctx.print.info('  add      add a Kinesis stream (its name and shards), which the app’s users and guests put events into');
      ctx.print.info('  update   change its number of shards');
      ctx.print.info('  remove   remove it (the next push deletes the stream and its records, after saying how many)');
      ctx.print.info('Amazon Pinpoint analytics is not supported.');
      return;
    default:
      throw new UserError(`analytics has no command ${command}.`, 'See `forte analytics help`.');
  }
}

/** The Kinesis stack as the project holds it, and its parameter values (called by `forte push`). */
export async function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const file = join(resource.dir, TEMPLATE_FILE);
  if (!existsSync(file))
    throw new UserError(
      `The analytics resource ${resource.resourceName} has no ${TEMPLATE_FILE} in ${relative(ctx.project().root, resource.dir)}.`,
      'Restore the file from the repository, or remove the resource from amplify/backend/backend-config.json.',
    );
  const readJson = <T>(path: string): T => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as T;
    } catch (error) {
      throw new UserError(`${relative(ctx.project().root, path)} is not valid JSON: ${(error as Error).message}`, 'Fix the file and push again.', {
        cause: error,
      });
    }
  };
  const template = readJson<Template>(file);
  const parametersFile = join(resource.dir, PARAMETERS_FILE);
  const parameters = existsSync(parametersFile) ? readJson<Record<string, unknown>>(parametersFile) : {};
  return { template, parameters, sourceFile: relative(ctx.project().root, file) };
}
