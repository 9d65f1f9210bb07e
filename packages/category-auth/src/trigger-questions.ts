import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import {
  AUTH_TRIGGERS,
  askedSettings,
  computedSettings,
  CUSTOM_MODULE,
  definitionOf,
  moduleSource,
  settingProblem,
  TRIGGER_KEYS,
  triggerFunctionName,
  triggersOf,
  type TriggerKey,
} from './auth-triggers.js';
import type { CognitoConfig } from './cognito-config.js';

type Triggers = Partial<Record<TriggerKey, string[]>>;

/** What the trigger questions chose: the modules per trigger and each module setting's value. */
export interface TriggerChoice {
  triggers: Triggers;
  settings: Partial<Record<TriggerKey, Record<string, string>>>;
}

const splitList = (answer: string): string[] => [
  ...new Set(
    answer
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ),
];

const validList =
  (allowed: readonly string[], what: string, atLeastOne: boolean) =>
  (answer: string): true | string => {
    const values = splitList(answer);
    if (atLeastOne && values.length === 0) return `choose at least one ${what}`;
    const bad = values.filter((v) => !allowed.includes(v));
    return bad.length === 0 ? true : `${bad.join(', ')} ${bad.length === 1 ? 'is not a' : 'are not'} ${what}; choose among ${allowed.join(', ')}`;
  };

/** A module setting's current value: the trigger function's parameters.json holds it. */
function currentSetting(ctx: PluginContext, functionName: string, key: string): string | undefined {
  const file = join(ctx.project().resourceDir('function', functionName), 'parameters.json');
  if (!existsSync(file)) return undefined;
  try {
    const value = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Amplify's trigger questions: "Do you want to configure Lambda Triggers for Cognito?", which triggers, which
 * modules for each (the built-in ones or "Create your own module"), then each module's settings. The
 * current choice (update) gives the defaults.
 */
export async function askTriggers(ctx: PluginContext, config: CognitoConfig): Promise<TriggerChoice> {
  const current = triggersOf(config, 'cli-inputs.json');
  const currentKeys = Object.keys(current) as TriggerKey[];
  const wanted = await ctx.prompt.confirm({ message: 'Do you want to configure Lambda Triggers for Cognito?', default: currentKeys.length > 0 });
  if (!wanted) return { triggers: {}, settings: {} };
  const keysAnswer = await ctx.prompt.input({
    message: `Which triggers do you want to enable for Cognito? (comma-separated: ${TRIGGER_KEYS.map((k) => `${k} (${AUTH_TRIGGERS[k].name})`).join(', ')})`,
    default: currentKeys.join(', '),
    validate: validList(TRIGGER_KEYS, 'Cognito trigger', true),
  });
  const choice: TriggerChoice = { triggers: {}, settings: {} };
  for (const key of splitList(keysAnswer) as TriggerKey[]) {
    const offered = definitionOf(key).modules;
    const names = [...Object.keys(offered), CUSTOM_MODULE];
    const described = names.map((m) => `${m} (${offered[m]?.name ?? 'Create your own module'})`).join(', ');
    const modulesAnswer = await ctx.prompt.input({
      message: `What functionality do you want to use for ${AUTH_TRIGGERS[key].name}? (comma-separated: ${described})`,
      default: (current[key] ?? [names[0]!]).join(', '),
      validate: validList([...names, ...(current[key] ?? [])], 'module', true),
    });
    const modules = splitList(modulesAnswer);
    choice.triggers[key] = modules;
    const settings: Record<string, string> = {};
    for (const module of modules) {
      for (const env of askedSettings(offered[module]?.env)) {
        settings[env.key] = await ctx.prompt.input({
          message: env.message,
          default: currentSetting(ctx, triggerFunctionName(config.resourceName, key), env.key) ?? '',
          validate: (answer: string) => settingProblem(env, answer) ?? true,
        });
      }
    }
    choice.settings[key] = settings;
  }
  return choice;
}

/**
 * The trigger choice of a headless request (`triggers` / `triggerSettings`), checked before anything is
 * written: `config.triggers` already holds the request's triggers (or the current ones when it gives only
 * settings); each module must be one the auth category ships, `custom`, or a file already in the trigger
 * function's src/; each setting a chosen module reads comes from `triggerSettings`, else from the function's
 * current value (an update), and settings no chosen module reads are refused.
 */
export function triggerChoiceFromRequest(
  ctx: PluginContext,
  config: CognitoConfig,
  request: { settings: Record<string, Record<string, string>> },
  source: string,
): TriggerChoice {
  const triggers = triggersOf(config, source);
  const fail = (problem: string, fix: string): never => {
    throw new UserError(`${source}: ${problem}`, fix);
  };
  for (const key of Object.keys(request.settings))
    if (!(key in triggers)) fail(`triggerSettings.${key} names a trigger the auth resource does not use.`, `Add ${key} to "triggers", or drop its settings.`);
  const choice: TriggerChoice = { triggers, settings: {} };
  for (const key of Object.keys(triggers) as TriggerKey[]) {
    const offered = definitionOf(key).modules;
    const functionName = triggerFunctionName(config.resourceName, key);
    const given = request.settings[key] ?? {};
    const settings: Record<string, string> = {};
    for (const module of triggers[key] ?? []) {
      const known =
        module === CUSTOM_MODULE || module in offered || existsSync(join(ctx.project().resourceDir('function', functionName), 'src', `${module}.js`));
      if (!known)
        fail(
          `${module} is not a module of ${key}.`,
          `Choose among ${[...Object.keys(offered), CUSTOM_MODULE].join(', ')} (custom: your own code in the function).`,
        );
      for (const env of askedSettings(offered[module]?.env)) {
        const value = given[env.key] ?? currentSetting(ctx, functionName, env.key);
        if (value === undefined || value.trim() === '')
          return fail(`triggerSettings.${key}.${env.key} is required by the module ${module}.`, `Give it in "triggerSettings" (${env.message})`);
        const problem = settingProblem(env, value);
        if (problem !== undefined) return fail(`triggerSettings.${key}.${problem}.`, `Give it in "triggerSettings" (${env.message})`);
        settings[env.key] = value;
      }
    }
    const unknown = Object.keys(given).filter((name) => !(name in settings));
    if (unknown.length > 0)
      fail(
        `triggerSettings.${key}.${unknown.join(', ')} ${unknown.length === 1 ? 'is not a setting' : 'are not settings'} of the chosen modules.`,
        Object.keys(settings).length > 0 ? `Their settings are ${Object.keys(settings).join(', ')}.` : 'The chosen modules take no settings.',
      );
    choice.settings[key] = settings;
  }
  return choice;
}

/**
 * Creates or updates each chosen trigger's function through the function category (its
 * `addTriggerFunction`: the dispatcher, the chosen modules' files, `MODULES` and the settings) and removes
 * the functions of triggers no longer chosen. Modules the auth category does not ship (Amplify's
 * verification-link module of a cloned project) must already be in the function's folder.
 */
export async function applyTriggerFunctions(ctx: PluginContext, config: CognitoConfig, previous: Triggers, choice: TriggerChoice): Promise<void> {
  const invoke = ctx.invokePluginMethod;
  const keys = Object.keys(choice.triggers) as TriggerKey[];
  const removed = (Object.keys(previous) as TriggerKey[]).filter((k) => !keys.includes(k));
  if (!invoke) {
    if (keys.length === 0 && removed.length === 0) return;
    throw new UserError('Lambda triggers need the function category, which cannot be loaded here.', 'Run the command with the forte CLI.');
  }
  for (const key of keys) {
    const modules = choice.triggers[key] ?? [];
    const functionName = triggerFunctionName(config.resourceName, key);
    const files: Record<string, string> = { 'index.js': moduleSource('trigger-index') };
    for (const module of modules) {
      const shipped = module === CUSTOM_MODULE || module in definitionOf(key).modules;
      if (shipped) files[`${module}.js`] = moduleSource(module);
      else if (!existsSync(join(ctx.project().resourceDir('function', functionName), 'src', `${module}.js`)))
        throw new UserError(
          `The trigger module ${module} of ${key} is not one Forte ships and the function has no src/${module}.js.`,
          'Choose another module.',
        );
      else files[`${module}.js`] = readFileSync(join(ctx.project().resourceDir('function', functionName), 'src', `${module}.js`), 'utf8');
    }
    await invoke.call(ctx, 'function', 'addTriggerFunction', [
      {
        functionName,
        parentResource: config.resourceName,
        parentStack: 'auth',
        trigger: key,
        modules,
        files,
        environment: { ...computedSettings(key, modules, functionName), ...choice.settings[key] },
      },
    ]);
  }
  for (const key of removed) await invoke.call(ctx, 'function', 'removeTriggerFunction', [triggerFunctionName(config.resourceName, key)]);
}

/** The auth resource's dependencies on its trigger functions (backend-config `dependsOn`, as Amplify writes it). */
export function triggerDependsOn(config: CognitoConfig): Array<{ category: string; resourceName: string; triggerProvider: string; attributes: string[] }> {
  return (Object.keys(triggersOf(config, 'cli-inputs.json')) as TriggerKey[]).map((key) => ({
    category: 'function',
    resourceName: triggerFunctionName(config.resourceName, key),
    triggerProvider: 'Cognito',
    attributes: ['Arn', 'Name'],
  }));
}
