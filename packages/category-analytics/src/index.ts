import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef, type Template } from '@forte/protocol';

/** The file Amplify writes for a Kinesis analytics resource, and the one it reads its values from. */
const TEMPLATE_FILE = 'kinesis-cloudformation-template.json';
const PARAMETERS_FILE = 'parameters.json';

/**
 * The analytics category, service Kinesis: a project's Kinesis stream (`amplify/backend/analytics/<name>/`, as
 * `amplify add analytics` → Amazon Kinesis Streams writes it) is pushed as its template is written: the stream,
 * and the policies that let the app's auth and guest roles put records into it. Adding one from Forte's CLI is
 * not there yet; Pinpoint analytics is not supported (the push refuses it, naming the resource).
 */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (command) {
    case 'add':
    case 'update':
      throw new UserError(
        `forte ${command} analytics is not supported yet: Forte pushes the Kinesis streams a project already holds (amplify/backend/analytics/<name>/${TEMPLATE_FILE}), but cannot ${command} one.`,
        'Create the resource with the Amplify CLI (`amplify add analytics`, Amazon Kinesis Streams) and push it with `forte push`.',
      );
    case 'remove':
      throw new UserError(
        'forte remove analytics is not supported yet.',
        'Delete amplify/backend/analytics/<name>/ and its entry in amplify/backend/backend-config.json ("analytics"), then `forte push`.',
      );
    case 'help':
      ctx.print.info('forte analytics: a project’s Kinesis streams (Amplify’s analytics category, Amazon Kinesis Streams) are deployed by `forte push`.');
      ctx.print.info('Adding, updating and removing analytics resources from Forte’s CLI is not supported yet; Amazon Pinpoint analytics is not supported.');
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
