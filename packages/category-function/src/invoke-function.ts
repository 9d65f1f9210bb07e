import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { UserError, type PluginContext } from '@forte/protocol';
import { CATEGORY } from './function-files.js';

export interface InvokeResult {
  payload: string;
  functionError?: string;
  log: string;
}

/** Calls the deployed `<name>-<env>` through the cloud's Lambda Invoke API (RequestResponse, log tail). */
export async function invokeFunction(ctx: PluginContext, name: string, eventFile?: string): Promise<InvokeResult> {
  const project = ctx.project();
  const file = eventFile ? resolve(ctx.cwd, eventFile) : join(project.resourceDir(CATEGORY, name), 'src', 'event.json');
  if (!existsSync(file)) throw new UserError(`The event file ${file} does not exist.`, 'Pass one with --event <file.json>.');
  const text = readFileSync(file, 'utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UserError(`The event file ${file} is not valid JSON: ${(error as Error).message}`, 'Fix the file; Lambda events are JSON.');
  }
  const cloud = await ctx.cloud();
  const client = new LambdaClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey },
    maxAttempts: 1,
  });
  try {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: `${name}-${project.envName}`, Payload: Buffer.from(text), LogType: 'Tail', InvocationType: 'RequestResponse' }),
    );
    return {
      payload: Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'),
      ...(answer.FunctionError ? { functionError: answer.FunctionError } : {}),
      log: answer.LogResult ? Buffer.from(answer.LogResult, 'base64').toString('utf8') : '',
    };
  } catch (error) {
    const e = error as Error;
    if (e.name === 'ResourceNotFoundException') {
      throw new UserError(`The function ${name}-${project.envName} is not deployed.`, 'Run `forte push` first.', { cause: error });
    }
    throw new UserError(`Invoking ${name}-${project.envName} failed: ${e.name}: ${e.message}`, 'Check that the cloud is running (`forte cloud status`).', {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

/** `forte function invoke <name>` / `forte mock function <name>`: prints the result and the log. */
export async function invokeCommand(ctx: PluginContext): Promise<void> {
  const name = ctx.input.subCommands[0];
  if (!name) throw new UserError('Name the function to invoke.', 'Run `forte function invoke <name> [--event file.json]`.');
  const event = ctx.input.options['event'];
  const result = await invokeFunction(ctx, name, typeof event === 'string' ? event : undefined);
  if (result.log) ctx.print.info(result.log.trimEnd());
  if (!result.functionError) {
    ctx.print.success('Result:');
    ctx.print.info(result.payload);
    return;
  }
  ctx.print.error(`Error (${result.functionError}):`);
  ctx.print.info(result.payload);
  // A failing invocation fails the command, so scripts can tell.
  throw new UserError(`${name} returned an error.`, 'The error and the log are printed above; fix the handler and push again.');
}
