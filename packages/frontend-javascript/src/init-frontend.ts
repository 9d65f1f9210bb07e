import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import { detectFramework, FRAMEWORK_DEFAULTS, FRAMEWORKS, isFramework, type Framework, type JavascriptConfig } from './frameworks.js';
import { FRONTEND_NAME } from './frontend-config.js';

export interface JavascriptFrontendSettings {
  frontend: typeof FRONTEND_NAME;
  framework: Framework;
  config: JavascriptConfig;
  [key: string]: unknown;
}

/**
 * The frontend questions of `forte init`. With `--yes` the framework is detected from package.json; a
 * headless `{frontend, framework, config}` payload (the `--frontend` flag) answers them instead.
 */
export async function initFrontend(
  ctx: PluginContext,
  headless?: Record<string, unknown>,
  options?: { useDefaults?: boolean },
): Promise<JavascriptFrontendSettings> {
  if (headless) return fromHeadless(headless);
  const detected = detectFramework(readPackageJson(ctx.cwd));
  if (options?.useDefaults) return { frontend: FRONTEND_NAME, framework: detected, config: { ...FRAMEWORK_DEFAULTS[detected] } };
  ctx.print.info('Please tell us about your project');
  const framework = await ctx.prompt.select<Framework>({
    message: 'What javascript framework are you using',
    choices: FRAMEWORKS.map((f) => ({ name: f, value: f })),
    default: detected,
  });
  const defaults = FRAMEWORK_DEFAULTS[framework];
  const ask = (message: string, value: string): Promise<string> =>
    ctx.prompt.input({ message, default: value, validate: (v) => (v.trim() === '' ? 'Enter a value.' : true) });
  const config: JavascriptConfig = {
    SourceDir: await ask('Source Directory Path: ', defaults.SourceDir),
    DistributionDir: await ask('Distribution Directory Path:', defaults.DistributionDir),
    BuildCommand: await ask('Build Command: ', defaults.BuildCommand),
    StartCommand: await ask('Start Command: ', defaults.StartCommand),
  };
  return { frontend: FRONTEND_NAME, framework, config };
}

/** Init's summary lines for these settings, as Amplify's javascript frontend prints them. */
export function describeSettings(settings: { frontend: string; [key: string]: unknown }): string[] {
  const framework = typeof settings['framework'] === 'string' ? settings['framework'] : 'none';
  const config = (settings['config'] ?? {}) as Partial<JavascriptConfig>;
  return [
    `App type: ${FRONTEND_NAME}`,
    `Javascript framework: ${framework}`,
    `Source Directory Path: ${config.SourceDir ?? ''}`,
    `Distribution Directory Path: ${config.DistributionDir ?? ''}`,
    `Build Command: ${config.BuildCommand ?? ''}`,
    `Start Command: ${config.StartCommand ?? ''}`,
  ];
}

function fromHeadless(payload: Record<string, unknown>): JavascriptFrontendSettings {
  const framework = payload.framework ?? 'none';
  if (!isFramework(framework)) {
    throw new UserError(`--frontend: unknown framework ${JSON.stringify(framework)}.`, `Use one of ${FRAMEWORKS.join(', ')}.`);
  }
  const given = (payload.config ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given))
    throw new UserError('--frontend: "config" must be an object.', 'For example {"SourceDir":"src","DistributionDir":"build"}.');
  const config: JavascriptConfig = { ...FRAMEWORK_DEFAULTS[framework] };
  for (const key of Object.keys(config) as (keyof JavascriptConfig)[]) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new UserError(`--frontend: config.${key} must be a non-empty string.`, 'Fix the --frontend JSON.');
    config[key] = value;
  }
  return { frontend: FRONTEND_NAME, framework, config };
}

function readPackageJson(dir: string): { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  } catch {
    return undefined; // an unreadable package.json only means nothing is detected
  }
}
