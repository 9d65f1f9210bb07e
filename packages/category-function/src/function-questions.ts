import { UserError, type PluginContext } from '@forte/protocol';
import type { FunctionSettings, PackageManager } from './function-resource.js';
import type { LayerRef } from './function-settings.js';
import { accessDependency } from './function-resource.js';
import { accessibleResources, dependencyEnvVar, modelTableEnvVars, type Permissions } from './resource-access.js';
import { SECRET_NAME } from './function-secrets.js';
import { scheduleExpression, validateScheduleExpression } from './schedule-expression.js';

/** Several answers in one (the Prompter has no checkbox): comma-separated, each one of `allowed`. */
async function pickMany(ctx: PluginContext, message: string, allowed: readonly string[], fallback: string[] = []): Promise<string[]> {
  const answer = await ctx.prompt.input({
    message: `${message} (${allowed.join(', ')}; separate with commas)`,
    default: fallback.join(', '),
    validate: (value) => {
      const bad = split(value).filter((v) => !allowed.includes(v));
      return bad.length === 0 ? true : `Not one of the choices: ${bad.join(', ')}`;
    },
  });
  return split(answer);
}
const split = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export async function askPermissions(ctx: PluginContext, self: string, current: Permissions): Promise<Permissions> {
  const access = await ctx.prompt.confirm({
    message: 'Do you want to access other resources in this project from your Lambda function?',
    default: Object.keys(current).length > 0,
  });
  if (!access) return {};
  const resources = accessibleResources(ctx.project(), self);
  const categories = [...new Set(resources.map((r) => r.category))];
  if (categories.length === 0) {
    ctx.print.warn('This project has no api, auth, storage or function resource to give access to yet.');
    return {};
  }
  const chosen = await pickMany(ctx, 'Select the categories you want this function to have access to.', categories, Object.keys(current));
  const permissions: Permissions = {};
  const envVars = new Set(['ENV', 'REGION']);
  for (const category of chosen) {
    const inCategory = resources.filter((r) => r.category === category);
    let names = inCategory.map((r) => r.resourceName);
    if (names.length > 1) {
      names = await pickMany(
        ctx,
        `${capital(category)} has ${names.length} resources in this project. Select the one you would like your Lambda to access`,
        names,
        Object.keys(current[category] ?? {}),
      );
    }
    for (const name of names) {
      const resource = inCategory.find((r) => r.resourceName === name)!;
      const ops = await pickMany(ctx, `Select the operations you want to permit on ${name}`, resource.operations, current[category]?.[name] ?? []);
      if (ops.length === 0) continue;
      (permissions[category] ??= {})[name] = ops;
      const dep = accessDependency(resource);
      for (const a of dep.attributes) envVars.add(dependencyEnvVar(dep.category, dep.resourceName, a));
      if (resource.model) for (const v of Object.keys(modelTableEnvVars(resource.model.api, resource.model.name))) envVars.add(v);
    }
  }
  ctx.print.info('');
  ctx.print.info('You can access the following resource attributes as environment variables from your Lambda function');
  for (const v of [...envVars].sort()) ctx.print.info(`\t${v}`);
  return permissions;
}

export async function askSchedule(ctx: PluginContext, current: string | undefined): Promise<string | undefined> {
  const scheduled = await ctx.prompt.confirm({ message: 'Do you want to invoke this function on a recurring schedule?', default: current !== undefined });
  if (!scheduled) return undefined;
  const interval = await ctx.prompt.select({
    message: 'At which interval should the function be invoked:',
    choices: ['Minutes', 'Hourly', 'Daily', 'Weekly', 'Monthly', 'Yearly', 'Custom AWS cron expression'].map((v) => ({ name: v, value: v })),
  });
  if (interval === 'Custom AWS cron expression') {
    const expression = await ctx.prompt.input({
      message: 'Custom cron expression:',
      validate: (v) => validateScheduleExpression(`cron(${v})`),
    });
    return `cron(${expression})`;
  }
  if (interval === 'Minutes' || interval === 'Hourly') {
    const unit = interval === 'Minutes' ? 'minute' : 'hour';
    const n = await ctx.prompt.input({
      message: `Enter rate for ${unit}s(1-59)?`,
      default: '1',
      validate: (v) => (/^[1-9][0-9]?$/.test(v) ? true : 'Enter a number from 1 to 59'),
    });
    return scheduleExpression({ every: unit, count: Number(n) });
  }
  const time = await ctx.prompt.input({
    message: 'Select the start time in UTC (HH:MM)',
    default: '12:00',
    validate: (v) => (/^([01]?\d|2[0-3]):[0-5]\d$/.test(v) ? true : 'Use HH:MM'),
  });
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return scheduleExpression({ every: interval.toLowerCase().replace('ly', '').replace('dai', 'day') as 'day', hour, minute });
}

export async function askLayers(ctx: PluginContext, current: LayerRef[]): Promise<LayerRef[]> {
  const enable = await ctx.prompt.confirm({ message: 'Do you want to enable Lambda layers for this function?', default: current.length > 0 });
  if (!enable) return [];
  const backend = ctx.project().readBackendConfig();
  const projectLayers = Object.entries(backend['function'] ?? {})
    .filter(([, e]) => e.service === 'LambdaLayer')
    .map(([n]) => n);
  const chosen =
    projectLayers.length > 0
      ? await pickMany(ctx, 'Provide existing layers or select layers in this project to access from this function (pick up to 5):', projectLayers)
      : [];
  const layers: LayerRef[] = chosen.map((resourceName) => ({
    type: 'ProjectLayer',
    resourceName,
    version: 'Latest',
    isLatestVersionSelected: true,
    env: ctx.project().envName,
  }));
  const arns = split(await ctx.prompt.input({ message: 'Layer ARNs of other accounts (comma-separated, empty for none):', default: '' }));
  for (const arn of arns) {
    if (!/^arn:aws:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/.test(arn))
      throw new UserError(`${arn} is not a layer version ARN.`, 'Use arn:aws:lambda:<region>:<account>:layer:<name>:<version>.');
    layers.push({ type: 'ExternalLayer', arn });
  }
  return layers.slice(0, 5);
}

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

export async function askPackageManager(ctx: PluginContext, current?: PackageManager): Promise<PackageManager> {
  const choice = await ctx.prompt.select({
    message: 'Choose the package manager that you want to use:',
    choices: [
      { name: 'NPM', value: 'npm' },
      { name: 'Yarn', value: 'yarn' },
      { name: 'PNPM', value: 'pnpm' },
      { name: 'Custom Build Command or Script Path', value: 'custom' },
    ],
    default: current === undefined ? 'npm' : typeof current === 'string' ? current : 'custom',
  });
  if (choice !== 'custom') return choice as 'npm' | 'yarn' | 'pnpm';
  return {
    custom: await ctx.prompt.input({
      message: 'Enter command or script path to build your function:',
      ...(typeof current === 'object' ? { default: current.custom } : {}),
      validate: (v) => (v.trim() ? true : 'Enter a command'),
    }),
  };
}

/** The advanced settings, asked as Amplify asks them (current values as the defaults). */
export async function askAdvancedSettings(ctx: PluginContext, self: string, current: FunctionSettings): Promise<FunctionSettings> {
  return askSettings(ctx, self, current, ['permissions', 'schedule', 'layers', 'environment', 'secrets']);
}

/** The settings `forte update function` offers, as Amplify names them. */
export const UPDATABLE_SETTINGS = {
  permissions: 'Resource access permissions',
  schedule: 'Scheduled recurring invocation',
  layers: 'Lambda layers configuration',
  environment: 'Environment variables configuration',
  secrets: 'Secret values configuration',
} as const;
type Setting = keyof typeof UPDATABLE_SETTINGS;

/** Amplify's update: which settings to change, then only their questions (the package manager last, as at add). */
export async function askUpdatedSettings(ctx: PluginContext, self: string, current: FunctionSettings): Promise<FunctionSettings> {
  const names = Object.values(UPDATABLE_SETTINGS);
  const chosen = await pickMany(ctx, 'Which setting do you want to update?', names);
  if (chosen.length === 0) throw new UserError('No setting was chosen, so nothing changed.', `Choose one or more of: ${names.join(', ')}.`);
  const keys = (Object.keys(UPDATABLE_SETTINGS) as Setting[]).filter((k) => chosen.includes(UPDATABLE_SETTINGS[k]));
  return askSettings(ctx, self, current, keys);
}

async function askSettings(ctx: PluginContext, self: string, current: FunctionSettings, keys: Setting[]): Promise<FunctionSettings> {
  const next: FunctionSettings = { ...current };
  if (keys.includes('permissions')) next.permissions = await askPermissions(ctx, self, current.permissions);
  if (keys.includes('schedule')) {
    const schedule = await askSchedule(ctx, current.schedule);
    if (schedule) next.schedule = schedule;
    else delete next.schedule;
  }
  if (keys.includes('layers')) next.layers = await askLayers(ctx, current.layers);
  if (keys.includes('environment')) next.environmentVariables = await askEnvironmentVariables(ctx, current.environmentVariables);
  if (keys.includes('secrets')) next.secrets = await askSecrets(ctx, Object.keys(current.secrets));
  next.packageManager = await askPackageManager(ctx, current.packageManager);
  return next;
}
