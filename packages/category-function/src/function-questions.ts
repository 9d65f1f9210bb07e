import { UserError, commaSeparated, pickMany, type PluginContext } from '@forte/protocol';
import type { FunctionSettings, PackageManager } from './function-resource.js';
import type { LayerRef } from './function-settings.js';
import { accessDependency } from './function-resource.js';
import { accessibleResources, dependencyEnvVar, modelTableEnvVars, type Permissions } from './resource-access.js';
import { askEnvironmentVariables, askSecrets } from './value-questions.js';
import { scheduleExpression, validateScheduleExpression } from './schedule-expression.js';

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
  const arns = commaSeparated(await ctx.prompt.input({ message: 'Layer ARNs of other accounts (comma-separated, empty for none):', default: '' }));
  for (const arn of arns) {
    if (!/^arn:aws:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/.test(arn))
      throw new UserError(`${arn} is not a layer version ARN.`, 'Use arn:aws:lambda:<region>:<account>:layer:<name>:<version>.');
    layers.push({ type: 'ExternalLayer', arn });
  }
  return layers.slice(0, 5);
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
