import { DeleteParametersCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { UserError, type PluginContext, type Project } from '@forte/protocol';
import { amplifyAppId } from './function-files.js';

/** Amplify's secret name: `/amplify/<appId>/<env>/AMPLIFY_<function>_<NAME>`. */
export const secretParameterName = (appId: string, envName: string, functionName: string, secret: string): string =>
  `/amplify/${appId}/${envName}/AMPLIFY_${functionName}_${secret}`;

export const SECRET_NAME = /^[a-zA-Z0-9_]+$/;

async function ssmClient(ctx: PluginContext): Promise<SSMClient> {
  const cloud = await ctx.cloud();
  return new SSMClient({
    endpoint: `${cloud.endpoint.replace(/\/$/, '')}/ssm/`,
    region: cloud.region,
    credentials: { accessKeyId: cloud.accessKeyId, secretAccessKey: cloud.secretAccessKey },
    maxAttempts: 1,
  });
}

/** Sets secret values in the cloud at once (SecureString, overwriting), as Amplify does when they are entered. */
export async function putSecrets(ctx: PluginContext, functionName: string, values: Record<string, string>): Promise<void> {
  const project = ctx.project();
  const appId = amplifyAppId(project);
  const client = await ssmClient(ctx);
  try {
    for (const [secret, value] of Object.entries(values)) {
      try {
        await client.send(
          new PutParameterCommand({
            Name: secretParameterName(appId, project.envName, functionName, secret),
            Value: value,
            Type: 'SecureString',
            Overwrite: true,
          }),
        );
      } catch (error) {
        // The value itself never goes into the message.
        throw new UserError(
          `The cloud did not store the secret ${secret} of ${functionName}: ${(error as Error).name}.`,
          'Check that the cloud is running (`forte cloud status`) and try again.',
          {
            cause: error,
          },
        );
      }
    }
  } finally {
    client.destroy();
  }
}

/** Names among `secrets` that have no value in the cloud for the project's environment. */
export async function missingSecrets(ctx: PluginContext, project: Project, functionName: string, secrets: string[]): Promise<string[]> {
  if (secrets.length === 0) return [];
  const appId = amplifyAppId(project);
  const client = await ssmClient(ctx);
  try {
    const names = secrets.map((s) => secretParameterName(appId, project.envName, functionName, s));
    const found = new Set<string>();
    for (let i = 0; i < names.length; i += 10) {
      const answer = await client.send(new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: false }));
      for (const p of answer.Parameters ?? []) if (p.Name) found.add(p.Name);
    }
    return secrets.filter((_, i) => !found.has(names[i]!));
  } finally {
    client.destroy();
  }
}

/** Deletes secrets a function no longer has from the cloud (Amplify removes them as the function's settings change). */
export async function deleteSecrets(ctx: PluginContext, functionName: string, secrets: string[]): Promise<void> {
  if (secrets.length === 0) return;
  const project = ctx.project();
  const appId = amplifyAppId(project);
  const client = await ssmClient(ctx);
  try {
    const names = secrets.map((s) => secretParameterName(appId, project.envName, functionName, s));
    for (let i = 0; i < names.length; i += 10) await client.send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
  } catch (error) {
    // The settings are already saved; a value left behind is harmless but worth saying.
    ctx.print.warn(`The cloud did not delete the removed secrets of ${functionName} (${(error as Error).name}); they stay unused until deleted.`);
  } finally {
    client.destroy();
  }
}
