import { DeleteParametersCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { UserError, type PluginContext, type Project } from '@forte/protocol';
import { CATEGORY, SERVICE, amplifyAppId, functionPaths, readJsonFile } from './function-files.js';
import type { FunctionParameters } from './function-settings.js';

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

/**
 * `forte env add` (the PostEnvAdd event): the functions' secrets of `sourceEnv` get the same values in the new
 * environment, as Amplify carries them over (asking first when it can; with `--yes` it carries them). Values
 * travel from the cloud to the cloud and are never printed. Answers the names carried over.
 */
export async function carrySecretsOver(ctx: PluginContext, envs: { sourceEnv: string; envName: string }): Promise<string[]> {
  const project = ctx.project();
  const functions = Object.entries(project.readBackendConfig()[CATEGORY] ?? {})
    .filter(([, entry]) => (entry as { service?: unknown }).service === SERVICE)
    .map(([name]) => ({
      name,
      secrets:
        readJsonFile<FunctionParameters>(functionPaths(project.resourceDir(CATEGORY, name), name).functionParameters, { lambdaLayers: [] }).secretNames ?? [],
    }))
    .filter((f) => f.secrets.length > 0);
  if (functions.length === 0) return [];
  const count = functions.reduce((n, f) => n + f.secrets.length, 0);
  const carry =
    ctx.prompt.yes || (await ctx.prompt.confirm({ message: 'Do you want to carry over all existing secret values to the new environment?', default: true }));
  if (!carry) {
    ctx.print.info(
      `${count} function secret${count === 1 ? ' has' : 's have'} no value in ${envs.envName}: set them with \`forte update function\` (Secret values configuration) before pushing.`,
    );
    return [];
  }
  const appId = amplifyAppId(project);
  const client = await ssmClient(ctx);
  const carried: string[] = [];
  try {
    for (const fn of functions) {
      const names = fn.secrets.map((s) => secretParameterName(appId, envs.sourceEnv, fn.name, s));
      for (let i = 0; i < names.length; i += 10) {
        const answer = await client.send(new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: true }));
        for (const p of answer.Parameters ?? []) {
          const secret = fn.secrets[names.indexOf(p.Name ?? '')];
          if (secret === undefined || p.Value === undefined) continue;
          await client.send(
            new PutParameterCommand({ Name: secretParameterName(appId, envs.envName, fn.name, secret), Value: p.Value, Type: 'SecureString', Overwrite: true }),
          );
          carried.push(`${fn.name}/${secret}`);
        }
      }
    }
  } finally {
    client.destroy();
  }
  const missing = count - carried.length;
  ctx.print.info(
    `Carried ${carried.length} function secret${carried.length === 1 ? '' : 's'} over from ${envs.sourceEnv}` +
      (missing > 0 ? `; ${missing} had no value there: set ${missing === 1 ? 'it' : 'them'} with \`forte update function\` before pushing.` : '.'),
  );
  return carried;
}
