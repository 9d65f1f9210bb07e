import { pickMany, type PluginContext } from '@forte/protocol';
import { SECRET_NAME } from './function-secrets.js';

/** Amplify's environment variables loop: add, update or remove, until done (values of the current environment). */
export async function askEnvironmentVariables(ctx: PluginContext, current: Record<string, string>): Promise<Record<string, string>> {
  const configure = await ctx.prompt.confirm({ message: 'Do you want to configure environment variables for this function?', default: false });
  const vars = { ...current };
  if (!configure) return vars;
  let action = Object.keys(vars).length === 0 ? 'add' : await nextEnvAction(ctx, vars);
  while (action !== 'done') {
    const keys = Object.keys(vars);
    if (action === 'add') {
      const key = await ctx.prompt.input({
        message: 'Enter the environment variable name:',
        validate: (v) =>
          !ENV_KEY.test(v) ? 'You can use the following characters: a-z A-Z 0-9 _' : keys.includes(v) ? `${v} already exists: update it instead` : true,
      });
      vars[key] = await ctx.prompt.input({ message: 'Enter the environment variable value:' });
    } else if (action === 'update') {
      const key = await ctx.prompt.select({ message: 'Which environment variable do you want to update:', choices: keys.map((k) => ({ name: k, value: k })) });
      vars[key] = await ctx.prompt.input({ message: 'Enter the environment variable value:', default: vars[key] ?? '' });
    } else {
      const key = await ctx.prompt.select({ message: 'Which environment variable do you want to remove:', choices: keys.map((k) => ({ name: k, value: k })) });
      delete vars[key];
    }
    action = await nextEnvAction(ctx, vars);
  }
  return vars;
}

const ENV_KEY = /^[a-zA-Z0-9_]+$/;

function nextEnvAction(ctx: PluginContext, vars: Record<string, string>): Promise<string> {
  const some = Object.keys(vars).length > 0;
  return ctx.prompt.select({
    message: 'Select what you want to do with environment variables:',
    choices: [
      { name: 'Add new environment variable', value: 'add' },
      ...(some
        ? [
            { name: 'Update existing environment variables', value: 'update' },
            { name: 'Remove existing environment variables', value: 'remove' },
          ]
        : []),
      { name: "I'm done", value: 'done' },
    ],
    default: 'done',
  });
}

/** Amplify's secrets loop: add, update or remove, until done. Values are asked with the terminal's echo as for any answer. */
export async function askSecrets(ctx: PluginContext, current: string[]): Promise<Record<string, string | undefined>> {
  const secrets: Record<string, string | undefined> = Object.fromEntries(current.map((n) => [n, undefined]));
  const configure = await ctx.prompt.confirm({ message: 'Do you want to configure secret values this function can access?', default: false });
  if (!configure) return secrets;
  let action = current.length === 0 ? 'add' : await nextSecretAction(ctx, secrets);
  while (action !== 'done') {
    const names = Object.keys(secrets);
    if (action === 'add') {
      const name = await ctx.prompt.input({
        message: 'Enter a secret name (this is the key used to look up the secret value):',
        validate: (v) =>
          !SECRET_NAME.test(v) ? 'You can use the following characters: a-z A-Z 0-9 _' : names.includes(v) ? `${v} already exists: update it instead` : true,
      });
      secrets[name] = await askSecretValue(ctx, name);
    } else if (action === 'update') {
      const name = await ctx.prompt.select({ message: 'Select the secret to update:', choices: names.map((n) => ({ name: n, value: n })) });
      secrets[name] = await askSecretValue(ctx, name);
    } else {
      for (const name of await pickMany(ctx, 'Select the secrets to delete:', names)) delete secrets[name];
    }
    action = await nextSecretAction(ctx, secrets);
  }
  return secrets;
}

const askSecretValue = (ctx: PluginContext, name: string): Promise<string> =>
  ctx.prompt.input({ message: `Enter the value for ${name}:`, validate: (v) => (v.length > 0 ? true : 'A secret needs a value') });

function nextSecretAction(ctx: PluginContext, secrets: Record<string, unknown>): Promise<string> {
  const some = Object.keys(secrets).length > 0;
  return ctx.prompt.select({
    message: 'What do you want to do?',
    choices: [
      { name: 'Add a secret', value: 'add' },
      ...(some
        ? [
            { name: 'Update a secret', value: 'update' },
            { name: 'Remove secrets', value: 'remove' },
          ]
        : []),
      { name: "I'm done", value: 'done' },
    ],
    default: 'done',
  });
}
